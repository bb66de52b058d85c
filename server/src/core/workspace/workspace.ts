import * as path from 'node:path';
import { CachedFileSystem, FileSystem, GuardedFileSystem } from '../fs';
import { analyzeLua, factsFromScan, LuaFileFacts, SyntaxVerdict } from '../lua/luaFile';
import { LuaScan } from '../lua/luaScan';
import { Manifest, MANIFEST_NAME, parseManifest } from '../manifest/manifest';
import { createProject, Env, Project } from '../resolve/project';
import { computeClosure, embeddedByName, Embedding, FileJudgement, judge, sameReach } from '../embed/closure';
import { buildMapping } from '../embed/mapping';
import { Resolution, resolveModule } from '../resolve/resolver';
import { Finding, LineIndex } from '../types';
import { findRequireCycles } from '../resolve/requireCycles';
import { isInside } from '../paths';
import type { AnalysedWorkspace } from './analysedWorkspace';
import { ClosureState, closureStateOf, sameFindings } from './closureState';
import { walkWorkspaceFolders } from './folderWalk';
import { OverlayFileSystem } from './overlayFs';

export interface WorkspaceOptions {
  /**
   * Keep require-cycle findings from before an edit until refreshStaleCycles()
   * is called (a server does so when typing pauses): finding cycles walks the
   * whole workspace, which an edit's latency should not pay for.
   */
  deferCycles?: boolean;
  /** Absolute folders to analyse (workspace folders, or the CLI's dir). */
  roots: string[];
  env: Env;
}

/**
 * Facts of one file: from an open document (checked by its text) or from
 * disk (checked by its stamp, at most once per generation).
 */
interface CachedFacts {
  facts: LuaFileFacts;
  text?: string;
  stamp?: string;
  generation: number;
}

/**
 * The analysis of a set of folders: projects, files and their facts, and the
 * findings derived from them. Shared by the language server and the CLI, so
 * the two never disagree. Knows nothing about LSP or the terminal.
 */
export class Workspace implements AnalysedWorkspace {
  readonly fs: CachedFileSystem;
  private readonly overlays: OverlayFileSystem;
  private readonly factsCache = new Map<string, CachedFacts>();
  private projects: Project[] = [];
  private readonly defaultProjects = new Map<string, Project>();
  private readonly projectOfFile = new Map<string, Project>();
  private luaFiles: string[] = [];
  private manifestFiles: string[] = [];
  private confFiles: string[] = [];
  private manifestFindingsByFile = new Map<string, Finding[]>();
  /** The last manifest that parsed, per file: a broken edit keeps the analysis going. */
  private readonly lastGoodManifest = new Map<string, Manifest>();
  private resolutionCache = new Map<Project, Map<string, Resolution>>();
  /** Mapping and closure per project with a manifest; recomputed lazily after any change. */
  private embeddingsByProject: Map<Project, Embedding> | undefined;
  /** Per-file closure judgements, valid until the mapping or the resolutions change (refresh). */
  private closureCaches = new Map<Project, Map<string, FileJudgement>>();
  /** require-cycle findings by file; recomputed lazily whenever the embeddings are. */
  private cycles: { generation: number; byFile: Map<string, Finding[]> } | undefined;
  /** An edit changed some file's requires since the cycles were found (deferCycles only). */
  private cyclesStale = false;

  constructor(
    diskFs: FileSystem,
    private readonly options: WorkspaceOptions,
  ) {
    this.overlays = new OverlayFileSystem(new GuardedFileSystem(diskFs));
    this.fs = new CachedFileSystem(this.overlays);
    this.refresh();
  }

  get env(): Env {
    return this.options.env;
  }

  get roots(): readonly string[] {
    return this.options.roots;
  }

  /**
   * Who requires what: resolved target file -> the files whose requires
   * resolve to it, kept per file with the facts it was built from, so a
   * query after an edit re-reads only the edited file.
   */
  private requirers: { byTarget: Map<string, Set<string>>; seen: Map<string, { facts: LuaFileFacts; targets: string[] }> } | undefined;

