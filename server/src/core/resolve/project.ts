import * as path from 'node:path';
import { Profile } from './builtins';
import { FileSystem } from '../fs';
import { excludeMatcher, ExcludeMatcher } from '../manifest/exclude';
import { isLuakitBuildScript, locateLuakitStdlib } from './luakitStdlib';
import { Manifest, MANIFEST_NAME } from '../manifest/manifest';
import { NginxConf, parseNginxConf } from '../nginx/nginxConf';
import { isInside, relativeInside } from '../paths';
import { rockspecDependencies, rocksTreeCTemplates, rocksTreeLuaTemplates, rocksTrees } from './luarocks';
import { LuaDialect } from '../lua/luaparseInput';
import { ResolverConfig, SearchTemplate, splitSearchPath } from './resolver';
import { appendAll } from '../types';

/**
 * LuaJIT's compiled-in defaults (what ";;" stands for), as Debian's luajit2
 * prints them (`luajit -e 'print(package.path)'`). Not read from a luajit
 * at analysis time: analysis never runs a program.
 */
export const LUAJIT_DEFAULT_PATH = [
  './?.lua',
  '/usr/share/luajit-2.1.0-beta3/?.lua',
  '/usr/local/share/lua/5.1/?.lua',
  '/usr/local/share/lua/5.1/?/init.lua',
  '/usr/share/lua/5.1/?.lua',
  '/usr/share/lua/5.1/?/init.lua',
];
export const LUAJIT_DEFAULT_CPATH = [
  './?.so',
  '/usr/local/lib/lua/5.1/?.so',
  '/usr/lib/x86_64-linux-gnu/lua/5.1/?.so',
  '/usr/local/lib/lua/5.1/loadall.so',
];
/**
 * OpenResty's install prefix. Its nginx prepends LUA_DEFAULT_PATH to
 * LuaJIT's default path (lua-nginx-module's ngx_http_lua_new_state, with the
 * value OpenResty's util/configure writes): `site/lualib` then `lualib`,
 * each `?.ljbc`, `?/init.ljbc`, `?.lua`, `?/init.lua`; and LUA_DEFAULT_CPATH
 * `site/lualib/?.so;lualib/?.so`. Searched when `<prefix>/lualib` exists.
 * The precompiled `.ljbc` entries are left out: the analysis reads sources.
 */
export const OPENRESTY_PREFIX = '/usr/local/openresty';

interface DefaultTemplate {
  template: string;
  source: string;
  /** Spelled by a default path itself (LuaJIT's `./?.lua`), not built by resty-build: the trail shows it as written. */
  verbatim?: boolean;
  /** Where files found through it come from, when not told by the template's place (a rocks tree inside the project holds installed rocks). */
  origin?: SearchTemplate['origin'];
}

/**
 * What ";;" stands for in the openresty profile, in order: OpenResty's
 * default path when it is installed, the project's rocks trees (as `eval
 * $(luarocks path)` prepends them to LUA_PATH), then LuaJIT's defaults.
 */
function openrestyDefaults(fs: FileSystem, root: string): { lua: DefaultTemplate[]; c: DefaultTemplate[] } {
  const lua: DefaultTemplate[] = [];
  const c: DefaultTemplate[] = [];
  if (fs.isDirectory(path.join(OPENRESTY_PREFIX, 'lualib'))) {
    for (const dir of ['site/lualib', 'lualib']) {
      const base = path.join(OPENRESTY_PREFIX, dir);
      lua.push({ template: path.join(base, '?.lua'), source: 'OpenResty default path' }, { template: path.join(base, '?', 'init.lua'), source: 'OpenResty default path' });
      c.push({ template: path.join(base, '?.so'), source: 'OpenResty default cpath' });
    }
  }
  for (const tree of rocksTrees(fs, root)) {
    const source = `LuaRocks tree ${path.basename(tree)}`;
    lua.push(...rocksTreeLuaTemplates(tree).map((template) => ({ template, source, origin: 'path' as const })));
    c.push(...rocksTreeCTemplates(tree).map((template) => ({ template, source, origin: 'path' as const })));
  }
  lua.push(...LUAJIT_DEFAULT_PATH.map((template) => ({ template, source: 'LuaJIT default path', verbatim: true })));
  c.push(...LUAJIT_DEFAULT_CPATH.map((template) => ({ template, source: 'LuaJIT default cpath', verbatim: true })));
  return { lua, c };
}

