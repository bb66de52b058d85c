import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { isEmbeddableName } from '../core/embed/mapping';
import { runTool } from './tool';

/**
 * The load test: the real nginx binary, started under a throw-away prefix
 * with a minimal configuration whose `lua_package_path` and
 * `lua_package_cpath` name an empty folder, so every module can only come
 * from the embedded bytecode. Its `init_by_lua_block` requires each module
 * under pcall, writes one line per result, and ends the process with
 * `os.exit` before nginx opens a socket or forks. (`nginx -t` does not run
 * init_by_lua, so it cannot be used.) Whatever stops nginx earlier, such as
 * `resty.core` failing at VM start or a `load_module` nginx refuses, is
 * nginx's own message on stderr.
 */

export interface LoadTestOptions {
  binary: string;
  /** Modules to require, in order. */
  modules: readonly string[];
  /** `load_module` files, absolute, in the order of the project's nginx.conf. */
  loadModules: readonly string[];
  /** nginx >= 1.19.5 takes `-e stderr`: no default error log is opened before the configuration is read. */
  errorLogFlag: boolean;
  timeoutMs?: number;
  signal?: AbortSignal;
  env?: NodeJS.ProcessEnv;
  keepPrefix?: boolean;
}

export interface LoadedModule {
  module: string;
  ok: boolean;
  /** nginx's (LuaJIT's) error message when it failed. */
  message?: string;
}

export interface LoadTestResult {
  /** True when the init_by_lua block ran to its end. */
  completed: boolean;
  modules: LoadedModule[];
  /** ngx.config.ngx_lua_version. */
  ngxLuaVersion?: number;
  subsystem?: string;
  /** jit.version, jit.os, jit.arch of the LuaJIT inside the binary. */
  jit?: { version: string; os: string; arch: string };
  /** The first five bytes of a `string.dump` of the binary's LuaJIT, hex. */
  headerHex?: string;
  /** nginx's [emerg]/[alert]/[crit] messages, when it stopped before the block ran. */
  startupErrors: StartupError[];
  /** Everything nginx printed. */
  output: string;
  exitCode: number | null;
  timedOut: boolean;
  aborted: boolean;
  /** The `load_module` lines' numbers in the generated nginx.conf (1-based), by file. */
  loadModuleLines: Map<number, string>;
}

export interface StartupError {
  level: string;
  message: string;
  /** The line of the generated nginx.conf nginx names (` in …/nginx.conf:12`). */
  confLine?: number;
}

/** A Lua long string that cannot end early, for paths. */
function luaLong(text: string): string {
  let level = '';
  while (text.includes(`]${level}]`)) {
    level += '=';
  }
  return `[${level}[${text}]${level}]`;
}

/** A double-quoted nginx.conf argument. */
function confQuote(text: string): string {
  return `"${text.replace(/(["\\$])/g, '\\$1')}"`;
}

export function loadTestConfig(prefix: string, modules: readonly string[], loadModules: readonly string[]): { text: string; loadModuleLines: Map<number, string> } {
  const empty = path.join(prefix, 'no-lua-here');
  const results = path.join(prefix, 'load-test.txt');
  const names = modules.filter(isEmbeddableName).map((m) => `"${m}"`);
  const lines = ['daemon off;', 'master_process off;', 'worker_processes 1;', `pid ${confQuote(path.join(prefix, 'logs', 'nginx.pid'))};`, 'error_log stderr notice;'];
  const loadModuleLines = new Map<number, string>();
  for (const file of loadModules) {
    lines.push(`load_module ${confQuote(file)};`);
    loadModuleLines.set(lines.length, file);
  }
  lines.push(
    'events {',
    '    worker_connections 16;',
    '}',
    'http {',
    '    access_log off;',
    `    lua_package_path ${confQuote(`${empty}/?.lua;${empty}/?/init.lua`)};`,
    `    lua_package_cpath ${confQuote(`${empty}/?.so`)};`,
    '    init_by_lua_block {',
    `        local out = assert(io.open(${luaLong(results)}, "w"))`,
    '        local function put(...)',
    '            local parts = { ... }',
    '            for i = 1, #parts do',
    '                parts[i] = tostring(parts[i]):gsub("\\\\", "\\\\\\\\"):gsub("\\n", "\\\\n"):gsub("\\t", "\\\\t")',
    '            end',
    '            out:write(table.concat(parts, "\\t"), "\\n")',
    '            out:flush()',
    '        end',
    '        put("ngx_lua", ngx.config.ngx_lua_version)',
    '        put("subsystem", ngx.config.subsystem)',
    '        put("jit", jit.version, jit.os, jit.arch)',
    '        local dump = string.dump(function () end)',
    '        put("header", string.format("%02x%02x%02x%02x%02x", dump:byte(1, 5)))',
    `        for _, name in ipairs({ ${names.join(', ')} }) do`,
    '            local ok, err = pcall(require, name)',
    '            if ok then put("ok", name) else put("fail", name, err) end',
    '        end',
    '        put("done")',
    '        out:close()',
    '        os.exit(0)',
    '    }',
    '}',
    '',
  );
  return { text: lines.join('\n'), loadModuleLines };
}

