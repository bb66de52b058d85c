import * as path from 'node:path';
import { isBuiltinModule, Profile } from './builtins';
import { FileSystem } from '../fs';
import { isPlainAbsolute, relativeInside } from '../paths';

/** Where a resolved module came from; shown in hovers and the module map. */
export type Origin = 'workspace' | 'stdlib' | 'path' | 'explicit' | 'builtin' | 'provided' | 'native';

/** One `package.path`-style template, made absolute, with where it came from. */
export interface SearchTemplate {
  /** An absolute path containing `?` (or, for luakit's own loader, a fixed file). */
  template: string;
  origin: Origin;
  /** Who put it there, for messages: "resty-build.json path", "nginx.conf lua_package_path", … */
  source: string;
}

export interface ResolverConfig {
  profile: Profile;
  /** The project root: relative paths in messages are shown against it. */
  root: string;
  /** luakit: the build context (folder of the build script) and stdlib folder. */
  luakit?: { ctx: string; stdlib?: string };
  /** Lua templates (package.path), in order. */
  lua: SearchTemplate[];
  /** C templates (package.cpath), in order. Empty for luakit (gopher-lua loads no C). */
  c: SearchTemplate[];
  /** Modules the runtime provides (nginx C modules registering preload entries). */
  provided: ReadonlySet<string>;
}

export type ResolutionStatus = 'file' | 'builtin' | 'provided' | 'native' | 'unresolved';

export interface Resolution {
  name: string;
  status: ResolutionStatus;
  /** The file found ('file' and 'native'). */
  file?: string;
  origin?: Origin;
  /** Every place looked at, in the loader's order, in Lua's own words. */
  trail: string[];
}

/** LuaJIT's `package.searchpath`: dots become directory separators, then `?` is substituted. */
export function substitute(template: string, name: string): string {
  return template.split('?').join(name.split('.').join('/'));
}

/** A candidate file: the template with the name put in, normalized (rarely needed: most candidates are plain already). */
function candidate(template: string, slashed: string): string {
  const file = template.split('?').join(slashed);
  return isPlainAbsolute(file) ? file : path.normalize(file);
}

function display(config: ResolverConfig, file: string): string {
  const rel = relativeInside(config.root, file);
  // Shown like Lua shows a template relative to the working folder: './lib/x.lua'.
  return rel ? `./${rel}` : file;
}

function searchTemplates(
  config: ResolverConfig,
  fs: FileSystem,
  name: string,
  templates: SearchTemplate[],
  trail: string[],
  skip: ReadonlySet<string>,
): { file: string; origin: Origin } | undefined {
  const slashed = name.split('.').join('/');
  for (const t of templates) {
    const file = candidate(t.template, slashed);
    // Only luakit's loader candidates are skipped (the same files again in its
    // package.path). LuaJIT's loaders repeat a file when two of them look at it
    // (loadall.so by the C and the all-in-one loader), and so does the trail.
    if (skip.has(file)) {
      continue;
    }
    if (fs.isFile(file)) {
      return { file, origin: t.origin };
    }
    trail.push(`no file '${display(config, file)}'`);
  }
  return undefined;
}

/** luakit's own loader, first in `package.loaders`: the raw name joined to ctx and stdlib. */
function luakitLoaderCandidates(name: string, ctx: string, stdlib: string | undefined): SearchTemplate[] {
  const roots: [string, 'workspace' | 'stdlib'][] = [[ctx, 'workspace']];
  if (stdlib !== undefined) {
    roots.push([stdlib, 'stdlib']);
  }
  const out: SearchTemplate[] = [];
  for (const [root, origin] of roots) {
    if (name.endsWith('.lua')) {
      out.push({ template: path.join(root, name), origin, source: 'luakit loader' });
    } else {
      out.push({ template: path.join(root, name + '.lua'), origin, source: 'luakit loader' });
      out.push({ template: path.join(root, name, 'init.lua'), origin, source: 'luakit loader' });
    }
  }
  return out;
}

/**
 * Resolves a module name exactly as the profile's loaders would, in order:
 * package.loaded/preload (built-ins, provided), then (luakit) the custom
 * loader, then package.path, then (OpenResty) package.cpath and the
 * all-in-one loader. Keeps the full search trail.
 */
export function resolveModule(name: string, config: ResolverConfig, fs: FileSystem): Resolution {
  if (isBuiltinModule(config.profile, name)) {
    return { name, status: 'builtin', origin: 'builtin', trail: [] };
  }
  if (config.provided.has(name)) {
    return { name, status: 'provided', origin: 'provided', trail: [] };
  }
  const trail: string[] = [`no field package.preload['${name}']`];
  const tried = new Set<string>();
  if (config.luakit) {
    for (const c of luakitLoaderCandidates(name, config.luakit.ctx, config.luakit.stdlib)) {
      const file = path.normalize(c.template);
      if (tried.has(file)) {
        continue;
      }
      tried.add(file);
      if (fs.isFile(file)) {
        return { name, status: 'file', file, origin: c.origin, trail };
      }
      trail.push(`no file '${display(config, file)}'`);
    }
  }
  const lua = searchTemplates(config, fs, name, config.lua, trail, tried);
  if (lua) {
    return { name, status: 'file', file: lua.file, origin: lua.origin, trail };
  }
  const c = searchTemplates(config, fs, name, config.c, trail, tried);
  if (c) {
    return { name, status: 'native', file: c.file, origin: 'native', trail };
  }
  // The all-in-one loader: `a.b.c` looked up as `a` in package.cpath.
  const dot = name.indexOf('.');
  if (dot > 0 && config.c.length > 0) {
    const root = name.slice(0, dot);
    const aio = searchTemplates(config, fs, root, config.c, trail, tried);
    if (aio) {
      return { name, status: 'native', file: aio.file, origin: 'native', trail };
    }
  }
  return { name, status: 'unresolved', trail };
}

/** The message Lua itself prints, so users recognise it. */
export function notFoundMessage(resolution: Resolution): string {
  let message = notFoundMessages.get(resolution);
  if (message === undefined) {
    message = [`module '${resolution.name}' not found:`, ...resolution.trail.map((t) => '\t' + t)].join('\n');
    notFoundMessages.set(resolution, message);
  }
  return message;
}

/** A resolution is shared by every require of the name in its project: its message is built once. */
const notFoundMessages = new WeakMap<Resolution, string>();

/** The module name under which a template would find a file (`lib/?.lua` + `lib/a/b.lua` -> `a.b`). */
export function moduleNameForFile(file: string, templates: readonly SearchTemplate[]): string | undefined {
  for (const t of templates) {
    const q = t.template.indexOf('?');
    if (q < 0 || t.template.indexOf('?', q + 1) >= 0) {
      continue;
    }
    const prefix = t.template.slice(0, q);
    const suffix = t.template.slice(q + 1);
    if (file.startsWith(prefix) && file.endsWith(suffix) && file.length > prefix.length + suffix.length) {
      const middle = file.slice(prefix.length, file.length - suffix.length);
      if (!middle.includes('.')) {
        return middle.split(path.sep).join('.');
      }
    }
  }
  return undefined;
}

/**
 * Splits a `package.path`-style string ("a;b;;c") into templates, keeping
 * ";;" as its own entry: the marker for "LuaJIT's defaults go here".
 */
export function splitSearchPath(value: string): string[] {
  const out: string[] = [];
  for (const part of value.split(/(;;)/)) {
    if (part === ';;') {
      out.push(';;');
    } else {
      out.push(...part.split(';').filter((p) => p !== ''));
    }
  }
  return out;
}