/** gopher-lua's default package.path (luakit appends it after its own entries). */
export const GOPHER_LUA_DEFAULT_PATH = ['./?.lua', '/usr/local/share/lua/5.1/?.lua', '/usr/local/share/lua/5.1/?/init.lua'];

export type Env = Record<string, string | undefined>;

/**
 * Asks a LuaJIT executable whether it is 5.2-compatible (it runs it: only
 * adapters that may run programs provide one). Undefined: it could not tell.
 */
export type Lua52Detector = (command: string, cwd: string) => boolean | undefined;

export interface ProjectOptions {
  /** Absent in an untrusted workspace: the dialect is the manifest's, else plain LuaJIT. */
  detectLua52?: Lua52Detector;
  /**
   * luakit build scripts found in the root folder (any name: a Lua file
   * calling the bk API). Without a manifest they make the folder a luakit
   * build context.
   */
  buildScripts?: string[];
}

/** The LuaJIT the project's code runs on, and how that was decided (for messages). */
export interface ProjectDialect extends LuaDialect {
  source: 'manifest' | 'runtime' | 'compiler' | 'default';
}

/** `luajit.lua52compat` of the manifest; else asked of `luajit.runtime`, else of the compiler; else plain. */
function projectDialect(root: string, manifest: Manifest | undefined, detect: Lua52Detector | undefined): ProjectDialect {
  const written = manifest?.luajit.lua52compat;
  if (written !== undefined) {
    return { lua52compat: written, source: 'manifest' };
  }
  const cwd = manifest?.dir ?? root;
  const runtime = manifest?.luajit.runtime;
  const fromRuntime = runtime ? detect?.(runtime, cwd) : undefined;
  if (fromRuntime !== undefined) {
    return { lua52compat: fromRuntime, source: 'runtime' };
  }
  const fromCompiler = detect?.(manifest?.luajit.compiler ?? 'luajit', cwd);
  return fromCompiler !== undefined ? { lua52compat: fromCompiler, source: 'compiler' } : { lua52compat: false, source: 'default' };
}

/** Templates taken from an nginx.conf's lua_package_path (and cpath), like the manifest's `path` limit. */
const MAX_CONF_TEMPLATES = 100;

/** One build project: a manifest's folder, or a folder whose settings were inferred. */
export interface Project {
  root: string;
  profile: Profile;
  manifest?: Manifest;
  /** True when no manifest exists and the settings were guessed from the files. */
  inferred: boolean;
  /** luakit: the build script (its folder is the build context). */
  buildScript?: string;
  /** luakit: every build script of the context (the first is `buildScript`). */
  buildScripts?: string[];
  nginxConfFile?: string;
  nginxConf?: NginxConf;
  resolver: ResolverConfig;
  /** The manifest's `exclude`: files of this project that are not analysed or reported. */
  excluded: ExcludeMatcher;
  /** Which LuaJIT judges the syntax (luakit runs gopher-lua, judged as plain Lua 5.1 with LuaJIT's lexemes). */
  dialect: ProjectDialect;
}

function isLuakitScript(fs: FileSystem, file: string): boolean {
  const text = fs.readFile(file);
  return text !== undefined && isLuakitBuildScript(file, text);
}

/** A manifest's build script, then the other build scripts of its folder: they share the build context. */
function withSiblingScripts(fs: FileSystem, script: string): string[] {
  const dir = path.dirname(script);
  const others = fs
    .readDir(dir)
    .filter((e) => e.kind === 'file' && e.name.endsWith('.lua'))
    .map((e) => path.join(dir, e.name))
    .filter((f) => f !== script && isLuakitScript(fs, f))
    .sort();
  return [script, ...others];
}

/**
 * `list` made absolute against `root`, with ";;" replaced by `defaults` (each keeping its own source).
 * `written`: the list as its author spelled it, entry for entry (the manifest's `path` is absolute once
 * loaded), kept for the trail; an entry without one (resty-build built the template) is shown as before.
 */
