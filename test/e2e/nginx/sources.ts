// Host prerequisites and Debian source packages for the nginx e2e build.
//
// Sources come from Debian's own packages through `apt-get source`, run with
// an apt state of the harness's own (lists, cache, source list) under the
// cache folder; the machine's apt configuration is never changed.
import { spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, readFileSync, readdirSync, renameSync, rmSync, writeFileSync } from 'node:fs';
import { homedir } from 'node:os';
import { join } from 'node:path';
import { createHash } from 'node:crypto';
import { haveCommand, log, run, step, withLock } from './proc';

/** Debian packages the build and the tests need on the host. */
export const HOST_PACKAGES = [
  'dpkg-dev', // dpkg-source
  'build-essential', // cc, make, ar
  'libpcre3-dev', // ngx_devel_kit needs the rewrite module, so PCRE (not PCRE2, see --without-pcre2)
  'libluajit2-5.1-dev', // LUAJIT_INC / LUAJIT_LIB: OpenResty's LuaJIT branch, what lua-nginx-module expects
  'luajit2', // the compiler of the bytecode objects must match the runtime LuaJIT (DOMAIN 4)
  'lua-resty-core', // required at VM start by ngx_lua >= 0.10.16
  'lua-resty-lrucache', // required by resty.core.regex
] as const;

/** The three Debian source packages, and the folder each is unpacked into. */
export const SOURCE_PACKAGES = {
  nginx: 'nginx',
  'libnginx-mod-http-ndk': 'ngx_devel_kit',
  'libnginx-mod-http-lua': 'lua-nginx-module',
} as const;

export function cacheRoot(): string {
  const base = process.env.XDG_CACHE_HOME || join(homedir(), '.cache');
  return join(base, 'resty-build', 'nginx-e2e');
}

function isRoot(): boolean {
  return typeof process.getuid === 'function' && process.getuid() === 0;
}

function installedVersion(pkg: string): string | undefined {
  const result = spawnSync('dpkg-query', ['-W', '-f=${Status}\t${Version}', pkg], { encoding: 'utf8' });
  if (result.status !== 0) {
    return undefined;
  }
  const [status, version] = result.stdout.split('\t');
  return status === 'install ok installed' ? version : undefined;
}

export function missingHostPackages(): string[] {
  return HOST_PACKAGES.filter((pkg) => installedVersion(pkg) === undefined);
}

/**
 * Why this machine cannot run the suite, in one line; undefined when it can.
 * Cheap and offline: it does not check that the archive is reachable.
 */
export function nginxE2eUnavailableReason(): string | undefined {
  if (process.platform !== 'linux') {
    return `needs Debian Linux, this is ${process.platform}`;
  }
  if (!existsSync('/etc/debian_version')) {
    return 'needs a Debian system (no /etc/debian_version)';
  }
  for (const tool of ['apt-get', 'dpkg-query', 'flock']) {
    if (!haveCommand(tool)) {
      return `needs ${tool}, not found on PATH`;
    }
  }
  const missing = missingHostPackages();
  if (missing.length > 0 && !isRoot()) {
    return `needs the Debian packages ${missing.join(', ')} and is not root to install them`;
  }
  return undefined;
}

/** Installs missing host packages (root only; the capability check skips otherwise). */
export async function ensureHostPackages(): Promise<void> {
  const missing = missingHostPackages();
  if (missing.length === 0) {
    return;
  }
  mkdirSync(cacheRoot(), { recursive: true });
  await withLock(join(cacheRoot(), 'apt-install.lock'), 15 * 60_000, async () => {
    const still = missingHostPackages();
    if (still.length === 0) {
      return;
    }
    const env = { ...process.env, DEBIAN_FRONTEND: 'noninteractive' };
    // Another apt run on the machine holds the dpkg lock for a while: wait for it rather than fail.
    const install = ['-o', 'DPkg::Lock::Timeout=300', 'install', '-y', '--no-install-recommends', ...still];
    await step(`apt-get install ${still.join(' ')}`, async () => {
      try {
        await run('apt-get', install, { env });
      } catch {
        // A fresh image often has no package lists yet.
        await run('apt-get', ['update'], { env });
        await run('apt-get', install, { env });
      }
    });
  });
}

interface SourceEntry {
  uris: string[];
  suites: string[];
  components: string[];
  signedBy?: string;
}

