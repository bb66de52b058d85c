import { ChildProcessWithoutNullStreams, spawn } from 'node:child_process';
import { killProcessTree } from './tool';

/**
 * `luajit -b …` is `require("jit.bcsave").start(…)` (luajit.c, dobytecode),
 * so a LuaJIT process can run many compiles: this driver reads one job per
 * line (arguments hex-encoded) and answers `ok` or `err <hex message>`.
 * bcsave reports errors by writing to io.stderr and calling os.exit(1); both
 * are caught here so one bad file does not end the process. Starting a
 * process per module from Node costs more than the compile itself.
 * The process runs in the project folder (the sources are named relative to
 * it) and LuaJIT's default path starts with "./?.lua" (its cpath with
 * "./?.so"): jit.bcsave is looked up on the absolute templates only, so a
 * project's own jit/bcsave.lua (or jit/bcsave.so) is never run in its place.
 */
export const BCSAVE_DRIVER = `
local function absolute(templates)
  local kept = {}
  for t in templates:gmatch("[^;]+") do
    if t:sub(1, 1) == "/" then kept[#kept + 1] = t end
  end
  return table.concat(kept, ";")
end
package.path, package.cpath = absolute(package.path), absolute(package.cpath)
local bcsave = require("jit.bcsave")
local EXIT = {}
local msg
io.stderr = { write = function(self, ...)
  for i = 1, select("#", ...) do msg[#msg + 1] = tostring((select(i, ...))) end
  return self
end }
os.exit = function() error(EXIT, 0) end
local function unhex(s) return (s:gsub("%x%x", function(h) return string.char(tonumber(h, 16)) end)) end
local function hex(s) return (s:gsub(".", function(c) return string.format("%02x", c:byte()) end)) end
local out = io.stdout
for line in io.stdin:lines() do
  local args = {}
  for w in line:gmatch("x(%x*)") do args[#args + 1] = unhex(w) end
  msg = {}
  local ok, err = pcall(bcsave.start, unpack(args))
  if ok then
    out:write("ok\\n")
  else
    if err ~= EXIT then msg[#msg + 1] = "luajit: " .. tostring(err) end
    out:write("err ", hex(table.concat(msg)), "\\n")
  end
  out:flush()
end
`;

/** Longest answer line the driver can write (an error message, hex-encoded), with room to spare. */
const MAX_ANSWER = 1024 * 1024;

export type WorkerOutcome =
  | { kind: 'ok' }
  | { kind: 'error'; stderr: string }
  | { kind: 'timeout' }
  | { kind: 'aborted' }
  /** The program answered something that is not the driver's protocol (not a LuaJIT running it). */
  | { kind: 'garbage'; output: string }
  | { kind: 'died'; code: number | null; signal: NodeJS.Signals | null; stderr: string };

/** One answer line of the driver; anything else means the program is not running our driver. */
function parseAnswer(line: string): WorkerOutcome {
  if (line === 'ok') {
    return { kind: 'ok' };
  }
  const m = /^err ?((?:[0-9a-f]{2})*)$/.exec(line);
  if (m) {
    return { kind: 'error', stderr: Buffer.from(m[1], 'hex').toString('utf8') };
  }
  return { kind: 'garbage', output: line.slice(0, 120) };
}

/**
 * One long-lived LuaJIT running the driver; one job at a time. A job that
 * runs past its timeout, or a cancellation, kills the process (and its
 * process group); the next job starts a fresh one.
 */
export class CompilerWorker {
  private child?: ChildProcessWithoutNullStreams;
  private buffer = '';
  private stderr = '';
  /** The job in flight, bound to the process running it: a killed process's late events must not settle the next job. */
  private pending?: { child: ChildProcessWithoutNullStreams; resolve: (outcome: WorkerOutcome) => void };

  constructor(
    private readonly compiler: string,
    private readonly cwd: string,
  ) {}

  private start(): ChildProcessWithoutNullStreams {
    const child = spawn(this.compiler, ['-e', BCSAVE_DRIVER], { cwd: this.cwd, stdio: ['pipe', 'pipe', 'pipe'], detached: process.platform !== 'win32' });
    this.buffer = '';
    this.stderr = '';
    child.stdout.setEncoding('utf8');
    child.stdout.on('data', (chunk: string) => {
      this.buffer += chunk;
      if (this.buffer.length > MAX_ANSWER && !this.buffer.includes('\n')) {
        // The driver answers a short line per job: this is something else printing without end.
        const output = `${this.buffer.slice(0, 120)}… (more than ${MAX_ANSWER} bytes without a line end; killed)`;
        this.buffer = '';
        this.settle(child, { kind: 'garbage', output });
        killProcessTree(child);
        return;
      }
      let nl: number;
      while ((nl = this.buffer.indexOf('\n')) >= 0) {
        const line = this.buffer.slice(0, nl);
        this.buffer = this.buffer.slice(nl + 1);
        this.settle(child, parseAnswer(line));
      }
    });
    child.stderr.setEncoding('utf8');
    child.stderr.on('data', (chunk: string) => {
      this.stderr = (this.stderr + chunk).slice(-4000);
    });
    child.stdin.on('error', () => {
      // The process died; its 'close' event reports it.
    });
    const onGone = (code: number | null, signal: NodeJS.Signals | null) => {
      if (this.child === child) {
        this.child = undefined;
      }
      this.settle(child, { kind: 'died', code, signal, stderr: this.stderr.trim() });
    };
    child.on('close', onGone);
    child.on('error', () => onGone(null, null));
    this.child = child;
    return child;
  }

  private settle(child: ChildProcessWithoutNullStreams, outcome: WorkerOutcome): void {
    const pending = this.pending;
    if (pending?.child === child) {
      this.pending = undefined;
      pending.resolve(outcome);
    }
  }

  /** Runs `luajit -b <args>` in the worker. */
  compile(args: readonly string[], timeoutMs: number, signal?: AbortSignal): Promise<WorkerOutcome> {
    if (signal?.aborted) {
      return Promise.resolve({ kind: 'aborted' });
    }
    const child = this.child ?? this.start();
    return new Promise((resolve) => {
      let override: WorkerOutcome | undefined;
      const timer = setTimeout(() => {
        override = { kind: 'timeout' };
        this.kill();
      }, timeoutMs);
      const onAbort = () => {
        override = { kind: 'aborted' };
        this.kill();
      };
      signal?.addEventListener('abort', onAbort, { once: true });
      this.pending = {
        child,
        resolve: (outcome) => {
          clearTimeout(timer);
          signal?.removeEventListener('abort', onAbort);
          resolve(override ?? outcome);
        },
      };
      child.stdin.write(args.map((a) => 'x' + Buffer.from(a, 'utf8').toString('hex')).join(' ') + '\n');
    });
  }

  /** Kills the process and everything it started. */
  kill(): void {
    const child = this.child;
    this.child = undefined;
    if (child) {
      killProcessTree(child);
    }
  }

  /** Ends the worker: closing stdin ends the driver's loop. */
  close(): void {
    this.child?.stdin.end();
    this.child = undefined;
  }
}
