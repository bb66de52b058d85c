import * as path from 'node:path';
import { findNodeAtLocation, JSONPath, Node, parseTree } from 'jsonc-parser';
import { DirEntry, FileSystem } from '../fs';
import { replaceValues } from '../manifest/manifestEdits';
import { displayPath, isInside, toPosix } from '../paths';
import { Project } from '../resolve/project';
import { resolveModule, Resolution, SearchTemplate, substitute } from '../resolve/resolver';
import { LineIndex, Range } from '../types';
import { hostViews } from './luaViews';
import { moduleNameOf, walkLua } from './moduleCatalog';
import { nameUnderTemplate } from '../resolve/resolver';
import type { Workspace } from '../workspace/workspace';

/** A file or folder about to be moved (or renamed), by absolute path. */
export interface PathMove {
  from: string;
  to: string;
}

export interface TextChange {
  range: Range;
  newText: string;
}

export interface MovePlan {
  /** Edits by file, on the files as they are before the move. */
  edits: Map<string, TextChange[]>;
  /** Why nothing is edited: the move leaves the search path or collides with another module. */
  refusal?: string;
}

/** The file system as it will be once the moves are done: what `resolveModule` sees after them. */
class MovedFileSystem implements FileSystem {
  constructor(
    private readonly fs: FileSystem,
    private readonly moves: readonly PathMove[],
  ) {}

  /** Where a path after the moves was before them (undefined: a path the moves vacate). */
  private before(p: string): string | undefined {
    for (const m of this.moves) {
      if (isInside(m.to, p)) {
        return path.join(m.from, path.relative(m.to, p));
      }
    }
    return this.moves.some((m) => isInside(m.from, p)) ? undefined : p;
  }

  readFile(file: string): string | undefined {
    const was = this.before(file);
    return was === undefined ? undefined : this.fs.readFile(was);
  }

  isFile(file: string): boolean {
    const was = this.before(file);
    return was !== undefined && this.fs.isFile(was);
  }

  isDirectory(dir: string): boolean {
    const was = this.before(dir);
    return was !== undefined && this.fs.isDirectory(was);
  }

  readDir(dir: string): DirEntry[] {
    const was = this.before(dir);
    return was === undefined ? [] : this.fs.readDir(was);
  }
}

type NewName = { name: string } | { problem: string };

/**
 * What moving files and folders does to the requires and the manifest
 * entries that name the Lua modules moved: every literal require of one (in
 * Lua files and nginx.conf Lua) gets the name the module will have, written
 * in place of the old one inside its quotes (so `require "a"`, `require('a')`,
 * `require [[a]]` and `pcall(require, "a")` keep their form), and `embed`
 * entries are rewritten in the manifest (keeping its comments). A new name is
 * one the project's loaders resolve, after the move, to the moved file, and
 * that names no other module now. When a moved module that something refers
 * to has no such name (it leaves the search path) or the name collides, the
 * plan has no edits and says why.
 */
