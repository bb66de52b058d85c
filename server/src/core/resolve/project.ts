import * as path from 'node:path';
import { Profile } from './builtins';
import { FileSystem } from '../fs';
import { excludeMatcher, ExcludeMatcher } from '../manifest/exclude';
import { isLuakitBuildScript, locateLuakitStdlib } from './luakitStdlib';
import { Manifest, MANIFEST_NAME } from '../manifest/manifest';
import { NginxConf, parseNginxConf } from '../nginx/nginxConf';
import { isInside } from '../paths';
import { LuaDialect } from '../lua/luaparseInput';
import { ResolverConfig, SearchTemplate, splitSearchPath } from './resolver';

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

/** The stdlib folder luakit would use for a build context, or undefined (see locateLuakitStdlib). */
export function findLuakitStdlib(fs: FileSystem, env: Env, configured?: string, ctx?: string): string | undefined {
  return locateLuakitStdlib(fs, env, configured, ctx ?? path.sep).dir;
}

function templates(list: string[], root: string, defaults: string[], source: string, defaultsSource: string): SearchTemplate[] {
  const out: SearchTemplate[] = [];
  for (const t of list) {
    if (t === ';;') {
      out.push(...templates(defaults, root, [], defaultsSource, defaultsSource));
      continue;
    }
    const template = path.isAbsolute(t) ? t : path.join(root, t);
    out.push({ template, origin: isInside(root, template) ? 'workspace' : 'path', source });
  }
  return out;
}

/** `lua_package_path "…;;"` split like ngx_lua does, with `$prefix` substituted. */
function confTemplates(value: string, prefix: string): string[] {
  return splitSearchPath(value.replace(/\$\{prefix\}|\$prefix/g, prefix.endsWith('/') ? prefix : prefix + '/').replace(/\/\//g, '/'));
}

/** nginx's prefix is the folder that holds `conf/`; for a conf elsewhere, its own folder. */
export function nginxPrefix(confFile: string): string {
  const dir = path.dirname(confFile);
  return path.basename(dir) === 'conf' ? path.dirname(dir) : dir;
}

function dedupe(list: SearchTemplate[]): SearchTemplate[] {
  const seen = new Set<string>();
  return list.filter((t) => (seen.has(t.template) ? false : (seen.add(t.template), true)));
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
    const lua = manifest?.path
      ? templates(manifest.path, root, GOPHER_LUA_DEFAULT_PATH, `${MANIFEST_NAME} path`, 'Lua default path')
      : [
          ...templates(own, root, [], 'luakit package.path', ''),
          ...templates(GOPHER_LUA_DEFAULT_PATH, root, [], 'Lua default path', ''),
        ];
    for (const t of lua) {
      if (stdlib !== undefined && t.template.startsWith(stdlib + path.sep)) {
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
      resolver: { profile, root, luakit: { ctx, stdlib, stdlibNotFound: stdlibLookup.notFound }, lua: dedupe(lua), c: [], provided },
      excluded,
      dialect: { lua52compat: false, source: 'default' },
    };
  }

  const nginxConfFile = manifest ? manifest.nginxConf : inferNginxConf(fs, root);
  let nginxConf: NginxConf | undefined;
  const confPath: string[] = [];
  const confCpath: string[] = [];
  if (nginxConfFile !== undefined) {
    const text = fs.readFile(nginxConfFile);
    if (text !== undefined) {
      nginxConf = parseNginxConf(text);
      const prefix = nginxPrefix(nginxConfFile);
      for (const d of nginxConf.directives) {
        if (d.name === 'lua_package_path' && d.args[0]) {
          confPath.push(...confTemplates(d.args[0].value, prefix));
        } else if (d.name === 'lua_package_cpath' && d.args[0]) {
          confCpath.push(...confTemplates(d.args[0].value, prefix));
        }
      }
    }
  }
  const inferredPath = ['?.lua', '?/init.lua', 'lib/?.lua', 'lib/?/init.lua', ';;'];
  const manifestPath = manifest?.path;
  const lua = [
    ...(manifestPath ? templates(manifestPath, root, LUAJIT_DEFAULT_PATH, `${MANIFEST_NAME} path`, 'LuaJIT default path') : []),
    ...templates(confPath, root, LUAJIT_DEFAULT_PATH, 'nginx.conf lua_package_path', 'LuaJIT default path'),
    ...(!manifestPath && confPath.length === 0 ? templates(inferredPath, root, LUAJIT_DEFAULT_PATH, 'inferred path', 'LuaJIT default path') : []),
  ];
  const manifestCpath = manifest?.cpath;
  const c = [
    ...(manifestCpath ? templates(manifestCpath, root, LUAJIT_DEFAULT_CPATH, `${MANIFEST_NAME} cpath`, 'LuaJIT default cpath') : []),
    ...templates(confCpath, root, LUAJIT_DEFAULT_CPATH, 'nginx.conf lua_package_cpath', 'LuaJIT default cpath'),
    ...(!manifestCpath && confCpath.length === 0 ? templates([';;'], root, LUAJIT_DEFAULT_CPATH, 'LuaJIT default cpath', 'LuaJIT default cpath') : []),
  ];
  return {
    root,
    profile,
    manifest,
    inferred: manifest === undefined,
    nginxConfFile,
    nginxConf,
    resolver: { profile, root, lua: dedupe(lua), c: dedupe(c), provided },
    excluded,
    dialect: projectDialect(root, manifest, options.detectLua52),
  };
}
