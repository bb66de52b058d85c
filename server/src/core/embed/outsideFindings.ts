import * as path from 'node:path';
import { syntaxFindings } from '../checks/checks';
import { LuaFileFacts } from '../lua/luaFile';
import { displayPath, insideTester } from '../paths';
import { ROCKS_TREE_DIRS } from '../resolve/luarocks';
import { Finding } from '../types';
import { Closure, ClosureLink, Embedding } from './closure';
import { withFileList } from './patchedFindings';
import { closureChains } from './why';

/**
 * A closure often reaches files the user does not own: a system
 * lua-resty-core, a vendored tree outside the project. Their findings are
 * reported where the project reaches them instead, at the last link of the
 * require chain that lies inside the project (an `embed` entry, the
 * nginx.conf, or the project's own require), with the original places as
 * related information: one finding per entry point and code, listing each
 * module (or message) once with the count of its other sites.
 */
export interface OutsideContext {
  facts: (file: string) => LuaFileFacts | undefined;
  /** Files inside the analysed folders: their own findings are reported there already. */
  isOwned: (file: string) => boolean;
}

/** The context of a workspace: its facts, and its roots as the files the user owns. */
export function outsideContext(workspace: { readonly roots: readonly string[]; facts(file: string): LuaFileFacts | undefined }): OutsideContext {
  const owned = workspace.roots.map(insideTester);
  const inRocksTree = (f: string) => f.split(path.sep).some((segment) => (ROCKS_TREE_DIRS as readonly string[]).includes(segment));
  return { facts: (f) => workspace.facts(f), isOwned: (f) => owned.some((inside) => inside(f)) && !inRocksTree(f) };
}

const reportedByClosure = new WeakMap<Closure, Map<string, Finding[]>>();

function linkText(link: ClosureLink): string {
  return link.kind === 'embed' ? `the embed entry '${link.module}'` : link.kind === 'nginx.conf' ? `${link.directive ?? 'the directive'} ${link.module}` : `this require of '${link.module}'`;
}

/** A project's own files: inside its folder, not in a rocks tree there (installed rocks, which the user does not own). */
export function ownedByProject(root: string): (file: string) => boolean {
  const inside = insideTester(root);
  const trees = ROCKS_TREE_DIRS.map((d) => insideTester(path.join(root, d)));
  return (file) => inside(file) && !trees.some((inTree) => inTree(file));
}

/** The entry point of a chain: its last link inside the project. */
function entryPointFor(chain: readonly ClosureLink[] | undefined, inside: (file: string) => boolean): ClosureLink | undefined {
  let last: ClosureLink | undefined;
  for (const link of chain ?? []) {
    if (!inside(link.file)) {
      break;
    }
    last = link;
  }
  return last;
}

const SEVERITY_RANK: Record<Finding['severity'], number> = { error: 3, warning: 2, info: 1, hint: 0 };

function place(f: Finding, root: string): string {
  return `${displayPath(root, f.file)}:${f.range.start.line + 1}`;
}

/**
 * The findings of one code that one entry point brings in from outside the
 * project, as one finding there: a single one keeps its message (and its
 * search trail); several are listed one line each, a module once.
 */
