import { computeClosure, Embedding } from '../embed/closure';
import { embeddedByName, FileJudgement, judge, sameReach } from '../embed/judgement';
import { carryReported } from '../embed/outsideFindings';
import { buildMapping } from '../embed/mapping';
import { Project } from '../resolve/project';
import type { AnalysedWorkspace } from './analysedWorkspace';

/** What the embeddings read of the workspace. */
export type EmbeddingSource = Pick<AnalysedWorkspace, 'allProjects' | 'facts' | 'readText' | 'resolve' | 'inputProblem'> & { isFile(file: string): boolean };

/**
 * The name mapping and embed closure of every project with a manifest,
 * computed on first use. The closure keeps a judgement per file, so an edit
 * re-judges one file and, when its requires reach the same modules as
 * before, patches the closure instead of walking it again.
 */
export class ProjectEmbeddings {
  /** Recomputed lazily after any change that may move the closures. */
  private byProject: Map<Project, Embedding> | undefined;
  /** The same embeddings as a list (an edit patches an embedding in place, so the list stays valid). */
  private list: Embedding[] = [];
  /** Per-file closure judgements, valid until the mapping or the resolutions change (`reset`). */
  private judgementCaches = new Map<Project, Map<string, FileJudgement>>();

  constructor(private readonly source: EmbeddingSource) {}

  /** The projects, mappings or resolutions changed: everything is computed again on next use. */
  reset(): void {
    this.byProject = undefined;
    this.judgementCaches = new Map();
  }

  of(project: Project): Embedding | undefined {
    return this.byProjectNow().get(project);
  }

  /** Every project's embedding, in project order. */
  all(): readonly Embedding[] {
    this.byProjectNow();
    return this.list;
  }

  private byProjectNow(): Map<Project, Embedding> {
    if (!this.byProject) {
      const out = new Map<Project, Embedding>();
      for (const project of this.source.allProjects()) {
        const manifest = project.manifest;
        if (!manifest) {
          continue;
        }
        const resolve = (name: string) => this.source.resolve(project, name);
        const mapping = buildMapping(manifest, resolve, (f) => this.source.isFile(f), (f) => this.source.inputProblem(f));
        const closure = computeClosure({
          project,
          mapping,
          facts: (f) => this.source.facts(f),
          resolve,
          readText: (f) => this.source.readText(f),
          isFile: (f) => this.source.isFile(f),
          cache: this.judgementsOf(project),
        });
        out.set(project, { project, mapping, closure });
      }
      this.byProject = out;
      this.list = [...out.values()];
    }
    return this.byProject;
  }

  /**
   * Keeps the closures after an edit of one file: untouched when the file
   * is in none; patched when its requires reach the same modules as before
   * (the usual edit); recomputed (from cached judgements) otherwise.
   */
  afterContentChange(file: string): void {
    if (!this.byProject) {
      return;
    }
    for (const [project, embedding] of this.byProject) {
      if (!embedding.closure.files.has(file)) {
        continue;
      }
      const cache = this.judgementsOf(project);
      const old = cache.get(file);
      const facts = this.source.facts(file);
      if (!old || !facts) {
        this.byProject = undefined;
        return;
      }
      const fresh = judge(file, facts, (s, e) => facts.lines.range(s, e), embeddedByName(embedding.mapping), (name) => this.source.resolve(project, name));
      cache.set(file, fresh);
      if (!sameReach(old, fresh)) {
        this.byProject = undefined;
        return;
      }
      const before = embedding.closure;
      embedding.closure = before.patched(file, fresh);
      carryReported(embedding, before, file);
    }
  }

  private judgementsOf(project: Project): Map<string, FileJudgement> {
    let cache = this.judgementCaches.get(project);
    if (!cache) {
      cache = new Map();
      this.judgementCaches.set(project, cache);
    }
    return cache;
  }
}
