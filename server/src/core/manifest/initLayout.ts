import * as path from 'node:path';
import { relativeInside } from '../paths';
import { RockspecModules } from './rockspec';

/**
 * Folders at a project's top that hold tests, specs, examples, benchmarks,
 * tooling or installed dependencies (a project-local LuaRocks tree) rather
 * than the project's modules: `init` excludes them (and embeds nothing from
 * them unless an embedded module requires it).
 */
const NOT_MODULE_DIRS = new Set([
  't',
  'test',
  'tests',
  'spec',
  'specs',
  'example',
  'examples',
  'bench',
  'benchmark',
  'benchmarks',
  'integration',
  'scripts',
  'tools',
  'lua_modules',
  'deps',
]);

/** Files that are tests or benchmarks by their name, wherever they are. */
const NOT_MODULE_FILES: [RegExp, string][] = [
  [/_spec\.lua$/, '**/*_spec.lua'],
  [/_test\.lua$/, '**/*_test.lua'],
  [/^test_.*\.lua$/, '**/test_*.lua'],
];
const BENCH_FILE = /^bench(mark)?s?\.lua$/;

/** The `exclude` patterns for the tests, specs, examples and benchmarks among `files` (absolute) of `root`. */
export function excludesFor(root: string, files: readonly string[]): string[] {
  const patterns = new Set<string>();
  for (const file of files) {
    const rel = relativeInside(root, file);
    if (rel === undefined || rel === '') {
      continue;
    }
    const parts = rel.split('/');
    if (parts.length > 1 && (NOT_MODULE_DIRS.has(parts[0]) || /^spec-/.test(parts[0]))) {
      patterns.add(`${parts[0]}/**`);
      continue;
    }
    const base = parts[parts.length - 1];
    const byName = NOT_MODULE_FILES.find(([re]) => re.test(base));
    if (byName) {
      patterns.add(byName[1]);
    } else if (BENCH_FILE.test(base)) {
      patterns.add(rel);
    }
  }
  return [...patterns].sort();
}

/** A search root inside the project (`''` or `lib/`), from which `<root>?.lua` and `<root>?/init.lua` find modules. */
export type SearchRoot = string;

/**
 * The search roots a rockspec's mapping implies: for `["a.b"] = "lib/a/b.lua"`
 * (or `lib/a/b/init.lua`) the root is `lib/`, most used first. Entries that
 * no root explains (a file under another name) are returned as explicit.
 */
export function rootsFromRockspec(rockspec: RockspecModules): { roots: SearchRoot[]; explicit: Map<string, string> } {
  const counts = new Map<SearchRoot, number>();
  const explicit = new Map<string, string>();
  for (const [name, file] of rockspec.lua) {
    const normalized = path.posix.normalize(file.replace(/\\/g, '/')).replace(/^\.\//, '');
    const slashed = name.split('.').join('/');
    const root = [`${slashed}.lua`, `${slashed}/init.lua`].map((tail) => (normalized.endsWith(tail) && (normalized.length === tail.length || normalized[normalized.length - tail.length - 1] === '/') ? normalized.slice(0, normalized.length - tail.length) : undefined)).find((r) => r !== undefined);
    if (root === undefined || root.startsWith('../')) {
      explicit.set(name, normalized);
    } else {
      counts.set(root, (counts.get(root) ?? 0) + 1);
    }
  }
  const roots = [...counts.entries()].sort((a, b) => b[1] - a[1] || a[0].localeCompare(b[0])).map(([root]) => root);
  return { roots, explicit };
}

/** `package.path` templates for search roots, each with its `?/init.lua` form, LuaJIT's defaults last. */
export function templatesFor(roots: readonly SearchRoot[]): string[] {
  return [...roots.flatMap((r) => [`${r}?.lua`, `${r}?/init.lua`]), ';;'];
}
