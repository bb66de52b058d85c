// Configure + compile nginx once per (sources, configure args), then relink
// the cached tree for every set of bytecode objects.
//
// The bytecode objects only reach the final link: nginx's auto/make puts
// --with-ld-opt right after the last object of the `objs/nginx` target and
// before CORE_LIBS. So the cached tree is configured with --with-ld-opt minus
// the link inputs (objects, archives), and each test reruns that one link
// command with its own inputs spliced in and its own output file. Relinking
// never writes into the shared tree, so parallel test files can share it.
import { spawnSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { existsSync, mkdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { cpus } from 'node:os';
import { dirname, join } from 'node:path';
import { log, run, seconds, step, withLock } from './proc';
import { cacheRoot, type NginxSources } from './sources';

/** Bump when the way the tree is built changes, so old cached trees are not reused. */
const RECIPE_VERSION = 2;

/**
 * The harness's own configure args: a small module set to keep the build
 * fast. Rewrite stays (ngx_devel_kit needs it, and so PCRE); `--without-pcre2`
 * because nginx 1.22 prefers PCRE2 when its headers exist and
 * lua-nginx-module 0.10.23 does not support it (DOMAIN 3).
 */
export const HARNESS_CONFIGURE_ARGS: readonly string[] = [
  '--without-pcre2',
  '--without-http_gzip_module',
  '--without-http_ssi_module',
  '--without-http_userid_module',
  '--without-http_access_module',
  '--without-http_auth_basic_module',
  '--without-http_mirror_module',
  '--without-http_autoindex_module',
  '--without-http_geo_module',
  '--without-http_map_module',
  '--without-http_split_clients_module',
  '--without-http_referer_module',
  '--without-http_proxy_module',
  '--without-http_fastcgi_module',
  '--without-http_uwsgi_module',
  '--without-http_scgi_module',
  '--without-http_grpc_module',
  '--without-http_memcached_module',
  '--without-http_limit_conn_module',
  '--without-http_limit_req_module',
  '--without-http_empty_gif_module',
  '--without-http_browser_module',
  '--without-http_upstream_hash_module',
  '--without-http_upstream_ip_hash_module',
  '--without-http_upstream_least_conn_module',
  '--without-http_upstream_random_module',
  '--without-http_upstream_keepalive_module',
  '--without-http_upstream_zone_module',
];

export interface LuajitPaths {
  /** Folder holding luajit.h, for LUAJIT_INC. */
  inc: string;
  /** Folder holding libluajit-5.1.so, for LUAJIT_LIB. */
  lib: string;
  /** libluajit2-5.1-dev's version: new headers must rebuild. */
  version: string;
}

/** Finds the headers and library of libluajit2-5.1-dev from its file list (dpkg -L). */
export function findLuajit(pkg = 'libluajit2-5.1-dev'): LuajitPaths {
  const files = spawnSync('dpkg', ['-L', pkg], { encoding: 'utf8' });
  const version = spawnSync('dpkg-query', ['-W', '-f=${Version}', pkg], { encoding: 'utf8' });
  if (files.status !== 0 || version.status !== 0) {
    throw new Error(`${pkg} is not installed (dpkg -L ${pkg}: ${files.stderr.trim()})`);
  }
  const list = files.stdout.split('\n');
  const header = list.find((f) => f.endsWith('/luajit.h'));
  const library = list.find((f) => f.endsWith('/libluajit-5.1.so'));
  if (header === undefined || library === undefined) {
    throw new Error(`${pkg} has no luajit.h or libluajit-5.1.so in dpkg -L`);
  }
  return { inc: dirname(header), lib: dirname(library), version: version.stdout.trim() };
}

export interface SplitConfigureArgs {
  /** What configures and compiles the cached tree (the cache key). */
  compileArgs: string[];
  /** What only the final link needs: object files, archives and their -L/-l. */
  linkInputs: string[];
}

const LD_OPT = '--with-ld-opt=';

/**
 * Splits --with-ld-opt into link inputs (object and archive paths, a
 * `--whole-archive … --no-whole-archive` group and the `-L` right before it)
 * and the rest (`-Wl,-E`, `-Wl,-z,relro`, …), which stays in the configure
 * args: those flags matter to configure's own link tests.
 */
export function splitLinkInputs(configureArgs: readonly string[]): SplitConfigureArgs {
  const compileArgs: string[] = [];
  const kept: string[] = [];
  const linkInputs: string[] = [];
  for (const arg of configureArgs) {
    if (!arg.startsWith(LD_OPT)) {
      if (!compileArgs.includes(arg)) {
        compileArgs.push(arg);
      }
      continue;
    }
    const value = arg.slice(LD_OPT.length);
    if (/["'\\]/.test(value)) {
      throw new Error(`--with-ld-opt with quotes or backslashes is not supported by the harness: ${value}`);
    }
    const tokens = value.split(/\s+/).filter(Boolean);
    let inGroup = false;
    tokens.forEach((token, i) => {
      if (token === '-Wl,--whole-archive') {
        inGroup = true;
      }
      const isInput =
        inGroup ||
        /\.(o|a)$/.test(token) ||
        (token.startsWith('-L') && tokens[i + 1] === '-Wl,--whole-archive');
      (isInput ? linkInputs : kept).push(token);
      if (token === '-Wl,--no-whole-archive') {
        inGroup = false;
      }
    });
  }
  if (kept.length > 0) {
    compileArgs.push(LD_OPT + kept.join(' '));
  }
  return { compileArgs, linkInputs };
}

export interface NginxTree {
  /** The configured and compiled nginx source tree (objs/ inside). */
  dir: string;
  key: string;
  /** The full ./configure argument list the tree was built with. */
  configureArgs: string[];
  /** False when the tree came from the cache. */
  compiled: boolean;
}

function packageVersion(pkg: string): string {
  return spawnSync('dpkg-query', ['-W', '-f=${Version}', pkg], { encoding: 'utf8' }).stdout.trim();
}

function ccVersion(): string {
  const result = spawnSync('cc', ['--version'], { encoding: 'utf8' });
  return result.stdout.split('\n')[0] ?? '';
}

/**
 * Identifies this test run: node:test runs each file in a child of one runner
 * process, so the runner's pid and start time are shared by all files of a run.
 */
function testRunId(): string {
  let started = '';
  try {
    // Field 22 of /proc/<pid>/stat is the start time; it tells a reused pid apart.
    started = readFileSync(`/proc/${process.ppid}/stat`, 'utf8').split(') ')[1]?.split(' ')[19] ?? '';
  } catch {
    // No /proc: the pid alone will do.
  }
  return `${process.ppid}:${started}`;
}

/**
 * Returns the configured and compiled tree for these args, building it if
 * the cache has none. RESTY_BUILD_E2E_REBUILD=1 rebuilds the tree once per
 * test run (not once per test file): the marker records which run built it.
 */
export async function prepareNginxTree(sources: NginxSources, compileArgs: readonly string[]): Promise<NginxTree> {
  const luajit = findLuajit();
  const configureArgs = [
    ...HARNESS_CONFIGURE_ARGS,
    ...compileArgs.filter((arg) => !HARNESS_CONFIGURE_ARGS.includes(arg)),
    // ngx_devel_kit first: lua-nginx-module's config looks for it.
    `--add-module=${sources.ndkDir}`,
    `--add-module=${sources.luaDir}`,
  ];
  const keyMaterial = {
    recipe: RECIPE_VERSION,
    sources: sources.versions,
    configureArgs,
    luajit,
    pcre: packageVersion('libpcre3-dev'),
    cc: ccVersion(),
  };
  const key = createHash('sha256').update(JSON.stringify(keyMaterial)).digest('hex').slice(0, 16);
  const buildRoot = join(cacheRoot(), 'build', key);
  const dir = join(buildRoot, 'nginx');
  const marker = join(buildRoot, 'complete.json');
  const tree: NginxTree = { dir, key, configureArgs, compiled: false };
  const runId = testRunId();
  const forced = process.env.RESTY_BUILD_E2E_REBUILD === '1';
  const fresh = (): boolean =>
    existsSync(marker) && (!forced || (JSON.parse(readFileSync(marker, 'utf8')) as { builtByRun?: string }).builtByRun === runId);
  if (fresh()) {
    log(`nginx tree cached: ${buildRoot}`);
    return tree;
  }
  mkdirSync(join(cacheRoot(), 'build'), { recursive: true });
  return withLock(join(cacheRoot(), 'build', `${key}.lock`), 20 * 60_000, async () => {
    if (fresh()) {
      log(`nginx tree built by a parallel test file: ${buildRoot}`);
      return tree;
    }
    const started = performance.now();
    rmSync(buildRoot, { recursive: true, force: true });
    mkdirSync(buildRoot, { recursive: true });
    await run('cp', ['-a', sources.nginxDir, dir]);
    const env = { ...process.env, LUAJIT_INC: luajit.inc, LUAJIT_LIB: luajit.lib };
    log(`LUAJIT_INC=${luajit.inc} LUAJIT_LIB=${luajit.lib}`);
    log(`./configure ${configureArgs.join(' ')}`);
    const configured = await step('configure nginx', () => run('./configure', configureArgs, { cwd: dir, env }));
    writeFileSync(join(buildRoot, 'configure.log'), configured.stdout + configured.stderr);
    const jobs = String(Math.max(1, cpus().length));
    const made = await step(`make -j${jobs}`, () => run('make', [`-j${jobs}`], { cwd: dir, env }));
    writeFileSync(join(buildRoot, 'make.log'), made.stdout + made.stderr);
    writeFileSync(marker, JSON.stringify({ ...keyMaterial, builtByRun: runId }, null, 2) + '\n');
    log(`nginx tree built in ${seconds(started)}: ${buildRoot}`);
    return { ...tree, compiled: true };
  });
}

/** The `$(LINK) -o objs/nginx …` recipe of objs/Makefile, variables expanded, as an argument list. */
export function readLinkCommand(makefile: string): string[] {
  const lines = makefile.split('\n');
  const vars = new Map<string, string>();
  for (const line of lines) {
    const match = /^([A-Z_]+)\s*=\s*(.*)$/.exec(line);
    if (match && !vars.has(match[1])) {
      vars.set(match[1], match[2].trim());
    }
  }
  const target = lines.findIndex((line) => line.startsWith('objs/nginx:'));
  if (target < 0) {
    throw new Error('objs/Makefile has no objs/nginx target');
  }
  let start = target + 1;
  while (start < lines.length && !lines[start].includes('$(LINK)')) {
    start++;
  }
  const recipe: string[] = [];
  for (let i = start; i < lines.length; i++) {
    recipe.push(lines[i].replace(/\\$/, ''));
    if (!lines[i].endsWith('\\')) {
      break;
    }
  }
  let command = recipe.join(' ');
  for (let depth = 0; /\$\(([A-Z_]+)\)/.test(command); depth++) {
    if (depth > 10) {
      throw new Error(`cannot expand the link command of objs/Makefile: ${command}`);
    }
    command = command.replace(/\$\(([A-Z_]+)\)/g, (_, name: string) => vars.get(name) ?? '');
  }
  return command.split(/\s+/).filter(Boolean);
}

export interface LinkedNginx {
  binary: string;
  /** The exact argument list of the link (argv[0] is the compiler driver). */
  linkCommand: string[];
}

export interface LinkOptions {
  /** Arguments to drop from the Makefile's link command, e.g. `-Wl,-E` to show why it is needed. */
  withoutArgs?: readonly string[];
}

/** Relinks the cached tree's objects plus `linkInputs` into `output`. */
export async function linkNginx(
  tree: NginxTree,
  linkInputs: readonly string[],
  output: string,
  options: LinkOptions = {},
): Promise<LinkedNginx> {
  const base = readLinkCommand(readFileSync(join(tree.dir, 'objs', 'Makefile'), 'utf8')).filter(
    (arg) => !(options.withoutArgs ?? []).includes(arg),
  );
  const outIndex = base.indexOf('-o');
  if (outIndex < 0 || base[outIndex + 1] !== 'objs/nginx') {
    throw new Error(`unexpected link command in objs/Makefile: ${base.join(' ')}`);
  }
  let lastObject = -1;
  base.forEach((token, i) => {
    if (token.startsWith('objs/') && token.endsWith('.o')) {
      lastObject = i;
    }
  });
  const linkCommand = [
    ...base.slice(0, outIndex + 1),
    output,
    ...base.slice(outIndex + 2, lastObject + 1),
    ...linkInputs,
    ...base.slice(lastObject + 1),
  ];
  mkdirSync(dirname(output), { recursive: true });
  await step(`relink nginx with ${linkInputs.length} link inputs`, () =>
    run(linkCommand[0], linkCommand.slice(1), { cwd: tree.dir }),
  );
  return { binary: output, linkCommand };
}
