// Runs a built nginx on 127.0.0.1 with a throwaway prefix, and talks HTTP to it.
import { spawn, type ChildProcess } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { get } from 'node:http';
import { connect, createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { waitForFsCondition } from '../fsWait';
import { log } from './proc';

/** A port that was free a moment ago: bind port 0 and let the kernel pick. */
export function findFreePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const address = server.address();
      const port = typeof address === 'object' && address !== null ? address.port : 0;
      server.close(() => (port > 0 ? resolve(port) : reject(new Error('no port from bind(0)'))));
    });
  });
}

export interface StartOptions {
  binary: string;
  /** nginx.conf text placed inside `server { }`: the test's locations. */
  serverConfig: string;
  /** Text for the main context, before `events` (e.g. `load_module`). */
  mainConfig?: string;
  /** How long to wait for the port to accept connections. */
  startTimeoutMs?: number;
}

export interface RunningNginx {
  port: number;
  prefix: string;
  /** Folder on lua_package_path / lua_package_cpath; always empty. */
  emptyLuaDir: string;
  errorLogPath: string;
  errorLog(): string;
  /** Stops the whole process group and removes the prefix; safe to call twice. */
  stop(): Promise<void>;
}

const running = new Set<ChildProcess>();
// Last line of defence if a test process exits without its t.after running.
process.once('exit', () => {
  for (const child of running) {
    killGroup(child, 'SIGKILL');
  }
});

function killGroup(child: ChildProcess, signal: NodeJS.Signals): void {
  if (child.pid === undefined || child.exitCode !== null || child.signalCode !== null) {
    return;
  }
  try {
    process.kill(-child.pid, signal);
  } catch {
    // Already gone.
  }
}

function nginxConf(port: number, emptyLuaDir: string, serverConfig: string, mainConfig = ''): string {
  const asRoot = typeof process.getuid === 'function' && process.getuid() === 0;
  return `${mainConfig ? `${mainConfig}\n` : ''}daemon off;
master_process on;
worker_processes 1;
${asRoot ? 'user root;\n' : ''}pid logs/nginx.pid;
error_log logs/error.log notice;

events {
    worker_connections 64;
}

http {
    access_log off;
    # Nothing may come from .lua or .so files: every module must be embedded bytecode.
    lua_package_path "${emptyLuaDir}/?.lua;${emptyLuaDir}/?/init.lua";
    lua_package_cpath "${emptyLuaDir}/?.so";

    server {
        listen 127.0.0.1:${port};
${serverConfig.replace(/^/gm, '        ')}
    }
}
`;
}

/** Resolves once a TCP connection to the port succeeds. */
function tryConnect(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const socket = connect({ host: '127.0.0.1', port });
    socket.once('connect', () => {
      socket.destroy();
      resolve(true);
    });
    socket.once('error', () => resolve(false));
  });
}

export async function startNginx(options: StartOptions): Promise<RunningNginx> {
  const prefix = mkdtempSync(join(tmpdir(), 'resty-build-nginx-'));
  const emptyLuaDir = join(prefix, 'no-lua-here');
  for (const dir of ['conf', 'logs', 'no-lua-here']) {
    mkdirSync(join(prefix, dir));
  }
  const port = await findFreePort();
  writeFileSync(join(prefix, 'conf', 'nginx.conf'), nginxConf(port, emptyLuaDir, options.serverConfig, options.mainConfig));
  const errorLogPath = join(prefix, 'logs', 'error.log');
  const errorLog = (): string => (existsSync(errorLogPath) ? readFileSync(errorLogPath, 'utf8') : '(no error log)');

  // Own process group, so stop() reaches the master and its workers.
  const child = spawn(options.binary, ['-p', prefix, '-c', 'conf/nginx.conf', '-e', 'logs/error.log'], {
    detached: true,
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  running.add(child);
  let output = '';
  child.stdout?.on('data', (chunk: Buffer) => (output += chunk.toString()));
  child.stderr?.on('data', (chunk: Buffer) => (output += chunk.toString()));
  const exited = new Promise<string>((resolve) => {
    child.once('exit', (code, signal) => resolve(`nginx exited (${signal ?? code})`));
    child.once('error', (error) => resolve(`nginx did not start: ${error.message}`));
  });

  let stopped = false;
  const stop = async (): Promise<void> => {
    if (stopped) {
      return;
    }
    stopped = true;
    const gone = child.exitCode !== null || child.signalCode !== null ? Promise.resolve() : exited.then(() => undefined);
    killGroup(child, 'SIGTERM');
    const timer = setTimeout(() => killGroup(child, 'SIGKILL'), 5000);
    await gone;
    clearTimeout(timer);
    running.delete(child);
    if (process.env.RESTY_BUILD_E2E_KEEP !== '1') {
      rmSync(prefix, { recursive: true, force: true });
    } else {
      log(`kept nginx prefix ${prefix}`);
    }
  };

  const timeoutMs = options.startTimeoutMs ?? 20_000;
  // nginx writes its pid file after it has bound and listened on its sockets: that file is
  // the signal. One connect() then confirms the port answers.
  const pidFile = join(prefix, 'logs', 'nginx.pid');
  let failure = await Promise.race([
    waitForFsCondition(join(prefix, 'logs'), () => existsSync(pidFile), `nginx to write ${pidFile}`, timeoutMs, false).then(
      () => undefined,
      (err: Error) => err.message,
    ),
    exited,
  ]);
  if (failure === undefined && !(await tryConnect(port))) {
    failure = `nginx wrote its pid file but port ${port} refuses connections`;
  }
  if (failure !== undefined) {
    const logText = errorLog();
    await stop();
    throw new Error(`${failure}\n--- nginx output ---\n${output}\n--- error.log ---\n${logText}`);
  }
  return { port, prefix, emptyLuaDir, errorLogPath, errorLog, stop };
}

export interface HttpResponse {
  status: number;
  body: string;
}

export function httpGet(port: number, path: string, timeoutMs = 10_000): Promise<HttpResponse> {
  return new Promise((resolve, reject) => {
    const request = get({ host: '127.0.0.1', port, path, agent: false, timeout: timeoutMs }, (response) => {
      let body = '';
      response.setEncoding('utf8');
      response.on('data', (chunk: string) => (body += chunk));
      response.on('end', () => resolve({ status: response.statusCode ?? 0, body }));
      response.on('error', reject);
    });
    request.on('timeout', () => request.destroy(new Error(`GET ${path} on port ${port} timed out after ${timeoutMs} ms`)));
    request.on('error', reject);
  });
}
