import * as path from 'node:path';
import { isBuiltinModule, Profile } from './builtins';
import { FileSystem } from '../fs';
import { isPlainAbsolute, relativeInside } from '../paths';
import { RockDependency, rockProviding } from './luarocks';
import { NEWEST_OPENRESTY_PRESET, RUNTIME_PRESETS } from './runtimePresets';
import { templateRoot } from '../manifest/manifestPaths';

/** Where a resolved module came from; shown in hovers and the module map. */
export type Origin = 'workspace' | 'stdlib' | 'path' | 'explicit' | 'builtin' | 'provided' | 'registered' | 'native';

/** One `package.path`-style template, made absolute, with where it came from. */
export interface SearchTemplate {
  /** An absolute path containing `?` (or, for luakit's own loader, a fixed file). */
  template: string;
  origin: Origin;
  /** Who put it there, for messages: "resty-build.json path", "nginx.conf lua_package_path", … */
  source: string;
  /**
   * The template as the manifest, the nginx.conf or a default path spells
   * it (`lib/?.lua`, `./?.lua`, `lib//?.lua`): a trail line substitutes the
   * name into it, untouched, as LuaJIT's loader prints it. Absent for
   * templates resty-build builds itself (the luakit build context, rocks
   * trees), shown relative to the project folder.
   */
  written?: string;
}

export interface ResolverConfig {
  profile: Profile;
  /** The project root: relative paths in messages are shown against it. */
  root: string;
  /** luakit: the build context (folder of the build script) and stdlib folder (or why there is none). */
  luakit?: { ctx: string; stdlib?: string; stdlibNotFound?: string };
  /** Lua templates (package.path), in order. */
  lua: SearchTemplate[];
  /** C templates (package.cpath), in order. Empty for luakit (gopher-lua loads no C). */
  c: SearchTemplate[];
  /** Modules the runtime provides (nginx C modules registering preload entries). */
  provided: ReadonlySet<string>;
  /** The dependencies of the project's rockspec: they explain a module that is not found. */
  rocks?: readonly RockDependency[];
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
  /** Origin 'registered': the code that puts the module into package.loaded/preload. */
  registeredBy?: RegisteredModule;
  /** Unresolved: what else the user should know (a rockspec dependency that is not installed, a luakit stdlib that was not found). */
  hint?: string;
}

/** A module the project's own code registers (`package.loaded["x"] = …`), where it does so. */
export interface RegisteredModule {
  file: string;
  table: 'loaded' | 'preload';
  start: number;
  end: number;
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
  // The common case without path.relative (a trail has a line per candidate, a search many candidates).
  if (path.sep === '/' && file.length > config.root.length + 1 && file.startsWith(config.root) && file[config.root.length] === '/') {
    return `./${file.slice(config.root.length + 1)}`;
  }
  const rel = relativeInside(config.root, file);
  // Shown like Lua shows a template relative to the working folder: './lib/x.lua'.
  return rel ? `./${rel}` : file;
}

const roots = new WeakMap<SearchTemplate, string>();

/** The folder every candidate of a template lies in (remembered per template). */
function rootOf(t: SearchTemplate): string {
  let root = roots.get(t);
  if (root === undefined) {
    root = templateRoot(t.template);
    roots.set(t, root);
  }
  return root;
}

