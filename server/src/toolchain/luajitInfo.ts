import * as fs from 'node:fs';
import * as path from 'node:path';
import { Manifest } from '../core/manifest/manifest';
import { Finding, rangeOf } from '../core/types';
import { BuildEnvironmentError, findExecutable, MAX_TOOL_OUTPUT, runTool } from './tool';

/** Flags of the bytecode dump header (lj_bcdump.h). */
export const BCDUMP_F_BE = 0x01;
export const BCDUMP_F_STRIP = 0x02;
export const BCDUMP_F_FFI = 0x04;
export const BCDUMP_F_FR2 = 0x08;
/** Upstream LuaJIT 2.1 (2023+) marks dumps that use its new bit-operator syntax; OpenResty's fork rejects it. */
export const BCDUMP_F_UPSTREAM_NEW = 0x10;

export interface BytecodeHeader {
  /** 1 = LuaJIT 2.0, 2 = LuaJIT 2.1. */
  version: number;
  flags: number;
  bigEndian: boolean;
  stripped: boolean;
  ffi: boolean;
  /** Two-slot frame info: set by GC64 builds. */
  fr2: boolean;
  /** Flags this reader does not know (0x10 and above). */
  unknownFlags: number;
}

export interface LuaJitInfo {
  /** The executable, resolved through PATH. */
  path: string;
  /** First line of `luajit -v`. */
  versionText: string;
  header: BytecodeHeader;
  /** The header bytes of a dump of `return 1` (ESC L J, version, flags), hex. */
  headerHex: string;
}

/** Parses the 5-byte header of a raw bytecode dump; undefined when it is not one. */
export function parseBytecodeHeader(bytes: Uint8Array): BytecodeHeader | undefined {
  if (bytes.length < 5 || bytes[0] !== 0x1b || bytes[1] !== 0x4c || bytes[2] !== 0x4a) {
    return undefined;
  }
  const flags = bytes[4];
  return {
    version: bytes[3],
    flags,
    bigEndian: (flags & BCDUMP_F_BE) !== 0,
    stripped: (flags & BCDUMP_F_STRIP) !== 0,
    ffi: (flags & BCDUMP_F_FFI) !== 0,
    fr2: (flags & BCDUMP_F_FR2) !== 0,
    unknownFlags: flags & ~0x0f,
  };
}

export function describeHeader(h: BytecodeHeader): string {
  const version = h.version === 1 ? 'LuaJIT 2.0' : h.version === 2 ? 'LuaJIT 2.1' : `unknown version ${h.version}`;
  const parts = [`bytecode version ${h.version} (${version})`, h.fr2 ? 'GC64 (FR2)' : 'non-GC64', h.bigEndian ? 'big-endian' : 'little-endian'];
  if (h.unknownFlags) {
    parts.push(`extra flags 0x${h.unknownFlags.toString(16)}`);
  }
  return parts.join(', ');
}

/**
 * Identifies a LuaJIT executable: `-v` and the header of a dump of a tiny
 * chunk (`-b -t raw -e 'return 1' -` writes the raw dump to stdout).
 * Throws BuildEnvironmentError when it is missing or is not a LuaJIT with
 * the `jit.bcsave` library.
 */
