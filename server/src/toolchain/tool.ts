import type { ChildProcess } from 'node:child_process';
import { childProcess } from '../lazyBuiltins';
import * as fs from 'node:fs';
import * as path from 'node:path';

/** The build environment is unusable (a tool is missing, outDir cannot be written): CLI exit code 2. */
export class BuildEnvironmentError extends Error {
  override readonly name = 'BuildEnvironmentError';
}

/** The build was cancelled through its AbortSignal. */
export class BuildCancelledError extends Error {
  override readonly name = 'BuildCancelledError';
  constructor() {
    super('cancelled');
  }
}

export interface ToolResult {
  /** Exit code; null when the process was killed. */
  code: number | null;
  signal: NodeJS.Signals | null;
  stdout: Buffer;
  stderr: string;
  timedOut: boolean;
  aborted: boolean;
  /** The program printed more than MAX_TOOL_OUTPUT and was killed; the output kept is cut there. */
  overflowed: boolean;
}

/** Most a tool may print (stdout and stderr together) before it is killed: a program that prints without end must not exhaust memory. */
export const MAX_TOOL_OUTPUT = 8 * 1024 * 1024;

export interface RunToolOptions {
  cwd?: string;
  env?: NodeJS.ProcessEnv;
  timeoutMs?: number;
  signal?: AbortSignal;
  /** Overrides MAX_TOOL_OUTPUT. */
  maxOutput?: number;
}

/**
 * Runs a program with an argument array (never a shell). The child gets its
 * own process group so a timeout or cancellation kills everything it started:
 * a wrapper script that runs `sleep` would otherwise keep the pipes open.
 * Rejects with BuildEnvironmentError when the program cannot be started.
 */
export function runTool(command: string, args: readonly string[], options: RunToolOptions = {}): Promise<ToolResult> {
  return new Promise((resolve, reject) => {
    if (options.signal?.aborted) {
      resolve({ code: null, signal: null, stdout: Buffer.alloc(0), stderr: '', timedOut: false, aborted: true, overflowed: false });
      return;
    }
    const child = childProcess().spawn(command, args, {
      cwd: options.cwd,
      env: options.env ?? process.env,
      stdio: ['ignore', 'pipe', 'pipe'],
      detached: process.platform !== 'win32',
    });
    const out: Buffer[] = [];
    const err: Buffer[] = [];
    let timedOut = false;
    let aborted = false;
    let overflowed = false;
    let printed = 0;
    const maxOutput = options.maxOutput ?? MAX_TOOL_OUTPUT;
    let settled = false;
    const kill = () => {
      killProcessTree(child);
    };
    const timer = options.timeoutMs !== undefined ? setTimeout(() => ((timedOut = true), kill()), options.timeoutMs) : undefined;
    const onAbort = () => ((aborted = true), kill());
    options.signal?.addEventListener('abort', onAbort, { once: true });
    const cleanup = () => {
      if (timer) {
        clearTimeout(timer);
      }
      options.signal?.removeEventListener('abort', onAbort);
    };
    const collect = (into: Buffer[]) => (b: Buffer) => {
      if (overflowed) {
        return;
      }
      printed += b.length;
      if (printed > maxOutput) {
        overflowed = true;
        into.push(b.subarray(0, Math.max(0, b.length - (printed - maxOutput))));
        kill();
        return;
      }
      into.push(b);
    };
    child.stdout.on('data', collect(out));
    child.stderr.on('data', collect(err));
    child.on('error', (e: NodeJS.ErrnoException) => {
      cleanup();
      if (!settled) {
        settled = true;
        const why = e.code === 'ENOENT' ? 'not found' : e.code === 'EACCES' ? 'not executable' : e.message;
        reject(new BuildEnvironmentError(`cannot run '${command}': ${why}`));
      }
    });
    child.on('close', (code, signal) => {
      cleanup();
      if (!settled) {
        settled = true;
        resolve({ code, signal, stdout: Buffer.concat(out), stderr: Buffer.concat(err).toString('utf8'), timedOut, aborted, overflowed });
      }
    });
  });
}

/** Finds a program the way a shell would: a name with a slash is a path, else each PATH entry is tried. */
/** Kills a child started in its own process group, and everything it started. */
export function killProcessTree(child: ChildProcess): void {
  if (child.pid === undefined) {
    return;
  }
  try {
    if (process.platform !== 'win32') {
      process.kill(-child.pid, 'SIGKILL');
    } else {
      child.kill('SIGKILL');
    }
  } catch {
    // Already gone.
  }
}

export function findExecutable(name: string, env: NodeJS.ProcessEnv = process.env, cwd = process.cwd()): string | undefined {
  const executable = (file: string) => {
    try {
      fs.accessSync(file, fs.constants.X_OK);
      return fs.statSync(file).isFile();
    } catch {
      return false;
    }
  };
  if (name.includes('/')) {
    const file = path.resolve(cwd, name);
    return executable(file) ? file : undefined;
  }
  for (const dir of (env.PATH ?? '').split(path.delimiter)) {
    if (dir) {
      const file = path.join(dir, name);
      if (executable(file)) {
        return file;
      }
    }
  }
  return undefined;
}

/** Runs jobs with at most `limit` in flight; stops starting new ones once the signal aborts. */
export async function runPool<T>(items: readonly T[], limit: number, job: (item: T) => Promise<void>, signal?: AbortSignal): Promise<void> {
  let next = 0;
  const worker = async () => {
    while (next < items.length && !signal?.aborted) {
      const item = items[next++];
      await job(item);
    }
  };
  await Promise.all(Array.from({ length: Math.max(1, Math.min(limit, items.length)) }, worker));
}
