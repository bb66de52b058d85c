import * as path from 'node:path';
import { Profile } from './builtins';
import { FileSystem } from '../fs';
import { Manifest, MANIFEST_NAME } from '../manifest/manifest';
import { NginxConf, parseNginxConf } from '../nginx/nginxConf';
import { isInside } from '../paths';
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
/** gopher-lua's default package.path (luakit appends it after its own entries). */
export const GOPHER_LUA_DEFAULT_PATH = ['./?.lua', '/usr/local/share/lua/5.1/?.lua', '/usr/local/share/lua/5.1/?/init.lua'];

export type Env = Record<string, string | undefined>;

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
  nginxConfFile?: string;
  nginxConf?: NginxConf;
  resolver: ResolverConfig;
}

function isLuakitScript(fs: FileSystem, file: string): boolean {
  const text = fs.readFile(file);
  return text !== undefined && /\bbk\s*[.:]\s*[A-Za-z_]/.test(text);
}

/** `$LUAKIT_STDLIB_DIR`, else `<dir of luakit on PATH>/../share/luakit/stdlib`; absent when missing. */
export function findLuakitStdlib(fs: FileSystem, env: Env, configured?: string): string | undefined {
  if (configured !== undefined) {
    return configured;
  }
  const fromEnv = env.LUAKIT_STDLIB_DIR;
  if (fromEnv) {
    return fs.isDirectory(fromEnv) ? path.resolve(fromEnv) : undefined;
  }
  for (const dir of (env.PATH ?? '').split(path.delimiter)) {
    if (dir && fs.isFile(path.join(dir, 'luakit'))) {
      const stdlib = path.resolve(dir, '..', 'share', 'luakit', 'stdlib');
      return fs.isDirectory(stdlib) ? stdlib : undefined;
    }
  }
  return undefined;
}

function templates(list: string[], root: string, defaults: string[], source: string, defaultsSource: string): SearchTemplate[] {
  const out: SearchTemplate[] = [];
  for (const t of list) {
    if (t === ';;') {
      appendAll(out, templates(defaults, root, [], defaultsSource, defaultsSource));
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

function inferProfile(fs: FileSystem, root: string): { profile: Profile; buildScript?: string } {
  const script = path.join(root, 'build.lua');
  if (fs.isFile(script) && isLuakitScript(fs, script)) {
    return { profile: 'luakit', buildScript: script };
  }
  return { profile: 'openresty' };
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
export function createProject(fs: FileSystem, env: Env, root: string, manifest?: Manifest): Project {
  const inferred = inferProfile(fs, root);
  const profile: Profile = manifest?.profile ?? (manifest?.buildScript ? 'luakit' : inferred.profile);
  const provided = new Set(manifest?.provided ?? []);

  if (profile === 'luakit') {
    const buildScript = manifest?.buildScript ?? inferred.buildScript ?? path.join(root, 'build.lua');
    const ctx = path.dirname(buildScript);
    const stdlib = findLuakitStdlib(fs, env, manifest?.stdlib);
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
      resolver: { profile, root, luakit: { ctx, stdlib }, lua: dedupe(lua), c: [], provided },
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
  };
}