function unescape(field: string): string {
  return field.replace(/\\(\\|n|t)/g, (_, c: string) => (c === 'n' ? '\n' : c === 't' ? '\t' : '\\'));
}

/** Parses what the init block wrote. */
export function parseLoadTestResults(text: string): Pick<LoadTestResult, 'completed' | 'modules' | 'ngxLuaVersion' | 'subsystem' | 'jit' | 'headerHex'> {
  const result: ReturnType<typeof parseLoadTestResults> = { completed: false, modules: [] };
  for (const line of text.split('\n')) {
    const [kind, ...rest] = line.split('\t').map(unescape);
    if (kind === 'ngx_lua') {
      const n = Number(rest[0]);
      result.ngxLuaVersion = Number.isFinite(n) ? n : undefined;
    } else if (kind === 'subsystem') {
      result.subsystem = rest[0];
    } else if (kind === 'jit') {
      result.jit = { version: rest[0] ?? '', os: rest[1] ?? '', arch: rest[2] ?? '' };
    } else if (kind === 'header') {
      result.headerHex = rest[0];
    } else if (kind === 'ok' && rest[0]) {
      result.modules.push({ module: rest[0], ok: true });
    } else if (kind === 'fail' && rest[0]) {
      result.modules.push({ module: rest[0], ok: false, message: rest.slice(1).join('\t') });
    } else if (kind === 'done') {
      result.completed = true;
    }
  }
  return result;
}

/** nginx's own `nginx: [emerg] … in /…/nginx.conf:12` messages; a message may run over several lines. */
export function parseStartupErrors(output: string): StartupError[] {
  const errors: StartupError[] = [];
  const starts = [...output.matchAll(/^(?:nginx: )?(?:\d{4}\/\d\d\/\d\d \d\d:\d\d:\d\d )?\[(emerg|alert|crit)\] (?:\d+#\d+: )?/gm)];
  starts.forEach((m, i) => {
    const from = m.index! + m[0].length;
    const to = i + 1 < starts.length ? starts[i + 1].index! : output.length;
    let message = output.slice(from, to).replace(/\n(nginx: |\d{4}\/\d\d\/\d\d )[^\n]*$/s, '').trimEnd();
    const at = / in (\S+):(\d+)$/.exec(message);
    const confLine = at ? Number(at[2]) : undefined;
    if (at) {
      message = message.slice(0, at.index);
    }
    errors.push({ level: m[1], message, confLine });
  });
  return errors;
}

export async function runLoadTest(options: LoadTestOptions): Promise<LoadTestResult> {
  const prefix = fs.mkdtempSync(path.join(os.tmpdir(), 'resty-build-load-test-'));
  try {
    for (const dir of ['conf', 'logs', 'no-lua-here']) {
      fs.mkdirSync(path.join(prefix, dir));
    }
    const { text, loadModuleLines } = loadTestConfig(prefix, options.modules, options.loadModules);
    fs.writeFileSync(path.join(prefix, 'conf', 'nginx.conf'), text);
    const args = ['-p', `${prefix}/`, '-c', 'conf/nginx.conf', ...(options.errorLogFlag ? ['-e', 'stderr'] : [])];
    const run = await runTool(options.binary, args, { cwd: prefix, env: options.env, timeoutMs: options.timeoutMs ?? 60_000, signal: options.signal });
    const output = (run.stdout.toString('utf8') + run.stderr).trim();
    const resultsFile = path.join(prefix, 'load-test.txt');
    const written = fs.existsSync(resultsFile) ? fs.readFileSync(resultsFile, 'utf8') : '';
    return {
      ...parseLoadTestResults(written),
      startupErrors: parseStartupErrors(output),
      output,
      exitCode: run.code,
      timedOut: run.timedOut,
      aborted: run.aborted,
      loadModuleLines,
    };
  } finally {
    if (!options.keepPrefix) {
      fs.rmSync(prefix, { recursive: true, force: true });
    }
  }
}