export function planModuleMoves(workspace: Workspace, moves: readonly PathMove[]): MovePlan {
  const moved = movedLuaFiles(workspace, moves);
  const plan: MovePlan = { edits: new Map() };
  if (moved.size === 0) {
    return plan;
  }
  const after = new MovedFileSystem(workspace.fs, moves);
  // A project that moves as a whole (its root inside a moved folder) keeps its names.
  const movesAlong = (project: Project) => moves.some((m) => isInside(m.from, project.root));
  const problems: string[] = [];
  const names = new Map<string, NewName>();
  const newName = (project: Project, name: string, oldFile: string): NewName => {
    const key = `${project.root}\0${name}\0${oldFile}`;
    let found = names.get(key);
    if (!found) {
      found = nameAfterMove(workspace, after, moved, project, name, oldFile);
      names.set(key, found);
      if ('problem' in found) {
        problems.push(found.problem);
      }
    }
    return found;
  };
  const edit = (file: string, change: TextChange) => {
    const list = plan.edits.get(file) ?? [];
    list.push(change);
    plan.edits.set(file, list);
  };

  const requirers = new Set<string>();
  for (const file of moved.keys()) {
    workspace.requirersOf(file).forEach((f) => requirers.add(f));
  }
  workspace.nginxConfFiles().forEach((f) => requirers.add(f));
  for (const file of [...requirers].sort()) {
    const project = workspace.projectFor(file);
    const host = movesAlong(project) ? undefined : hostViews(workspace, file);
    for (const view of host?.views ?? []) {
      for (const site of view.facts.requires) {
        const target = site.name !== undefined && !site.dynamic ? workspace.resolve(project, site.name).file : undefined;
        if (site.name === undefined || target === undefined || !moved.has(target)) {
          continue;
        }
        const renamed = newName(project, site.name, target);
        if ('name' in renamed && renamed.name !== site.name) {
          const literal = view.text.slice(site.start, site.end);
          if (!fitsLiteral(literal, renamed.name)) {
            problems.push(`The new name '${renamed.name}' cannot be written inside ${literal} in ${displayPath(project.root, file)} without escapes.`);
          }
          edit(file, { range: host!.lines.range(view.base + site.nameStart, view.base + site.nameEnd), newText: renamed.name });
        }
      }
    }
  }

  for (const project of workspace.allProjects()) {
    const manifest = project.manifest;
    const text = manifest && !movesAlong(project) ? workspace.readText(manifest.file) : undefined;
    if (manifest && text !== undefined) {
      const changes = embedChanges(workspace, project, text, moved, newName);
      if (changes.length > 0) {
        const lines = new LineIndex(text);
        for (const e of replaceValues(text, changes)) {
          edit(manifest.file, { range: lines.range(e.offset, e.offset + e.length), newText: e.content });
        }
      }
    }
  }

  // A module nothing refers to may still take the name of another one.
  for (const [oldFile, newFile] of moved) {
    const project = workspace.projectFor(oldFile);
    const name = moduleNameOf(project, newFile)?.name;
    const problem = name !== undefined && !movesAlong(project) ? collision(workspace, moved, project, name, oldFile, newFile) : undefined;
    if (problem && !problems.includes(problem)) {
      problems.push(problem);
    }
  }

  if (problems.length > 0) {
    const more = problems.length > 1 ? ` (and ${problems.length - 1} more problem${problems.length > 2 ? 's' : ''})` : '';
    return { edits: new Map(), refusal: `${problems[0]}${more}` };
  }
  return plan;
}

/** The Lua files the moves take along, old path to new path. */
function movedLuaFiles(workspace: Workspace, moves: readonly PathMove[]): Map<string, string> {
  const out = new Map<string, string>();
  for (const m of moves) {
    if (m.from.endsWith('.lua') && workspace.fs.isFile(m.from)) {
      out.set(m.from, m.to);
    } else if (workspace.fs.isDirectory(m.from)) {
      // The folder as it is on disk: a file moved into it a moment ago may not be in the workspace's list yet.
      const found: string[] = [];
      walkLua(workspace, m.from, 0, found);
      for (const f of found) {
        out.set(f, path.join(m.to, path.relative(m.from, f)));
      }
    }
  }
  return out;
}

/** Whether a module name can stand between a literal's delimiters as it is (no escape needed). */
function fitsLiteral(literal: string, name: string): boolean {
  const quote = literal[0];
  if (quote === '"' || quote === "'") {
    return !name.includes(quote) && !/[\\\r\n]/.test(name);
  }
  return !name.includes(']');
}

/**
 * The name a project will require the moved file by, among those its
 * loaders resolve to it after the move: the one the template the require
 * used gives (a `./?.lua` name such as `lib.app.x` stays one), except that
 * within that template's folder the most specific template wins (a file
 * moved to `a/init.lua` is `a`, not `a.init`); else (luakit) the raw name its
 * own loader tries.
 */