  /** Bumped whenever the disk may have changed: cached facts are re-checked against their stamp once. */
  private generation = 0;

  /** Re-reads the folder structure: after files were created, deleted or renamed. */
  refresh(): void {
    this.generation++;
    this.requirers = undefined;
    this.fs.invalidate();
    this.resolutionCache = new Map();
    this.embeddingsByProject = undefined;
    this.closureCaches = new Map();
    const found = walkWorkspaceFolders(this.fs, this.options.roots, this.overlays.openFiles());
    this.luaFiles = found.lua;
    this.manifestFiles = found.manifests;
    this.confFiles = found.nginxConfs;
    this.buildProjects(found.buildScripts);
    for (const file of [...this.factsCache.keys()]) {
      if (!this.fs.isFile(file) && !this.overlays.isOpen(file)) {
        this.factsCache.delete(file);
      }
    }
  }

  private buildProjects(scripts: string[]): void {
    const projects: Project[] = [];
    this.manifestFindingsByFile = new Map();
    const manifestDirs = new Set<string>();
    for (const file of this.manifestFiles) {
      const text = this.fs.readFile(file) ?? '';
      const result = parseManifest(file, text);
      this.manifestFindingsByFile.set(file, result.findings);
      let manifest = result.manifest;
      if (manifest) {
        this.lastGoodManifest.set(file, manifest);
      } else {
        manifest = this.lastGoodManifest.get(file);
      }
      const dir = path.dirname(file);
      manifestDirs.add(dir);
      projects.push(createProject(this.fs, this.options.env, dir, manifest));
    }
    for (const script of scripts) {
      const dir = path.dirname(script);
      const covered = projects.some((p) => p.buildScript === script || (manifestDirs.has(dir) && p.root === dir));
      if (!covered) {
        const project = createProject(this.fs, this.options.env, dir);
        if (project.profile === 'luakit') {
          projects.push(project);
        }
      }
    }
    // Deepest root first, so the innermost project owns a file.
    this.projects = projects.sort((a, b) => b.root.length - a.root.length);
    this.defaultProjects.clear();
    this.projectOfFile.clear();
  }

  /** The project a file belongs to: the innermost manifest or build script folder, else its workspace root. */
  projectFor(file: string): Project {
    // Asked for every require of every file: remembered per file until the projects change.
    let project = this.projectOfFile.get(file);
    if (!project) {
      project = this.findProject(file);
      this.projectOfFile.set(file, project);
    }
    return project;
  }

  private findProject(file: string): Project {
    for (const p of this.projects) {
      if (isInside(p.root, file)) {
        return p;
      }
    }
    const root = this.options.roots.find((r) => isInside(r, file)) ?? path.dirname(file);
    let project = this.defaultProjects.get(root);
    if (!project) {
      project = createProject(this.fs, this.options.env, root);
      this.defaultProjects.set(root, project);
    }
    return project;
  }

  allProjects(): readonly Project[] {
    return this.projects;
  }

  /** Lua files found in the roots (plus open documents inside them). */
  files(): readonly string[] {
    return this.luaFiles;
  }

  manifests(): readonly string[] {
    return this.manifestFiles;
  }

  /** nginx configurations found in the roots (nginx.conf, *.nginx, conf/*.conf). */
  nginxConfFiles(): readonly string[] {
    return this.confFiles;
  }

  setDocument(file: string, text: string): void {
    const known = this.overlays.isOpen(file) || this.luaFiles.includes(file);
    const requiredBefore = this.factsCache.get(file)?.facts.requires.map((r) => r.name ?? '').join('\n');
    this.overlays.setText(file, text);
    if (requiredBefore !== this.facts(file)?.requires.map((r) => r.name ?? '').join('\n')) {
      if (this.options.deferCycles) {
        this.cyclesStale = true;
      } else {
        this.cycles = undefined;
      }
    }
    if (path.basename(file) === MANIFEST_NAME || this.projects.some((p) => p.nginxConfFile === file) || (!known && file.endsWith('.lua'))) {
      this.refresh();
      return;
    }
    this.afterContentChange(file);
  }