function searchTemplates(
  config: ResolverConfig,
  fs: FileSystem,
  name: string,
  templates: SearchTemplate[],
  trail: string[] | undefined,
  skip: ReadonlySet<string>,
): { file: string; origin: Origin } | undefined {
  const slashed = name.split('.').join('/');
  for (const t of templates) {
    // Without a trail to write, a template whose folder does not exist is passed over unsubstituted:
    // a manifest of 50 000 entries times 100 templates would otherwise build 5 million paths.
    if (trail === undefined && !fs.isDirectory(rootOf(t))) {
      continue;
    }
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
    // A relative template is searched from the project folder, not from resty-build's working folder: its
    // line is what LuaJIT prints when run from the project folder (`package.path = "lib/?.lua"` gives
    // `no file 'lib/x.lua'`).
    trail?.push(`no file '${t.written !== undefined ? t.written.split('?').join(slashed) : display(config, file)}'`);
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
 * all-in-one loader. The full search trail is written when it is read
 * (the same search again, through the same file system): resolutions are
 * kept per name, and most trails are never shown, so keeping them all
 * would cost memory per name (a manifest of 500 000 missing modules).
 */
export function resolveModule(name: string, config: ResolverConfig, fs: FileSystem): Resolution {
  const found = search(name, config, fs, undefined);
  if (found.status === 'builtin' || found.status === 'provided') {
    return { ...found, trail: [] };
  }
  return new SearchedResolution(found, config, fs);
}

/** A resolution whose trail is the search again, written down (a getter on the class: no closure per resolution). */
const MAX_RECENT_TRAILS = 2048;
const recentTrails = new Map<SearchedResolution, string[]>();

class SearchedResolution implements Resolution {
  readonly name: string;
  readonly status: ResolutionStatus;
  readonly file?: string;
  readonly origin?: Origin;
  readonly hint?: string;

  constructor(
    found: Omit<Resolution, 'trail'>,
    private readonly config: ResolverConfig,
    private readonly fs: FileSystem,
  ) {
    this.name = found.name;
    this.status = found.status;
    if (found.file !== undefined) {
      this.file = found.file;
    }
    if (found.origin !== undefined) {
      this.origin = found.origin;
    }
    if (found.hint !== undefined) {
      this.hint = found.hint;
    }
  }

  /**
   * Searched again when asked: a check asks once per site, so the trails of
   * the last few thousand resolutions asked are kept (not on every
   * resolution: an editing session that types many names would keep them all).
   */
  get trail(): string[] {
    let trail = recentTrails.get(this);
    if (!trail) {
      trail = [];
      search(this.name, this.config, this.fs, trail);
      if (recentTrails.size >= MAX_RECENT_TRAILS) {
        recentTrails.delete(recentTrails.keys().next().value!);
      }
      recentTrails.set(this, trail);
    }
    return trail;
  }
}

function search(name: string, config: ResolverConfig, fs: FileSystem, trail: string[] | undefined): Omit<Resolution, 'trail'> {
  if (isBuiltinModule(config.profile, name)) {
    return { name, status: 'builtin', origin: 'builtin' };
  }
  if (config.provided.has(name)) {
    return { name, status: 'provided', origin: 'provided' };
  }
  trail?.push(`no field package.preload['${name}']`);
  const tried = new Set<string>();
  if (config.luakit) {
    for (const c of luakitLoaderCandidates(name, config.luakit.ctx, config.luakit.stdlib)) {
      const file = path.normalize(c.template);
      if (tried.has(file)) {
        continue;
      }
      tried.add(file);
      if (fs.isFile(file)) {
        return { name, status: 'file', file, origin: c.origin };
      }
      trail?.push(`no file '${display(config, file)}'`);
    }
  }
  const lua = searchTemplates(config, fs, name, config.lua, trail, tried);
  if (lua) {
    return { name, status: 'file', file: lua.file, origin: lua.origin };
  }
  const c = searchTemplates(config, fs, name, config.c, trail, tried);
  if (c) {
    return { name, status: 'native', file: c.file, origin: 'native' };
  }
  // The all-in-one loader: `a.b.c` looked up as `a` in package.cpath.
  const dot = name.indexOf('.');
  if (dot > 0 && config.c.length > 0) {
    const root = name.slice(0, dot);
    const aio = searchTemplates(config, fs, root, config.c, trail, tried);
    if (aio) {
      return { name, status: 'native', file: aio.file, origin: 'native' };
    }
  }
  const rock = config.rocks ? rockProviding(name, config.rocks) : undefined;
  const hint = rock
    ? `(the rock '${rock.rock}', a dependency in ${rock.rockspec}, provides it but is not installed where the loaders look: luarocks install --tree lua_modules --only-deps ${rock.rockspec})`
    : (config.luakit?.stdlibNotFound ?? (config.profile === 'openresty' ? bundledHint(name) : undefined));
  return hint === undefined ? { name, status: 'unresolved' } : { name, status: 'unresolved', hint };
}

/** For a module an OpenResty release ships in its lualib: where it comes from, and how to declare it. */
function bundledHint(name: string): string | undefined {
  const preset = RUNTIME_PRESETS[NEWEST_OPENRESTY_PRESET];
  return preset.modules.includes(name)
    ? `(${preset.release} bundles it: if the binary is OpenResty's, declare it in "provided" (or "${NEWEST_OPENRESTY_PRESET}" for all it bundles); resty-build fix adds it)`
    : undefined;
}

/** The search trail as reported: Lua's lines, then the hint when there is one. */
export function searchTrail(resolution: Resolution): string[] {
  return resolution.hint ? [...resolution.trail, resolution.hint] : resolution.trail;
}

/** The message Lua itself prints, so users recognise it (and the hint below it). */
export function notFoundMessage(resolution: Resolution): string {
  let message = notFoundMessages.get(resolution);
  if (message === undefined) {
    message = [`module '${resolution.name}' not found:`, ...searchTrail(resolution).map((t) => '\t' + t)].join('\n');
    notFoundMessages.set(resolution, message);
  }
  return message;
}

/** A resolution is shared by every require of the name in its project: its message is built once. */
const notFoundMessages = new WeakMap<Resolution, string>();

/** The file's module name under one template, and how specific the match is (longer = more specific). */
export function nameUnderTemplate(file: string, t: SearchTemplate): { name: string; score: number } | undefined {
  const q = t.template.indexOf('?');
  if (q < 0 || t.template.indexOf('?', q + 1) >= 0) {
    return undefined;
  }
  const prefix = t.template.slice(0, q);
  const suffix = t.template.slice(q + 1);
  if (!file.startsWith(prefix) || !file.endsWith(suffix) || file.length <= prefix.length + suffix.length) {
    return undefined;
  }
  const middle = file.slice(prefix.length, file.length - suffix.length);
  // A name with a dot would be split into folders by the loader, so it cannot name this file.
  if (middle.includes('.')) {
    return undefined;
  }
  return { name: middle.split(path.sep).join('.'), score: prefix.length + suffix.length };
}

/**
 * The module name a file is required by: the name the most specific
 * template gives, not the first that matches (`lib/?.lua` beats `?.lua` for
 * `lib/resty/redis.lua`, which is `resty.redis`, not `lib.resty.redis`; and
 * `?/init.lua` beats `?.lua` for `x/init.lua`, which is `x`).
 */
export function moduleNameForFile(file: string, templates: readonly SearchTemplate[]): string | undefined {
  let best: { name: string; score: number } | undefined;
  for (const t of templates) {
    const hit = nameUnderTemplate(file, t);
    if (hit && (!best || hit.score > best.score)) {
      best = hit;
    }
  }
  return best?.name;
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
      for (const p of part.split(';')) {
        if (p !== '') {
          out.push(p);
        }
      }
    }
  }
  return out;
}
