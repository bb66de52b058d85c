import * as path from 'node:path';
import { isInside } from '../paths';
import { builtinModules } from '../resolve/builtins';
import { Project } from '../resolve/project';
import { nameUnderTemplate, Origin } from '../resolve/resolver';
import type { Workspace } from '../workspace/workspace';

/** A module name a require could use in a project, and where it comes from. */
export interface CatalogEntry {
  name: string;
  origin: Origin;
  /** The Lua file, for workspace and stdlib modules. */
  file?: string;
}

/**
 * Bounds of the walk of a search root outside the workspace (a stdlib, a
 * system folder): it may be huge (/proc), deep, or hold links back to
 * itself, and completion waits for it.
 */
const MAX_DEPTH = 12;
const MAX_FILES = 20_000;
/** Folder entries looked at over all the walks of one catalog. */
export const MAX_WALK_ENTRIES = 5_000;

/**
 * The module name a file is required by in a project: the name the most
 * specific template gives (`lib/?/init.lua` beats `lib/?.lua` for
 * `lib/a/init.lua`, and `lib/?.lua` beats `./?.lua` for `lib/a/b.lua`).
 */
export function moduleNameOf(project: Project, file: string): { name: string; origin: Origin } | undefined {
  let best: { name: string; score: number; origin: Origin } | undefined;
  for (const t of project.resolver.lua) {
    const hit = nameUnderTemplate(file, t);
    if (hit && (!best || hit.score > best.score)) {
      best = { ...hit, origin: t.origin };
    }
  }
  return best && { name: best.name, origin: best.origin };
}

/** How much of the disk a walk may still look at, and where it has been. */
export interface WalkBudget {
  /** Entries still to be looked at. */
  entries: number;
  /** Real paths of the folders walked: a link back to a folder already seen is not walked again. */
  seen: Set<string>;
}

/** A fresh budget: MAX_WALK_ENTRIES entries, no folder seen. */
export function walkBudget(): WalkBudget {
  return { entries: MAX_WALK_ENTRIES, seen: new Set() };
}

/**
 * The Lua files under a folder as they are on disk: bounded in depth, count
 * and entries looked at, each real folder once (hidden folders and
 * node_modules skipped).
 */
export function walkLua(workspace: Workspace, dir: string, depth: number, out: string[], budget: WalkBudget = walkBudget()): void {
  if (depth > MAX_DEPTH || out.length >= MAX_FILES || budget.entries <= 0) {
    return;
  }
  const real = workspace.fs.realPath(dir) ?? dir;
  if (budget.seen.has(real)) {
    return;
  }
  budget.seen.add(real);
  for (const e of workspace.fs.readDir(dir)) {
    if (--budget.entries < 0 || out.length >= MAX_FILES) {
      return;
    }
    const full = path.join(dir, e.name);
    if (e.kind === 'directory' && !e.name.startsWith('.') && e.name !== 'node_modules') {
      walkLua(workspace, full, depth + 1, out, budget);
    } else if (e.kind === 'file' && e.name.endsWith('.lua')) {
      out.push(full);
    }
  }
}

const cache = new WeakMap<readonly string[], WeakMap<Project, CatalogEntry[]>>();

/**
 * Every module name a project can require: files under its workspace and
 * stdlib search templates (each under its most specific name), the
 * profile's built-ins and the manifest's `provided` list. Cached until the
 * workspace's file list changes.
 */
export function moduleCatalog(workspace: Workspace, project: Project): CatalogEntry[] {
  const files = workspace.files();
  let perProject = cache.get(files);
  if (!perProject) {
    perProject = new WeakMap();
    cache.set(files, perProject);
  }
  const hit = perProject.get(project);
  if (hit) {
    return hit;
  }
  const candidates = new Set<string>();
  const walked = new Set<string>();
  const budget = walkBudget();
  for (const t of project.resolver.lua) {
    if (t.origin !== 'workspace' && t.origin !== 'stdlib') {
      continue;
    }
    const q = t.template.indexOf('?');
    if (q < 0) {
      continue;
    }
    const dir = path.dirname(t.template.slice(0, q) + 'x');
    const inRoots = workspace.roots.some((r) => isInside(r, dir));
    if (inRoots) {
      const prefix = dir + path.sep;
      for (const f of files) {
        if (f.startsWith(prefix)) {
          candidates.add(f);
        }
      }
    } else if (!walked.has(dir)) {
      walked.add(dir);
      const found: string[] = [];
      walkLua(workspace, dir, 0, found, budget);
      found.forEach((f) => candidates.add(f));
    }
  }
  const byName = new Map<string, CatalogEntry>();
  for (const file of candidates) {
    const named = moduleNameOf(project, file);
    if (named && (named.origin === 'workspace' || named.origin === 'stdlib') && !byName.has(named.name)) {
      byName.set(named.name, { name: named.name, origin: named.origin, file });
    }
  }
  for (const name of builtinModules(project.profile)) {
    byName.set(name, { name, origin: 'builtin' });
  }
  for (const name of project.resolver.provided) {
    byName.set(name, { name, origin: 'provided' });
  }
  const entries = [...byName.values()].sort((a, b) => a.name.localeCompare(b.name));
  perProject.set(project, entries);
  return entries;
}
