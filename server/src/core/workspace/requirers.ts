import { LuaFileFacts } from '../lua/luaFile';
import type { AnalysedWorkspace } from './analysedWorkspace';

/** What the reverse index reads of the workspace. */
export type RequireSource = Pick<AnalysedWorkspace, 'files' | 'facts' | 'projectFor' | 'resolve'>;

/**
 * Who requires what: resolved target file -> the files whose requires
 * resolve to it, kept per file with the facts it was built from. Built over
 * every file on the first query; after that a query reads again only the
 * files whose facts the workspace says `changed` (an edit, a close, facts
 * primed), not every file of a 10k workspace. Valid until the resolutions
 * change (`clear` on refresh).
 */
export class RequirersIndex {
  private readonly byTarget = new Map<string, Set<string>>();
  private readonly seen = new Map<string, { facts: LuaFileFacts; targets: string[] }>();
  /** Every file was indexed once since the last `clear`: then only the files `changed` names are looked at again. */
  private built = false;
  private readonly dirty = new Set<string>();

  constructor(private readonly source: RequireSource) {}

  clear(): void {
    this.byTarget.clear();
    this.seen.clear();
    this.dirty.clear();
    this.built = false;
  }

  /** The facts of `file` may have changed (an edit, facts primed): its requires are read again on the next query. */
  changed(file: string): void {
    if (this.built) {
      this.dirty.add(file);
    }
  }

  /** The Lua files with a require that resolves to `target` (a file), in path order. */
  requirersOf(target: string): string[] {
    const files = this.built ? [...this.dirty] : this.source.files();
    this.built = true;
    this.dirty.clear();
    for (const file of files) {
      const facts = this.source.facts(file);
      const previous = this.seen.get(file);
      if (previous?.facts === facts) {
        continue;
      }
      for (const t of previous?.targets ?? []) {
        this.byTarget.get(t)?.delete(file);
      }
      if (!facts) {
        this.seen.delete(file);
        continue;
      }
      const project = this.source.projectFor(file);
      const targets = new Set<string>();
      for (const site of facts.requires) {
        const resolved = site.name !== undefined && !site.dynamic ? this.source.resolve(project, site.name).file : undefined;
        if (resolved !== undefined) {
          targets.add(resolved);
        }
      }
      for (const t of targets) {
        let set = this.byTarget.get(t);
        if (!set) {
          set = new Set();
          this.byTarget.set(t, set);
        }
        set.add(file);
      }
      this.seen.set(file, { facts, targets: [...targets] });
    }
    return [...(this.byTarget.get(target) ?? [])].sort();
  }
}