/** Only Debian's archive is sure to publish Sources indexes; a third-party repo would fail `apt-get update`. */
function isDebianArchive(entry: SourceEntry): boolean {
  return (
    entry.uris.some((uri) => /^https?:\/\/[^/]*debian\.org\//.test(uri)) ||
    (entry.signedBy ?? '').includes('debian-archive-keyring')
  );
}

function parseDeb822(text: string): SourceEntry[] {
  const entries: SourceEntry[] = [];
  for (const stanza of text.split(/\n\s*\n/)) {
    const fields = new Map<string, string>();
    let last: string | undefined;
    for (const line of stanza.split('\n')) {
      if (line.startsWith('#') || line.trim() === '') {
        continue;
      }
      if (/^\s/.test(line) && last !== undefined) {
        fields.set(last, `${fields.get(last)} ${line.trim()}`);
        continue;
      }
      const match = /^([A-Za-z-]+):\s*(.*)$/.exec(line);
      if (match) {
        last = match[1].toLowerCase();
        fields.set(last, match[2].trim());
      }
    }
    const types = (fields.get('types') ?? '').split(/\s+/);
    if (!types.includes('deb') || fields.get('enabled') === 'no') {
      continue;
    }
    const words = (key: string) => (fields.get(key) ?? '').split(/\s+/).filter(Boolean);
    entries.push({ uris: words('uris'), suites: words('suites'), components: words('components'), signedBy: fields.get('signed-by') });
  }
  return entries;
}

function parseOneLine(text: string): SourceEntry[] {
  const entries: SourceEntry[] = [];
  for (const raw of text.split('\n')) {
    const line = raw.replace(/#.*/, '').trim();
    const match = /^deb\s+(?:\[([^\]]*)\]\s+)?(\S+)\s+(\S+)\s*(.*)$/.exec(line);
    if (!match) {
      continue;
    }
    const signedBy = /signed-by=(\S+)/.exec(match[1] ?? '')?.[1];
    entries.push({ uris: [match[2]], suites: [match[3]], components: match[4].split(/\s+/).filter(Boolean), signedBy });
  }
  return entries;
}

/** The machine's `deb` entries for Debian's archive, as one-line `deb-src` entries. */
export function debSrcListFromMachine(etcApt = '/etc/apt'): string {
  const entries: SourceEntry[] = [];
  const mainList = join(etcApt, 'sources.list');
  if (existsSync(mainList)) {
    entries.push(...parseOneLine(readFileSync(mainList, 'utf8')));
  }
  const partsDir = join(etcApt, 'sources.list.d');
  if (existsSync(partsDir)) {
    for (const name of readdirSync(partsDir).sort()) {
      const text = readFileSync(join(partsDir, name), 'utf8');
      if (name.endsWith('.sources')) {
        entries.push(...parseDeb822(text));
      } else if (name.endsWith('.list')) {
        entries.push(...parseOneLine(text));
      }
    }
  }
  const lines = new Set<string>();
  for (const entry of entries.filter(isDebianArchive)) {
    const options = entry.signedBy ? `[signed-by=${entry.signedBy}] ` : '';
    for (const uri of entry.uris) {
      for (const suite of entry.suites) {
        lines.add(`deb-src ${options}${uri} ${suite} ${entry.components.join(' ')}`);
      }
    }
  }
  if (lines.size === 0) {
    throw new Error(`no Debian archive entry found in ${mainList} or ${partsDir}/*.sources|*.list to derive deb-src from`);
  }
  return [...lines].join('\n') + '\n';
}

export interface NginxSources {
  /** Unpacked trees, read-only after unpacking. */
  nginxDir: string;
  ndkDir: string;
  luaDir: string;
  /** Debian source versions by source package name, e.g. nginx: 1.22.1-9+deb12u9. */
  versions: Record<string, string>;
}

/** apt options that confine apt-get to the harness's own state folder. */
function aptOptions(aptDir: string): string[] {
  const options = {
    'Dir::State': join(aptDir, 'state'),
    'Dir::State::status': join(aptDir, 'state', 'status'),
    'Dir::Cache': join(aptDir, 'cache'),
    'Dir::Etc::SourceList': join(aptDir, 'sources.list'),
    'Dir::Etc::SourceParts': join(aptDir, 'sources.list.d'),
    'Dir::Etc::Preferences': join(aptDir, 'preferences'),
    'Dir::Etc::PreferencesParts': join(aptDir, 'preferences.d'),
    // As root, apt drops to _apt for downloads, which cannot write to our folders.
    ...(isRoot() ? { 'APT::Sandbox::User': 'root' } : {}),
  };
  return Object.entries(options).flatMap(([key, value]) => ['-o', `${key}=${value}`]);
}

function prepareAptDir(): { aptDir: string; fresh: boolean } {
  const list = debSrcListFromMachine();
  const hash = createHash('sha256').update(list).digest('hex').slice(0, 12);
  const aptDir = join(cacheRoot(), 'apt', hash);
  for (const dir of ['state/lists/partial', 'cache/archives/partial', 'sources.list.d', 'preferences.d']) {
    mkdirSync(join(aptDir, dir), { recursive: true });
  }
  writeFileSync(join(aptDir, 'sources.list'), list);
  writeFileSync(join(aptDir, 'preferences'), '');
  if (!existsSync(join(aptDir, 'state', 'status'))) {
    writeFileSync(join(aptDir, 'state', 'status'), '');
  }
  const lists = readdirSync(join(aptDir, 'state', 'lists'));
  return { aptDir, fresh: !lists.some((name) => name.endsWith('_Sources') || name.includes('_Sources.')) };
}

/** Source versions apt knows for a package, newest first. */
async function candidateVersions(apt: string[], pkg: string): Promise<string[]> {
  const shown = await run('apt-cache', [...apt, 'showsrc', '--only-source', pkg]);
  const versions = [...new Set([...shown.stdout.matchAll(/^Version: (\S+)$/gm)].map((m) => m[1]))];
  const newer = (a: string, b: string): boolean => spawnSync('dpkg', ['--compare-versions', a, 'gt', b]).status === 0;
  versions.sort((a, b) => (a === b ? 0 : newer(a, b) ? -1 : 1));
  if (versions.length === 0) {
    throw new Error(`apt knows no source package ${pkg}; is deb-src for Debian's archive reachable? (${shown.stderr.trim()})`);
  }
  return versions;
}

/** Downloads and unpacks one source version into `dir`/`target`; false when the archive does not have it. */
async function fetchSource(apt: string[], pkg: string, version: string, dir: string, target: string): Promise<boolean> {
  const partial = `${dir}.partial`;
  rmSync(partial, { recursive: true, force: true });
  mkdirSync(partial, { recursive: true });
  try {
    await step(`apt-get source ${pkg}=${version}`, () => run('apt-get', [...apt, 'source', '--download-only', `${pkg}=${version}`], { cwd: partial }));
  } catch (error) {
    // Seen here: bookworm-security's index lists a revision whose files the mirror does not have (404).
    log(`cannot download ${pkg} ${version}, trying an older version: ${(error as Error).message.split('\n').find((l) => l.startsWith('E:')) ?? ''}`);
    rmSync(partial, { recursive: true, force: true });
    return false;
  }
  const dsc = readdirSync(partial).find((name) => name.endsWith('.dsc'));
  if (dsc === undefined) {
    throw new Error(`apt-get source ${pkg}=${version} left no .dsc in ${partial}`);
  }
  await step(`dpkg-source -x ${dsc}`, () => run('dpkg-source', ['-x', dsc, target], { cwd: partial }));
  writeFileSync(join(partial, '.complete'), `${pkg} ${version}\n`);
  rmSync(dir, { recursive: true, force: true });
  renameSync(partial, dir);
  return true;
}

/**
 * The newest version of a Debian source package that is cached under
 * `sourcesDir` or downloadable, unpacked (Debian's patches applied) into
 * `<sourcesDir>/<package>_<version>/<target>`. `apt` are the options of
 * the harness's own apt state.
 */
async function obtainSourcePackage(apt: string[], sourcesDir: string, pkg: string, target: string, refresh: boolean): Promise<{ version: string; dir: string }> {
  for (const version of await candidateVersions(apt, pkg)) {
    const dir = join(sourcesDir, `${pkg}_${version.replace(/:/g, '%3a')}`);
    const unavailable = `${dir}.unavailable`;
    if (existsSync(join(dir, '.complete'))) {
      log(`source cached: ${pkg} ${version}`);
    } else if (existsSync(unavailable) && !refresh) {
      continue;
    } else if (!(await fetchSource(apt, pkg, version, dir, target))) {
      writeFileSync(unavailable, 'apt-get source failed; RESTY_BUILD_E2E_REFRESH=1 retries\n');
      continue;
    }
    return { version, dir: join(dir, target) };
  }
  throw new Error(`no version of the ${pkg} source package could be downloaded (see the log above)`);
}

/**
 * Debian source packages by name (package -> folder to unpack into), from
 * the cache or the archive: for each the newest version that is cached or
 * downloadable wins, so a run without network still uses what an earlier
 * run fetched. The package lists are fetched once; RESTY_BUILD_E2E_REFRESH=1
 * fetches them again.
 */
export async function obtainSourcePackages(packages: Record<string, string>): Promise<Record<string, { version: string; dir: string }>> {
  const root = cacheRoot();
  mkdirSync(join(root, 'sources'), { recursive: true });
  return withLock(join(root, 'sources.lock'), 15 * 60_000, async () => {
    const { aptDir, fresh } = prepareAptDir();
    const apt = aptOptions(aptDir);
    const refresh = process.env.RESTY_BUILD_E2E_REFRESH === '1';
    if (fresh || refresh) {
      await step('apt-get update (deb-src lists in the harness cache)', () => run('apt-get', [...apt, 'update']));
    }
    const out: Record<string, { version: string; dir: string }> = {};
    for (const [pkg, target] of Object.entries(packages)) {
      out[pkg] = await obtainSourcePackage(apt, join(root, 'sources'), pkg, target, refresh);
    }
    log(`sources: ${Object.entries(out).map(([p, v]) => `${p} ${v.version}`).join(', ')}`);
    return out;
  });
}

/** Downloads and unpacks the nginx, ngx_devel_kit and lua-nginx-module sources, or reuses them from the cache. */
export async function obtainSources(): Promise<NginxSources> {
  const got = await obtainSourcePackages(SOURCE_PACKAGES);
  return {
    nginxDir: got.nginx.dir,
    ndkDir: got['libnginx-mod-http-ndk'].dir,
    luaDir: got['libnginx-mod-http-lua'].dir,
    versions: Object.fromEntries(Object.entries(got).map(([pkg, v]) => [pkg, v.version])),
  };
}
