import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { ffiLibraryFile, isSystemLibrary } from '../core/resolve/moduleNames';
import { BuildProject } from './buildProject';
import { readImage } from './elfImage';
import { loadModulesOf } from './dynamicModules';
import { openBuiltNginx, parseLdd, SharedLibrary } from './nginxBinary';
import { findExecutable, runTool } from './tool';

/**
 * What a runtime image must carry besides the nginx binary (in a multi-stage image the
 * build stage has the toolchain, the runtime stage only the artifacts):
 * the C modules the embed closure loads from `cpath`, the libraries its
 * `ffi.load` calls name (found the way the dynamic loader finds them), the
 * libluajit nginx links, and the dynamic modules of `load_module`.
 */

export type RuntimeKind = 'nginx' | 'libluajit' | 'c-module' | 'ffi-library' | 'dynamic-module' | 'dependency';

export interface RuntimeFile {
  kind: RuntimeKind;
  /** What asks for it: a module name, `ffi.load("x")`, a load_module argument, a library's DT_NEEDED. */
  what: string;
  /** Where the runtime looks for it (also the COPY destination); undefined when not found. */
  path?: string;
  /** The file behind symlinks (the COPY source). */
  realPath?: string;
  /** Where it is asked for: `file:line`. */
  from: string[];
  /** Libraries every glibc image has (libc, libm, …): listed, not copied. */
  system?: boolean;
  /** Where the dynamic loader looked, when not found. */
  searched?: string[];
}

export interface RuntimeImage {
  files: RuntimeFile[];
  /** Folders the runtime must put on LD_LIBRARY_PATH (libraries found only through it). */
  libraryPath: string[];
  notes: string[];
}

function multiarchTriplet(): string {
  const arch = os.arch();
  return arch === 'x64' ? 'x86_64-linux-gnu' : arch === 'arm64' ? 'aarch64-linux-gnu' : arch === 'ia32' ? 'i386-linux-gnu' : `${arch}-linux-gnu`;
}