export async function identifyLuaJit(command: string, options: { timeoutMs?: number; signal?: AbortSignal; cwd?: string } = {}): Promise<LuaJitInfo> {
  const resolved = findExecutable(command, process.env, options.cwd);
  const named = 'name another with --luajit, the restyBuild.luajitPath setting or "luajit.compiler" in resty-build.json';
  if (!resolved && command.includes('/') && fs.existsSync(path.resolve(options.cwd ?? process.cwd(), command))) {
    throw new BuildEnvironmentError(`LuaJIT '${command}' is not an executable file: make it executable (chmod +x) or ${named}.`);
  }
  if (!resolved) {
    throw new BuildEnvironmentError(
      `LuaJIT '${command}' not found${command.includes('/') ? '' : ' on PATH'}: install it (Debian: apt-get install luajit2) or name it with --luajit, the restyBuild.luajitPath setting or "luajit.compiler" in resty-build.json.`,
    );
  }
  const timeoutMs = options.timeoutMs ?? 15_000;
  const v = await runTool(resolved, ['-v'], { timeoutMs, signal: options.signal });
  const versionText = (v.stdout.toString('utf8') + v.stderr).split('\n')[0].trim();
  if (v.timedOut) {
    throw new BuildEnvironmentError(`'${resolved} -v' did not answer within ${timeoutMs / 1000} s and was killed: is it hanging? Check it, or ${named}.`);
  }
  if (v.overflowed) {
    throw new BuildEnvironmentError(`'${resolved} -v' printed more than ${MAX_TOOL_OUTPUT / 1024 / 1024} MB and was killed: it is not LuaJIT; ${named}.`);
  }
  if (v.code !== 0 || !/LuaJIT/i.test(versionText)) {
    throw new BuildEnvironmentError(`'${resolved}' is not LuaJIT: '-v' printed '${versionText.slice(0, 80)}' (exit ${v.code ?? v.signal}); ${named}.`);
  }
  // In '/', not the current folder: '-b' requires jit.bcsave, and LuaJIT's path starts with "./?.lua" (a project's own jit/bcsave.lua).
  const dump = await runTool(resolved, ['-b', '-t', 'raw', '-e', 'return 1', '-'], { timeoutMs, signal: options.signal, cwd: '/' });
  if (dump.overflowed) {
    throw new BuildEnvironmentError(`'${resolved}' printed more than ${MAX_TOOL_OUTPUT / 1024 / 1024} MB for a one-line dump and was killed: it is not LuaJIT; ${named}.`);
  }
  const header = dump.code === 0 ? parseBytecodeHeader(dump.stdout) : undefined;
  if (!header) {
    throw new BuildEnvironmentError(
      `'${resolved}' cannot save bytecode ('-b' failed: ${dump.stderr.trim() || `exit ${dump.code ?? dump.signal}`}); it needs the jit.bcsave library.`,
    );
  }
  return { path: resolved, versionText, header, headerHex: Buffer.from(dump.stdout.subarray(0, 5)).toString('hex') };
}

/**
 * Compares the compiling LuaJIT with the runtime one: a loader rejects a
 * different version byte or a different FR2 flag (lj_bcread.c), and nginx
 * only ever says "module not found". Returns findings on the manifest.
 */
export function compareWithRuntime(manifest: Manifest, compiler: LuaJitInfo, runtime: LuaJitInfo): Finding[] {
  const range = manifest.ranges.get('luajit') ?? rangeOf(0, 0, 0, 0);
  const c = compiler.header;
  const r = runtime.header;
  const problems: string[] = [];
  if (c.version !== r.version) {
    problems.push(`bytecode version ${c.version} vs ${r.version}`);
  }
  if (c.fr2 !== r.fr2) {
    problems.push(`${c.fr2 ? 'GC64' : 'non-GC64'} compiler vs ${r.fr2 ? 'GC64' : 'non-GC64'} runtime`);
  }
  if (c.bigEndian !== r.bigEndian) {
    problems.push('different byte order');
  }
  if ((c.unknownFlags & ~r.unknownFlags) !== 0) {
    problems.push(`compiler sets flags 0x${c.unknownFlags.toString(16)} the runtime does not know`);
  }
  if (problems.length === 0) {
    return [];
  }
  return [
    {
      file: manifest.file,
      range,
      severity: 'error',
      code: 'bytecode-mismatch',
      message:
        `The compiler ${compiler.path} (${compiler.versionText}; ${describeHeader(c)}) writes bytecode the runtime ${runtime.path} ` +
        `(${runtime.versionText}; ${describeHeader(r)}) rejects: ${problems.join(', ')}. nginx will report "module '…' not found" for every embedded module. ` +
        `Compile with a LuaJIT built like the runtime (same version and GC64 setting).`,
    },
  ];
}
