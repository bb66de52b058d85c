import { LuaFileFacts } from '../lua/luaFile';
import type { AnalysedWorkspace } from './analysedWorkspace';

/** What the reverse index reads of the workspace. */
export type RequireSource = Pick<AnalysedWorkspace, 'files' | 'facts' | 'projectFor' | 'resolve'>;

/**
 * Who requires what: resolved target file -> the files whose requires
 * resolve to it, kept per file with the facts it was built from, so a
 * query after an edit re-reads only the edited file. Valid until the
 * resolutions change (`clear` on refresh).
 */
export class RequirersIndex {
  private readonly byTarget = new Map<string, Set<string>>();
  private readonly seen = new Map<string, { facts: LuaFileFacts; targets: string[] }>();

  constructor(private readonly source: RequireSource) {}

  clear(): void {
    this.byTarget.clear();
    this.seen.clear();
  }

  /** The Lua files with a require that resolves to `target` (a file), in path order. */
  requirersOf(target: string): string[] {
    for (const file of this.source.files()) {
      const facts = this.source.facts(file);
      const previous = this.seen.get(file);
      if (!facts || previous?.facts === facts) {
        continue;
      }
      for (const t of previous?.targets ?? []) {
        this.byTarget.get(t)?.delete(file);
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