function templates(
  list: readonly string[],
  root: string,
  defaults: readonly DefaultTemplate[],
  source: string,
  written: readonly (string | undefined)[] = list,
): SearchTemplate[] {
  const out: SearchTemplate[] = [];
  list.forEach((t, i) => {
    if (t === ';;') {
      for (const d of defaults) {
        appendAll(out, templates([d.template], root, [], d.source, d.verbatim ? [d.template] : []).map((found) => (d.origin ? { ...found, origin: d.origin } : found)));
      }
      return;
    }
    const template = path.isAbsolute(t) ? t : path.join(root, t);
    const spelled = written[i];
    out.push({ template, origin: isInside(root, template) ? 'workspace' : 'path', source, ...(spelled !== undefined ? { written: spelled } : {}) });
  });
  return out;
}

interface ConfTemplate {
  template: string;
  /** As written, for the trail; none where `$prefix` stood: the folder taken for it is a guess, not what nginx's prefix would print. */
  written?: string;
}

/** `lua_package_path "…;;"` split like ngx_lua does, with `$prefix` substituted. */
function confTemplates(value: string, prefix: string): ConfTemplate[] {
  const PREFIX = /\$\{prefix\}|\$prefix/g;
  return splitSearchPath(value).map((t) => {
    if (t !== ';;' && t.search(PREFIX) >= 0) {
      return { template: t.replace(PREFIX, prefix.endsWith('/') ? prefix : prefix + '/').replace(/\/\//g, '/') };
    }
    return { template: t, written: t };
  });
}

/** nginx's prefix is the folder that holds `conf/`; for a conf elsewhere, its own folder. */
export function nginxPrefix(confFile: string): string {
  const dir = path.dirname(confFile);
  return path.basename(dir) === 'conf' ? path.dirname(dir) : dir;
}

/**
 * The templates without repeats (the defaults ";;" brings in twice, from the manifest and the nginx.conf).
 * One folder spelled two ways (`lib/?.lua`, `./lib/?.lua`) is two templates to LuaJIT, each with its
 * line in the trail: it is kept twice. A template without a spelling of its own is shown relative to
 * the project (`./app/?.lua` for `$prefix/app/?.lua`), and is a repeat of one spelled that way.
 */
function dedupe(list: SearchTemplate[], root: string): SearchTemplate[] {
  const seen = new Set<string>();
  return list.filter((t) => {
    const rel = relativeInside(root, t.template);
    const key = `${t.template}\0${t.written ?? (rel ? `./${rel}` : t.template)}`;
    return seen.has(key) ? false : (seen.add(key), true);
  });
}

function inferProfile(fs: FileSystem, root: string, scripts: readonly string[]): { profile: Profile; buildScripts?: string[] } {
  const script = path.join(root, 'build.lua');
  const others = scripts.filter((s) => s !== script);
  if (fs.isFile(script) && isLuakitScript(fs, script)) {
    return { profile: 'luakit', buildScripts: [script, ...others] };
  }
  return others.length > 0 ? { profile: 'luakit', buildScripts: others } : { profile: 'openresty' };
}

/** Finds an nginx.conf to read search paths from when no manifest names one. */
function inferNginxConf(fs: FileSystem, root: string): string | undefined {
  for (const candidate of ['conf/nginx.conf', 'nginx.conf']) {
    const file = path.join(root, candidate);
    if (fs.isFile(file)) {
      return file;
    }
  }
  return undefined;
}

/** Builds the project model (profile, search templates, provided modules) for a root. */
export function createProject(fs: FileSystem, env: Env, root: string, manifest?: Manifest, options: ProjectOptions = {}): Project {
  const inferred = inferProfile(fs, root, options.buildScripts ?? []);
  const excluded = manifest ? excludeMatcher(manifest.dir, manifest.exclude) : () => false;
  const profile: Profile = manifest?.profile ?? (manifest?.buildScript ? 'luakit' : inferred.profile);
  const provided = new Set(manifest?.provided ?? []);

  if (profile === 'luakit') {
    const buildScripts = manifest?.buildScript ? withSiblingScripts(fs, manifest.buildScript) : (inferred.buildScripts ?? [path.join(root, 'build.lua')]);
    const buildScript = buildScripts[0];
    const ctx = path.dirname(buildScript);
    const stdlibLookup = locateLuakitStdlib(fs, env, manifest?.stdlib, ctx);
    const stdlib = stdlibLookup.dir;
    // luakit puts ctx and stdlib templates in front of gopher-lua's default package.path.
    const own = [path.join(ctx, '?.lua'), path.join(ctx, '?', 'init.lua')];
    if (stdlib !== undefined) {
      own.push(path.join(stdlib, '?.lua'), path.join(stdlib, '?', 'init.lua'));
    }
    const gopherDefaults = GOPHER_LUA_DEFAULT_PATH.map((template) => ({ template, source: 'Lua default path', verbatim: true }));
    const lua = manifest?.path
      ? templates(manifest.path, root, gopherDefaults, `${MANIFEST_NAME} path`, manifest.writtenTemplates?.path ?? [])
      : [...templates(own, root, [], 'luakit package.path', []), ...templates(GOPHER_LUA_DEFAULT_PATH, root, [], 'Lua default path')];
    for (const t of lua) {
      if (stdlib !== undefined && isInside(stdlib, t.template)) {
        t.origin = 'stdlib';
      }
    }
    return {
      root,
      profile,
      manifest,
      inferred: manifest === undefined,
      buildScript,
      buildScripts,
      resolver: { profile, root, luakit: { ctx, stdlib, stdlibNotFound: stdlibLookup.notFound }, lua: dedupe(lua, root), c: [], provided },
      excluded,
      dialect: { lua52compat: false, source: 'default' },
    };
  }

  const nginxConfFile = manifest ? manifest.nginxConf : inferNginxConf(fs, root);
  let nginxConf: NginxConf | undefined;
  const confPath: ConfTemplate[] = [];
  const confCpath: ConfTemplate[] = [];
  if (nginxConfFile !== undefined) {
    const text = fs.readFile(nginxConfFile);
    if (text !== undefined) {
      nginxConf = parseNginxConf(text);
      const prefix = nginxPrefix(nginxConfFile);
      for (const d of nginxConf.directives) {
        if (d.name === 'lua_package_path' && d.args[0]) {
          appendAll(confPath, confTemplates(d.args[0].value, prefix));
        } else if (d.name === 'lua_package_cpath' && d.args[0]) {
          appendAll(confCpath, confTemplates(d.args[0].value, prefix));
        }
      }
    }
  }
  // Every template is tried for every require: an nginx.conf listing thousands is cut like the manifest's lists.
  confPath.splice(MAX_CONF_TEMPLATES);
  confCpath.splice(MAX_CONF_TEMPLATES);
  // Spelled as a user would write it in package.path: the trail shows these templates as written.
  const inferredPath = ['./?.lua', './?/init.lua', './lib/?.lua', './lib/?/init.lua', ';;'];
  const defaults = openrestyDefaults(fs, root);
  // The manifest's templates, then nginx.conf's, or (neither given) the guess: for Lua files and for C modules alike.
  const searchList = (key: 'path' | 'cpath', conf: ConfTemplate[], guess: string[], guessSource: string): SearchTemplate[] => {
    const own = manifest?.[key];
    const defaultsOf = key === 'path' ? defaults.lua : defaults.c;
    const directive = key === 'path' ? 'lua_package_path' : 'lua_package_cpath';
    return [
      ...(own ? templates(own, root, defaultsOf, `${MANIFEST_NAME} ${key}`, manifest?.writtenTemplates?.[key] ?? []) : []),
      ...templates(
        conf.map((t) => t.template),
        root,
        defaultsOf,
        `nginx.conf ${directive}`,
        conf.map((t) => t.written),
      ),
      ...(!own && conf.length === 0 ? templates(guess, root, defaultsOf, guessSource) : []),
    ];
  };
  const lua = searchList('path', confPath, inferredPath, 'inferred path');
  const c = searchList('cpath', confCpath, [';;'], 'LuaJIT default cpath');
  return {
    root,
    profile,
    manifest,
    inferred: manifest === undefined,
    nginxConfFile,
    nginxConf,
    resolver: { profile, root, lua: dedupe(lua, root), c: dedupe(c, root), provided, rocks: rockspecDependencies(fs, root) },
    excluded,
    dialect: projectDialect(root, manifest, options.detectLua52),
  };
}