  /**
   * Keeps the embed closures after an edit of one file: untouched when the
   * file is in none; patched when its requires reach the same modules as
   * before (the usual edit); recomputed (from cached judgements) otherwise.
   */
  private afterContentChange(file: string): void {
    if (!this.embeddingsByProject) {
      return;
    }
    for (const [project, embedding] of this.embeddingsByProject) {
      if (!embedding.closure.files.has(file)) {
        continue;
      }
      const cache = this.closureCacheOf(project);
      const old = cache.get(file);
      const facts = this.facts(file);
      if (!old || !facts) {
        this.embeddingsByProject = undefined;
        return;
      }
      const fresh = judge(file, facts, (s, e) => facts.lines.range(s, e), embeddedByName(embedding.mapping), (name) => this.resolve(project, name));
      cache.set(file, fresh);
      if (!sameReach(old, fresh)) {
        this.embeddingsByProject = undefined;
        return;
      }
      embedding.closure = embedding.closure.patched(file, fresh);
    }
  }

  closeDocument(file: string): void {
    this.overlays.close(file);
    this.afterContentChange(file);
    if (path.basename(file) === MANIFEST_NAME) {
      this.refresh();
    }
  }

  /** The text the analysis sees: the open editor's, else the disk's. */
  readText(file: string): string | undefined {
    return this.fs.readFile(file);
  }

  facts(file: string): LuaFileFacts | undefined {
    const overlay = this.overlays.openText(file);
    const cached = this.factsCache.get(file);
    if (overlay !== undefined) {
      if (cached?.text === overlay) {
        return cached.facts;
      }
      const facts = analyzeLua(overlay);
      this.factsCache.set(file, { facts, text: overlay, generation: this.generation });
      return facts;
    }
    const stamp = this.fs.stamp;
    if (cached?.stamp !== undefined && stamp) {
      if (cached.generation === this.generation) {
        return cached.facts;
      }
      if (stamp(file) === cached.stamp) {
        cached.generation = this.generation;
        return cached.facts;
      }
    }
    const current = stamp?.(file);
    const text = this.fs.readFile(file);
    if (text === undefined) {
      this.factsCache.delete(file);
      return undefined;
    }
    if (cached?.text === text && !current) {
      return cached.facts;
    }
    const facts = analyzeLua(text);
    this.factsCache.set(file, current ? { facts, stamp: current, generation: this.generation } : { facts, text, generation: this.generation });
    return facts;
  }

  /**
   * Facts computed elsewhere (a worker thread read and parsed the file) for
   * the disk content identified by `stamp`. The text is read again only if a
   * finding needs line numbers.
   */
  primeFacts(file: string, stamp: string, scan: LuaScan, syntax: SyntaxVerdict | null, lines?: { starts: Int32Array; length: number }): void {
    if (this.overlays.isOpen(file)) {
      return;
    }
    const facts = factsFromScan(scan, syntax, () => this.fs.readFile(file) ?? '', lines ? new LineIndex(lines) : undefined);
    this.factsCache.set(file, { facts, stamp, generation: this.generation });
  }

  resolve(project: Project, name: string): Resolution {
    let cache = this.resolutionCache.get(project);
    if (!cache) {
      cache = new Map();
      this.resolutionCache.set(project, cache);
    }
    let hit = cache.get(name);
    if (!hit) {
      hit = resolveModule(name, project.resolver, this.fs);
      cache.set(name, hit);
    }
    return hit;
  }

  /** The name mapping and embed closure of a project that has a manifest. */
  embedding(project: Project): Embedding | undefined {
    return this.allEmbeddings().get(project);
  }

  embeddings(): Iterable<Embedding> {
    return this.allEmbeddings().values();
  }

  manifestFindings(file: string): readonly Finding[] {
    return this.manifestFindingsByFile.get(file) ?? [];
  }

