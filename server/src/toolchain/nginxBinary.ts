import * as fs from 'node:fs';
import { ElfImage, readImage } from './elfImage';
import { splitShellWords } from './linkFlags';
import { BuildEnvironmentError, findExecutable, runTool } from './tool';

/**
 * Facts about a built nginx and what it loads, read from its own output
 * (`nginx -V`), `ldd`, and its ELF data: no guessing from file names.
 */

export interface NginxBuildInfo {
  /** "1.22.1". */
  version: string;
  /** nginx_version as modules carry it: 1022001. */
  versionNumber: number;
  /** The `configure arguments:` line, split like a shell would. */
  configureArgs: string[];
  compat: boolean;
  /** `nginx -V` as printed. */
  text: string;
}

/**
 * The built nginx the user named (`--nginx`): an executable ELF file whose
 * `-V` prints nginx's version, else an environment error saying what it
 * is instead. A path that does not exist, or another program, must be
 * neither audited nor listed in a runtime image.
 */
export async function openBuiltNginx(
  binary: string,
  options: { signal?: AbortSignal; env?: NodeJS.ProcessEnv } = {},
): Promise<{ file: string; image: ElfImage; info: NginxBuildInfo }> {
  const file = findExecutable(binary);
  if (!file) {
    throw new BuildEnvironmentError(
      fs.existsSync(binary) ? `nginx '${binary}' is not an executable file.` : `nginx '${binary}' not found: give the built binary with --nginx (or the restyBuild.nginxPath setting).`,
    );
  }
  const image = readImage(file);
  if (!image) {
    throw new BuildEnvironmentError(`'${file}' is not an ELF executable: give a built nginx (objs/nginx or sbin/nginx).`);
  }
  const v = await runTool(file, ['-V'], { timeoutMs: 15_000, signal: options.signal, env: options.env });
  const info = parseNginxV(v.stderr + v.stdout.toString('utf8'));
  if (!info) {
    throw new BuildEnvironmentError(`'${file} -V' did not print nginx's version: is it nginx? (${(v.stderr || v.stdout.toString('utf8')).trim().split('\n')[0] ?? ''})`);
  }
  return { file, image, info };
}

/** 1.22.1 -> 1022001, the `nginx_version` macro every module stores. */
export function nginxVersionNumber(version: string): number {
  const [major = 0, minor = 0, patch = 0] = version.split('.').map((p) => Number.parseInt(p, 10) || 0);
  return major * 1_000_000 + minor * 1_000 + patch;
}

/** `x.y.z` of an ngx_lua_version number: 10023 -> 0.10.23. */
export function formatNgxLuaVersion(n: number): string {
  return `${Math.floor(n / 1_000_000)}.${Math.floor(n / 1000) % 1000}.${n % 1000}`;
}

/** Parses `nginx -V` (it prints to stderr); undefined when the text is not nginx's. */
export function parseNginxV(text: string): NginxBuildInfo | undefined {
  const version = /^nginx version: \S*?\/(\d+\.\d+\.\d+)/m.exec(text)?.[1];
  if (!version) {
    return undefined;
  }
  const args = /^configure arguments: (.*)$/m.exec(text)?.[1] ?? '';
  const configureArgs = splitShellWords(args);
  return { version, versionNumber: nginxVersionNumber(version), configureArgs, compat: configureArgs.includes('--with-compat'), text };
}

/** Whether `nginx -V` shows a `--with-<feature>` (either spelling: `--with-http_ssl_module`, `=dynamic`). */
export function builtWith(info: NginxBuildInfo, feature: string): boolean {
  return info.configureArgs.some((a) => a === `--with-${feature}` || a.startsWith(`--with-${feature}=`));
}

export interface SharedLibrary {
  /** The name the binary asks for (DT_NEEDED): libluajit-5.1.so.2. */
  name: string;
  /** Where the loader finds it; undefined when "not found". */
  path?: string;
}

/** Parses `ldd` output: `libx.so.1 => /lib/libx.so.1 (0x…)`, `libx.so.1 => not found`, `/lib64/ld-linux-x86-64.so.2 (0x…)`. */
export function parseLdd(text: string): SharedLibrary[] {
  const libs: SharedLibrary[] = [];
  for (const raw of text.split('\n')) {
    const line = raw.trim();
    // Paths may hold spaces: the address in parentheses ends them.
    const arrow = /^(\S+) => (?:(\/.*?) \(0x[0-9a-f]+\)|(\/.*)|not found)$/.exec(line);
    if (arrow) {
      libs.push({ name: arrow[1], path: arrow[2] ?? arrow[3] });
      continue;
    }
    const direct = /^(\/.*?) \(0x[0-9a-f]+\)$/.exec(line);
    if (direct) {
      libs.push({ name: direct[1].slice(direct[1].lastIndexOf('/') + 1), path: direct[1] });
    }
  }
  return libs;
}

/** NGX_MODULE_SIGNATURE: pointer, sig_atomic_t and time_t sizes, then one 0/1 per build feature. */
const SIGNATURE = /^\d+,\d+,\d+,[01]{20,}$/;

/** The module signature compiled into nginx (ngx_module.h), as `load_module` compares it. */
export function binarySignature(image: ElfImage): string | undefined {
  const found = [...new Set(image.findStrings(SIGNATURE, 20))];
  return found.length === 1 ? found[0] : undefined;
}

export interface ModuleStruct {
  name?: string;
  version?: number;
  signature?: string;
}

export interface DynamicModuleInfo {
  modules: ModuleStruct[];
  /** Why the file cannot be read as an nginx module (no `ngx_modules`). */
  error?: string;
}

/** ngx_module_t's leading fields, in words: ctx_index, index, name, spare0, spare1, version, signature. */
const NAME_WORD = 2;
const VERSION_WORD = 5;
const SIGNATURE_WORD = 6;

/**
 * Reads the modules of a dynamic module file the way ngx_load_module does
 * (dlsym "ngx_modules" and "ngx_module_names"), without loading it: each
 * module's nginx version and signature.
 */
export function readDynamicModule(image: ElfImage): DynamicModuleInfo {
  const symbols = new Map(image.dynamicSymbols().filter((s) => s.defined).map((s) => [s.name, s]));
  const list = symbols.get('ngx_modules');
  if (!list) {
    return { modules: [], error: 'it exports no "ngx_modules": not an nginx dynamic module' };
  }
  const names = symbols.get('ngx_module_names');
  const ptr = image.pointerSize;
  const modules: ModuleStruct[] = [];
  for (let i = 0; i < 256; i++) {
    const struct = image.readWord(list.value + i * ptr);
    if (!struct) {
      break;
    }
    const nameAt = names ? image.readWord(names.value + i * ptr) : image.readWord(struct + NAME_WORD * ptr);
    const signatureAt = image.readWord(struct + SIGNATURE_WORD * ptr);
    modules.push({
      name: nameAt ? image.readString(nameAt) : undefined,
      version: image.readWord(struct + VERSION_WORD * ptr),
      signature: signatureAt ? image.readString(signatureAt) : undefined,
    });
  }
  return modules.length > 0 ? { modules } : { modules, error: '"ngx_modules" is empty or unreadable' };
}