function nameAfterMove(workspace: Workspace, after: FileSystem, moved: ReadonlyMap<string, string>, project: Project, name: string, oldFile: string): NewName {
  const newFile = moved.get(oldFile)!;
  const prefix = (t: SearchTemplate) => t.template.slice(0, t.template.indexOf('?'));
  const used = project.resolver.lua.find((t) => t.template.includes('?') && path.normalize(substitute(t.template, name)) === oldFile);
  let best: { name: string; score: number; template: SearchTemplate } | undefined;
  for (const t of project.resolver.lua) {
    const hit = nameUnderTemplate(newFile, t);
    if (hit && (!best || hit.score > best.score)) {
      best = { ...hit, template: t };
    }
  }
  const same = used && nameUnderTemplate(newFile, used)?.name;
  const ordered = used && best && prefix(used) === prefix(best.template) ? [best.name, same] : [same, best?.name];
  const candidates = ordered.filter((c): c is string => c !== undefined);
  const luakit = project.resolver.luakit;
  for (const root of luakit ? [luakit.ctx, luakit.stdlib] : []) {
    if (root !== undefined && path.dirname(newFile) === root && newFile.endsWith('.lua')) {
      candidates.push(path.basename(newFile, '.lua'));
    }
  }
  const shown = (p: string) => displayPath(project.root, p);
  let problem: string | undefined;
  for (const candidate of new Set(candidates)) {
    const resolved = resolveModule(candidate, project.resolver, after);
    if (resolved.status === 'file' && resolved.file === newFile) {
      const taken = collision(workspace, moved, project, candidate, oldFile, newFile);
      if (!taken) {
        return { name: candidate };
      }
      problem ??= taken;
    } else {
      problem ??= `Moving ${shown(oldFile)} to ${shown(newFile)} would collide with module '${candidate}' (${whereIs(project, resolved)}), which its loaders find first: the requires of '${name}' were left as they are.`;
    }
  }
  return {
    problem:
      problem ??
      `Moving ${shown(oldFile)} to ${shown(newFile)} takes it out of the search path: no package.path template of its project finds it there, so the requires of '${name}' were left as they are.`,
  };
}

/** Whether `name` names another module now (one that does not move), which the moved file would displace. */
function collision(workspace: Workspace, moved: ReadonlyMap<string, string>, project: Project, name: string, oldFile: string, newFile: string): string | undefined {
  const now = workspace.resolve(project, name);
  if (now.status === 'unresolved' || (now.file !== undefined && moved.has(now.file))) {
    return undefined;
  }
  const shown = (p: string) => displayPath(project.root, p);
  return `Moving ${shown(oldFile)} to ${shown(newFile)} would collide with module '${name}' (${whereIs(project, now)}): requires were left as they are.`;
}

function whereIs(project: Project, r: Resolution): string {
  if (r.file !== undefined) {
    return displayPath(project.root, r.file);
  }
  return r.status === 'builtin' ? 'built into the runtime' : r.status === 'provided' ? 'provided by the runtime' : 'not found';
}

/** Changes to a manifest's `embed` entries for the moved modules: names (strings, `module` without `file`) and `file` paths. */
function embedChanges(
  workspace: Workspace,
  project: Project,
  text: string,
  moved: ReadonlyMap<string, string>,
  newName: (project: Project, name: string, oldFile: string) => NewName,
): { path: JSONPath; value: string }[] {
  const root = parseTree(text);
  const embed = root && findNodeAtLocation(root, ['embed']);
  const dir = path.dirname(project.manifest!.file);
  const changes: { path: JSONPath; value: string }[] = [];
  const rename = (node: Node, at: JSONPath) => {
    const name = node.value as string;
    const file = workspace.resolve(project, name).file;
    const renamed = file !== undefined && moved.has(file) ? newName(project, name, file) : undefined;
    if (renamed && 'name' in renamed && renamed.name !== name) {
      changes.push({ path: at, value: renamed.name });
    }
  };
  (embed?.type === 'array' ? (embed.children ?? []) : []).forEach((item, k) => {
    if (item.type === 'string') {
      rename(item, ['embed', k]);
      return;
    }
    const file = item.type === 'object' ? findNodeAtLocation(item, ['file']) : undefined;
    const module = item.type === 'object' ? findNodeAtLocation(item, ['module']) : undefined;
    if (file?.type === 'string') {
      const written = file.value as string;
      const target = moved.get(path.resolve(dir, written));
      if (target !== undefined) {
        changes.push({ path: ['embed', k, 'file'], value: path.isAbsolute(written) ? target : relativeLike(written, toPosix(path.relative(dir, target))) });
      }
    } else if (module?.type === 'string') {
      rename(module, ['embed', k, 'module']);
    }
  });
  return changes;
}

/** A relative path written the way the old one was (`./lib/a.lua` keeps its `./`). */
function relativeLike(old: string, rel: string): string {
  return old.startsWith('./') && !rel.startsWith('../') ? `./${rel}` : rel;
}