  private allEmbeddings(): Map<Project, Embedding> {
    if (!this.embeddingsByProject) {
      const out = new Map<Project, Embedding>();
      for (const project of this.projects) {
        const manifest = project.manifest;
        if (!manifest) {
          continue;
        }
        const resolve = (name: string) => this.resolve(project, name);
        const mapping = buildMapping(manifest, resolve, (f) => this.fs.isFile(f));
        const closure = computeClosure({
          project,
          mapping,
          facts: (f) => this.facts(f),
          resolve,
          readText: (f) => this.readText(f),
          isFile: (f) => this.fs.isFile(f),
          cache: this.closureCacheOf(project),
        });
        out.set(project, { project, mapping, closure });
      }
      this.embeddingsByProject = out;
    }
    return this.embeddingsByProject;
  }

  /**
   * What the embed closures say, per file: compared before and after an edit
   * to find the files whose findings the edit changed, without checking
   * the whole workspace again.
   */
  closureState(): ClosureState {
    const embeddings = [...this.allEmbeddings().values()];
    return closureStateOf(embeddings, this.cycleState());
  }

  private closureCacheOf(project: Project): Map<string, FileJudgement> {
    let cache = this.closureCaches.get(project);
    if (!cache) {
      cache = new Map();
      this.closureCaches.set(project, cache);
    }
    return cache;
  }

  /** Load-time require cycles among the workspace's files, at the require closing each. */
  cycleFindings(file: string): readonly Finding[] {
    return this.cycleState().get(file) ?? [];
  }

  /**
   * Cycle findings by file. Recomputed when the embeddings are rebuilt and
   * when an edit changes which modules a file requires (see setDocument).
   */
  private cycleState(): Map<string, Finding[]> {
    if (this.cycles?.generation !== this.generation) {
      this.cycles = { generation: this.generation, byFile: this.findCycles() };
      this.cyclesStale = false;
    }
    return this.cycles.byFile;
  }

  private findCycles(): Map<string, Finding[]> {
    const byFile = new Map<string, Finding[]>();
    const found = findRequireCycles({ files: this.luaFiles, facts: (f) => this.facts(f), resolve: (f, name) => this.resolve(this.projectFor(f), name) });
    for (const f of found) {
      byFile.set(f.file, [...(byFile.get(f.file) ?? []), f]);
    }
    return byFile;
  }

  /**
   * With deferCycles: finds the cycles again if an edit changed some file's
   * requires, and returns the files whose cycle findings changed.
   */
  refreshStaleCycles(): string[] {
    if (!this.cyclesStale || !this.cycles) {
      return [];
    }
    const before = this.cycles.byFile;
    const after = this.findCycles();
    this.cycles = { generation: this.generation, byFile: after };
    this.cyclesStale = false;
    const changed: string[] = [];
    for (const file of new Set([...before.keys(), ...after.keys()])) {
      if (!sameFindings(before.get(file), after.get(file))) {
        changed.push(file);
      }
    }
    return changed;
  }

  /** The Lua files with a require that resolves to `target` (a file), in path order. */
  requirersOf(target: string): string[] {
    const index = (this.requirers ??= { byTarget: new Map(), seen: new Map() });
    for (const file of this.luaFiles) {
      const facts = this.facts(file);
      const previous = index.seen.get(file);
      if (!facts || previous?.facts === facts) {
        continue;
      }
      for (const t of previous?.targets ?? []) {
        index.byTarget.get(t)?.delete(file);
      }
      const project = this.projectFor(file);
      const targets = new Set<string>();
      for (const site of facts.requires) {
        const resolved = site.name !== undefined && !site.dynamic ? this.resolve(project, site.name).file : undefined;
        if (resolved !== undefined) {
          targets.add(resolved);
        }
      }
      for (const t of targets) {
        let set = index.byTarget.get(t);
        if (!set) {
          set = new Set();
          index.byTarget.set(t, set);
        }
        set.add(file);
      }
      index.seen.set(file, { facts, targets: [...targets] });
    }
    return [...(index.byTarget.get(target) ?? [])].sort();
  }
}
