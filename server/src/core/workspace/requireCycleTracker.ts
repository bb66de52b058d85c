import { findRequireCycles } from '../resolve/requireCycles';
import { Finding } from '../types';
import type { AnalysedWorkspace } from './analysedWorkspace';
import { sameFindings } from './closureState';

/** What the cycle search reads of the workspace. */
export type CycleSource = Pick<AnalysedWorkspace, 'files' | 'facts' | 'projectFor' | 'resolve'>;

/**
 * The workspace's load-time require cycles, by the file whose require closes
 * each. Found again after a refresh (a new generation) and when an edit
 * changes which modules a file requires; with `deferred`, an edit only marks
 * them stale, and `refreshStale` finds them again (a server does so when
 * typing pauses): the search walks the whole workspace, which an edit's
 * latency should not pay for.
 */
export class RequireCycleTracker {
  private cycles: { generation: number; byFile: Map<string, Finding[]> } | undefined;
  /** An edit changed some file's requires since the cycles were found (deferred only). */
  private stale = false;

  constructor(
    private readonly source: CycleSource,
    private readonly generation: () => number,
    private readonly deferred: boolean,
  ) {}

  /** An edit changed which modules some file requires. */
  requiresChanged(): void {
    if (this.deferred) {
      this.stale = true;
    } else {
      this.cycles = undefined;
    }
  }

  /** Cycle findings by file, found again if the generation moved on since. */
  byFile(): Map<string, Finding[]> {
    const generation = this.generation();
    if (this.cycles?.generation !== generation) {
      this.cycles = { generation, byFile: this.find() };
      this.stale = false;
    }
    return this.cycles.byFile;
  }

  findingsOf(file: string): readonly Finding[] {
    return this.byFile().get(file) ?? [];
  }

  /** Finds the cycles again if they are stale; returns the files whose cycle findings changed. */
  refreshStale(): string[] {
    if (!this.stale || !this.cycles) {
      return [];
    }
    const before = this.cycles.byFile;
    const after = this.find();
    this.cycles = { generation: this.generation(), byFile: after };
    this.stale = false;
    const changed: string[] = [];
    for (const file of new Set([...before.keys(), ...after.keys()])) {
      if (!sameFindings(before.get(file), after.get(file))) {
        changed.push(file);
      }
    }
    return changed;
  }

  private find(): Map<string, Finding[]> {
    const byFile = new Map<string, Finding[]>();
    const found = findRequireCycles({
      files: this.source.files(),
      facts: (f) => this.source.facts(f),
      resolve: (f, name) => this.source.resolve(this.source.projectFor(f), name),
    });
    for (const f of found) {
      byFile.set(f.file, [...(byFile.get(f.file) ?? []), f]);
    }
    return byFile;
  }
}
