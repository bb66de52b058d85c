import { spawnSync } from 'node:child_process';

/** The real LuaJIT, the judge for the OpenResty profile (Debian's luajit2 in CI). */
export const LUAJIT = process.env.LUAJIT ?? 'luajit';

export function luajitAvailable(): boolean {
  return spawnSync(LUAJIT, ['-v'], { encoding: 'utf8' }).status === 0;
}

export interface LuajitRun {
  status: number | null;
  stdout: string;
  stderr: string;
}

/** Runs luajit with exactly the given environment (LUA_PATH etc.), never the caller's. */
export function runLuajit(args: string[], options: { cwd?: string; env?: Record<string, string>; input?: string } = {}): LuajitRun {
  const result = spawnSync(LUAJIT, args, {
    cwd: options.cwd,
    input: options.input,
    env: { PATH: process.env.PATH ?? '/usr/bin:/bin', ...options.env },
    encoding: 'utf8',
    timeout: 10_000,
  });
  return { status: result.status, stdout: result.stdout, stderr: result.stderr };
}

/** The `no field …` / `no file …` lines of a "module 'x' not found" error, in order. */
export function notFoundTrail(stderr: string): string[] {
  return stderr
    .split('\n')
    .filter((l) => l.startsWith('\tno '))
    .map((l) => l.slice(1));
}

/** A `before` hook: the real luajit is required (CI installs Debian's luajit2); its absence fails with the fix. */
export function requireLuajit(): void {
  if (!luajitAvailable()) {
    throw new Error(`'${LUAJIT}' is not installed: apt-get install luajit2 (.ci/run does), or set LUAJIT to its path`);
  }
}
