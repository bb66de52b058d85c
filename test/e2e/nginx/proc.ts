// Process helpers for the nginx e2e harness: run a command from an argument
// array (never a shell string), time a step, and hold a cross-process lock.
import { spawn, spawnSync } from 'node:child_process';

export type Log = (line: string) => void;

/** Progress goes to stderr so it shows next to node:test's report without disturbing it. */
export const log: Log = (line) => {
  process.stderr.write(`[nginx-e2e] ${line}\n`);
};

export interface RunOptions {
  cwd?: string;
  env?: NodeJS.ProcessEnv;
  /** Kill the command after this long; every command here is bounded. */
  timeoutMs?: number;
  /** Exit codes that are not an error (default: only 0). */
  okCodes?: number[];
}

export interface RunResult {
  code: number;
  stdout: string;
  stderr: string;
}

function tail(text: string, lines = 40): string {
  return text.trimEnd().split('\n').slice(-lines).join('\n');
}

export function run(cmd: string, args: readonly string[], options: RunOptions = {}): Promise<RunResult> {
  const timeoutMs = options.timeoutMs ?? 10 * 60_000;
  const okCodes = options.okCodes ?? [0];
  return new Promise((resolve, reject) => {
    const child = spawn(cmd, args, { cwd: options.cwd, env: options.env ?? process.env, stdio: ['ignore', 'pipe', 'pipe'] });
    const out: Buffer[] = [];
    const err: Buffer[] = [];
    child.stdout.on('data', (chunk: Buffer) => out.push(chunk));
    child.stderr.on('data', (chunk: Buffer) => err.push(chunk));
    const timer = setTimeout(() => child.kill('SIGKILL'), timeoutMs);
    child.on('error', (error) => {
      clearTimeout(timer);
      reject(new Error(`cannot run ${cmd}: ${error.message}`));
    });
    child.on('close', (code, signal) => {
      clearTimeout(timer);
      const result = { code: code ?? -1, stdout: Buffer.concat(out).toString(), stderr: Buffer.concat(err).toString() };
      if (signal !== null || !okCodes.includes(result.code)) {
        const why = signal !== null ? `killed by ${signal}${signal === 'SIGKILL' ? ` (timeout ${timeoutMs} ms?)` : ''}` : `exit ${result.code}`;
        reject(
          new Error(
            `${cmd} ${args.join(' ')} failed (${why})${options.cwd ? ` in ${options.cwd}` : ''}\n` +
              `--- stderr ---\n${tail(result.stderr)}\n--- stdout ---\n${tail(result.stdout)}`,
          ),
        );
        return;
      }
      resolve(result);
    });
  });
}

/** Whether an executable is on PATH. */
export function haveCommand(name: string): boolean {
  return spawnSync('sh', ['-c', 'command -v "$1"', 'sh', name], { stdio: 'ignore' }).status === 0;
}

/** Runs `fn` as a named step and prints how long it took. */
export async function step<T>(label: string, fn: () => Promise<T>): Promise<T> {
  const started = performance.now();
  log(`${label} ...`);
  try {
    const value = await fn();
    log(`${label}: done in ${seconds(started)}`);
    return value;
  } catch (error) {
    log(`${label}: FAILED after ${seconds(started)}`);
    throw error;
  }
}

export function seconds(startedAt: number): string {
  return `${((performance.now() - startedAt) / 1000).toFixed(1)} s`;
}

/**
 * Runs `fn` while holding an exclusive flock(1) on `lockFile`.
 *
 * node:test runs test files in parallel processes, and they share one cache.
 * `flock FILE cat` takes the lock and then echoes what we write: the echo is
 * the signal that the lock is ours. Closing stdin ends `cat` and releases the
 * lock; if this process dies the pipe closes and the kernel releases it too,
 * so there is no stale lock to clean up.
 */
export async function withLock<T>(lockFile: string, timeoutMs: number, fn: () => Promise<T>): Promise<T> {
  const holder = spawn('flock', ['--exclusive', lockFile, 'cat'], { stdio: ['pipe', 'pipe', 'pipe'] });
  const started = performance.now();
  await new Promise<void>((resolve, reject) => {
    let stderr = '';
    const timer = setTimeout(() => {
      holder.kill('SIGKILL');
      reject(new Error(`waited ${timeoutMs} ms for the lock ${lockFile}; another test run holds it`));
    }, timeoutMs);
    holder.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
    holder.stdout.once('data', () => {
      clearTimeout(timer);
      resolve();
    });
    holder.once('error', (error) => {
      clearTimeout(timer);
      reject(new Error(`cannot run flock for ${lockFile}: ${error.message}`));
    });
    holder.once('exit', (code) => {
      clearTimeout(timer);
      reject(new Error(`flock on ${lockFile} exited (${code}) before taking the lock: ${stderr.trim()}`));
    });
    holder.stdin.write('locked\n');
  });
  const waited = performance.now() - started;
  if (waited > 1000) {
    log(`waited ${seconds(started)} for the cache lock`);
  }
  holder.removeAllListeners('exit');
  try {
    return await fn();
  } finally {
    const exited = new Promise<void>((resolve) => holder.once('close', () => resolve()));
    holder.stdin.end();
    await exited;
  }
}