/** The folders of /etc/ld.so.conf and what it includes (a `*` in the last segment is a glob). */
export function ldSoConfDirs(file = '/etc/ld.so.conf', seen = new Set<string>()): string[] {
  if (seen.has(file) || seen.size > 64) {
    return [];
  }
  seen.add(file);
  let text: string;
  try {
    text = fs.readFileSync(file, 'utf8');
  } catch {
    return [];
  }
  const dirs: string[] = [];
  for (const raw of text.split('\n')) {
    const line = raw.replace(/#.*/, '').trim();
    if (!line) {
      continue;
    }
    const include = /^include\s+(.+)$/.exec(line);
    if (!include) {
      dirs.push(line);
      continue;
    }
    const pattern = path.resolve(path.dirname(file), include[1]);
    const dir = path.dirname(pattern);
    const glob = new RegExp(`^${path.basename(pattern).replace(/[.+^${}()|[\]\\]/g, '\\$&').replace(/\*/g, '.*').replace(/\?/g, '.')}$`);
    let names: string[] = [];
    try {
      names = fs.readdirSync(dir).filter((n) => glob.test(n)).sort();
    } catch {
      continue;
    }
    for (const name of names) {
      dirs.push(...ldSoConfDirs(path.join(dir, name), seen));
    }
  }
  return dirs;
}

/**
 * Where dlopen(name) would find a library that `ffi.load` names: a path is
 * used as is; a bare name goes through LD_LIBRARY_PATH, the ld.so.conf
 * folders (what ld.so.cache holds) and the default folders.
 */
export function resolveSharedLibrary(name: string, env: NodeJS.ProcessEnv, cwd: string): { path?: string; viaLibraryPath?: string; searched: string[] } {
  const file = ffiLibraryFile(name);
  if (file.includes('/')) {
    const abs = path.resolve(cwd, file);
    return fs.existsSync(abs) ? { path: abs, searched: [abs] } : { searched: [abs] };
  }
  const fromEnv = (env.LD_LIBRARY_PATH ?? '').split(':').filter(Boolean);
  const triplet = multiarchTriplet();
  const dirs = [...fromEnv, ...ldSoConfDirs(), `/lib/${triplet}`, `/usr/lib/${triplet}`, '/lib', '/usr/lib', '/lib64', '/usr/lib64'];
  const searched: string[] = [];
  for (const dir of [...new Set(dirs)]) {
    const candidate = path.join(dir, file);
    searched.push(candidate);
    if (fs.existsSync(candidate)) {
      return { path: candidate, viaLibraryPath: fromEnv.includes(dir) ? dir : undefined, searched };
    }
  }
  return { searched };
}

function realPathOf(file: string): string {
  try {
    return fs.realpathSync(file);
  } catch {
    return file;
  }
}

/** Libraries every glibc runtime image has. */
function isBaseLibrary(name: string): boolean {
  return /^(libc|libm|libdl|libpthread|librt|libresolv|libutil|libgcc_s|ld-linux[-\w.]*|linux-vdso|linux-gate)\.so/.test(name) || /^ld-linux/.test(name);
}

async function lddOf(file: string, env: NodeJS.ProcessEnv): Promise<SharedLibrary[]> {
  const ldd = findExecutable('ldd', env);
  if (!ldd) {
    return [];
  }
  const r = await runTool(ldd, [file], { timeoutMs: 15_000, env });
  return r.code === 0 ? parseLdd(r.stdout.toString('utf8')) : [];
}

export interface RuntimeOptions {
  build: BuildProject;
  /** The built nginx: its libluajit (and itself) join the list. */
  binary?: string;
  env?: NodeJS.ProcessEnv;
}

export async function listRuntimeImage(options: RuntimeOptions): Promise<RuntimeImage> {
  const { build } = options;
  const env = options.env ?? process.env;
  const files: RuntimeFile[] = [];
  const notes: string[] = [];
  const libraryPath = new Set<string>();
  const add = (f: RuntimeFile) => {
    const same = files.find((x) => x.kind === f.kind && x.what === f.what && x.path === f.path);
    if (same) {
      same.from.push(...f.from.filter((w) => !same.from.includes(w)));
    } else {
      files.push(f);
    }
  };
  const rel = (file: string) => path.relative(build.manifest.dir, file) || file;

  if (options.binary) {
    const binary = (await openBuiltNginx(path.resolve(options.binary), { env })).file;
    add({ kind: 'nginx', what: 'nginx', path: binary, realPath: realPathOf(binary), from: [] });
    const libs = await lddOf(binary, env);
    const luajit = libs.find((l) => l.path && readImage(l.path)?.exportedNames().has('luaL_newstate'));
    if (luajit?.path) {
      add({ kind: 'libluajit', what: luajit.name, path: luajit.path, realPath: realPathOf(luajit.path), from: [binary] });
    } else {
      notes.push(`${binary} links no libluajit (ldd): LuaJIT is linked into the binary itself.`);
    }
  } else {
    notes.push('Give the built nginx (--nginx <binary>) to list the libluajit it links.');
  }

  const closure = build.closure;
  for (const m of closure?.modules.values() ?? []) {
    if (m.status === 'native' && m.file) {
      add({ kind: 'c-module', what: m.name, path: m.file, realPath: realPathOf(m.file), from: m.requiredFrom.map((r) => `${rel(r.file)}:${r.range.start.line + 1}`) });
    }
  }
  for (const entry of build.entries.filter((e) => e.origin === 'native' && e.file)) {
    add({ kind: 'c-module', what: entry.module, path: entry.file, realPath: realPathOf(entry.file!), from: [`${rel(build.manifest.file)}:${entry.range.start.line + 1}`] });
  }
  for (const { file, judgement } of closure?.judgements ?? []) {
    for (const load of judgement.facts.ffiLoads) {
      const where = `${rel(file)}:${judgement.toFile(load.start, load.end).start.line + 1}`;
      if (load.library === undefined) {
        // What it loads is known only at run time (lua-resty-balancer searches package.cpath): said, not guessed.
        notes.push(`${where}: ffi.load with a library name computed at run time: the library it loads is not listed; add it to the image yourself.`);
        continue;
      }
      const what = `ffi.load("${load.library}")`;
      const found = resolveSharedLibrary(load.library, env, build.manifest.dir);
      if (found.viaLibraryPath) {
        libraryPath.add(found.viaLibraryPath);
      }
      add({
        kind: 'ffi-library',
        what,
        path: found.path,
        realPath: found.path && realPathOf(found.path),
        from: [where],
        system: isSystemLibrary(load.library) || undefined,
        searched: found.path ? undefined : found.searched,
      });
    }
  }
  for (const d of loadModulesOf(build.project)) {
    add({ kind: 'dynamic-module', what: `load_module ${d.written}`, path: fs.existsSync(d.file) ? d.file : undefined, realPath: realPathOf(d.file), from: [`${rel(d.confFile)}:${d.range.start.line + 1}`], searched: fs.existsSync(d.file) ? undefined : [d.file] });
  }

  // What those shared objects need in turn, beyond the C library every image has.
  for (const f of [...files]) {
    if (!f.path || f.kind === 'nginx' || f.system) {
      continue;
    }
    for (const dep of await lddOf(f.path, env)) {
      if (!isBaseLibrary(dep.name) && !files.some((x) => x.path === dep.path)) {
        add({ kind: 'dependency', what: dep.name, path: dep.path, realPath: dep.path && realPathOf(dep.path), from: [f.path], searched: dep.path ? undefined : [] });
      }
    }
  }
  return { files, libraryPath: [...libraryPath], notes };
}

const LABELS: Record<RuntimeKind, string> = {
  nginx: 'nginx',
  libluajit: 'libluajit (linked by nginx)',
  'c-module': 'C module',
  'ffi-library': 'ffi library',
  'dynamic-module': 'dynamic module',
  dependency: 'needed by',
};

export function formatRuntimeText(image: RuntimeImage): string[] {
  const lines: string[] = [];
  for (const f of image.files) {
    const label = f.kind === 'dependency' ? `${LABELS[f.kind]} ${f.from.join(', ')}` : LABELS[f.kind];
    const where = f.path ? `${f.path}${f.realPath && f.realPath !== f.path ? ` -> ${f.realPath}` : ''}` : 'NOT FOUND';
    const from = f.kind !== 'dependency' && f.from.length > 0 ? ` (${f.from.join(', ')})` : '';
    lines.push(`${label}: ${f.what} ${where}${f.system ? ' [system library]' : ''}${from}`);
    if (!f.path && f.searched && f.searched.length > 0) {
      lines.push(`    searched: ${f.searched.join(', ')}`);
    }
  }
  if (image.libraryPath.length > 0) {
    lines.push(`LD_LIBRARY_PATH must include: ${image.libraryPath.join(':')}`);
  }
  return lines;
}

function dockerQuote(p: string): string {
  return /[\s"'\\]/.test(p) ? JSON.stringify(p) : p;
}

/** The COPY block of a multi-stage Dockerfile: from the build stage into a runtime stage without build tools. */
export function formatDockerfile(image: RuntimeImage, stage = 'build'): string {
  const lines = [`# Runtime files, listed by resty-build runtime. The build stage is "${stage}"; the runtime stage needs no compiler, luajit or luarocks.`];
  for (const f of image.files) {
    const label = f.kind === 'dependency' ? `${f.what}, ${LABELS[f.kind]} ${f.from.join(', ')}` : `${LABELS[f.kind]} ${f.what}${f.from.length > 0 ? ` (${f.from.join(', ')})` : ''}`;
    if (!f.path) {
      lines.push(`# NOT FOUND: ${label}`);
      continue;
    }
    if (f.system) {
      lines.push(`# ${label}: a system library, expected in the runtime's base image`);
      continue;
    }
    lines.push(`# ${label}`);
    lines.push(`COPY --from=${stage} ${dockerQuote(f.realPath ?? f.path)} ${dockerQuote(f.path)}`);
  }
  if (image.libraryPath.length > 0) {
    lines.push(`ENV LD_LIBRARY_PATH=${image.libraryPath.join(':')}`);
  }
  return lines.join('\n');
}