function atEntryPoint(entry: ClosureLink, findings: readonly Finding[], root: string): Finding {
  const distinct = new Map<string, { first: Finding; sites: number }>();
  for (const f of findings) {
    const key = f.module ?? f.message;
    const seen = distinct.get(key);
    if (seen) {
      seen.sites++;
    } else {
      distinct.set(key, { first: f, sites: 1 });
    }
  }
  const first = findings[0];
  const related = findings.map((f) => ({ file: f.file, range: f.range, message: `${f.code}${f.module ? ` '${f.module}'` : ''}, in a file outside the project` }));
  const moved = { file: entry.file, range: entry.range, code: first.code, related };
  const more = (n: number) => (n > 1 ? ` (and ${n - 1} more ${n === 2 ? 'site' : 'sites'})` : '');
  if (distinct.size === 1) {
    return {
      ...first,
      ...moved,
      message: `In ${place(first, root)}, outside the project, reached through ${linkText(entry)}: ${first.message}${findings.length > 1 ? `\n(and ${findings.length - 1} more outside the project)` : ''}`,
    };
  }
  const severity = findings.reduce((worst, f) => (SEVERITY_RANK[f.severity] > SEVERITY_RANK[worst] ? f.severity : worst), first.severity);
  const lines = [...distinct.values()].map(({ first: f, sites }) => `\t${place(f, root)}: ${f.module !== undefined ? `'${f.module}'` : f.message.split('\n')[0]}${more(sites)}`);
  return {
    ...moved,
    severity,
    message: [`${distinct.size} ${first.code} findings in files outside the project, reached through ${linkText(entry)}:`, ...lines].join('\n'),
  };
}

function computeReported(embedding: Embedding, context: OutsideContext): Map<string, Finding[]> {
  const { closure, project } = embedding;
  const root = project.root;
  const out = new Map<string, Finding[]>();
  const add = (f: Finding) => {
    const list = out.get(f.file);
    if (list) {
      list.push(f);
    } else {
      out.set(f.file, [f]);
    }
  };
  const inside = ownedByProject(root);
  const moved = new Map<string, { entry: ClosureLink; findings: Finding[] }>();
  const relocate = (f: Finding) => {
    const entry = entryPointFor(closureChains(embedding).toFile(f.file), inside);
    if (!entry) {
      // Reached through nothing inside the project (an nginx.conf outside it): reported where it is.
      add(f);
      return;
    }
    const key = `${entry.file}\0${entry.range.start.line}:${entry.range.start.character}\0${f.code}`;
    const group = moved.get(key);
    if (group) {
      group.findings.push(f);
    } else {
      moved.set(key, { entry, findings: [f] });
    }
  };
  for (const [file, findings] of closure.byFile) {
    if (inside(file)) {
      findings.forEach(add);
    } else {
      findings.forEach(relocate);
    }
  }
  for (const file of closure.files) {
    if (inside(file) || context.isOwned(file)) {
      continue;
    }
    const facts = context.facts(file);
    if (facts) {
      syntaxFindings(file, facts, project.dialect).forEach(relocate);
    }
  }
  for (const { entry, findings } of moved.values()) {
    add(atEntryPoint(entry, findings, root));
  }
  return out;
}

/**
 * Carries the reported findings of `before` over to `after`, the same
 * closure with `file`'s judgement patched (same files, same require graph):
 * where the file is the project's own and reports only its own findings,
 * only its list changes (a file gaining its first finding comes last: the
 * files are looked up, their order carries no meaning). Anything else is
 * left to computing them afresh: nothing reported yet, a file outside the
 * project, findings moved to the file from outside (they sit at its
 * require sites, which an edit moves).
 */
export function carryReported(embedding: Embedding, before: Closure, file: string): void {
  const after = embedding.closure;
  const reported = reportedByClosure.get(before);
  if (!reported || !before.hasByFile || !after.hasByFile || reportedByClosure.has(after) || !ownedByProject(embedding.project.root)(file)) {
    return;
  }
  const own = before.byFile.get(file) ?? [];
  const list = reported.get(file) ?? [];
  if (list.length !== own.length || !own.every((f, i) => list[i] === f)) {
    return;
  }
  reportedByClosure.set(after, withFileList(reported, file, [...(after.byFile.get(file) ?? [])]));
}

/**
 * The closure's findings by the file they are reported in: those inside the
 * project where they are, those outside at the project's entry point that
 * reaches them. Computed once per closure.
 */
export function reportedClosureFindings(embedding: Embedding, context: OutsideContext): Map<string, Finding[]> {
  let reported = reportedByClosure.get(embedding.closure);
  if (!reported) {
    reported = computeReported(embedding, context);
    reportedByClosure.set(embedding.closure, reported);
  }
  return reported;
}
