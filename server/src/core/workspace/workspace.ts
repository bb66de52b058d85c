import * as path from 'node:path';
import { Embedding } from '../embed/closure';
import { outsideContext } from '../embed/outsideFindings';
import { CachedFileSystem, GuardedFileSystem } from '../fileSystemLayers';
import { FileSystem } from '../fs';
import { ComputedFacts, LuaFileFacts } from '../lua/luaFile';
import { MANIFEST_NAME } from '../manifest/manifest';
import { isInside } from '../paths';
import { isLuakitBuildScript } from '../resolve/luakitStdlib';
import { Env, Lua52Detector, Project } from '../resolve/project';
import { Resolution } from '../resolve/resolver';
import { Finding } from '../types';
import type { AnalysedWorkspace } from './analysedWorkspace';
import { ClosureState, closureStateOf } from './closureState';
import { ProjectEmbeddings } from './embeddings';
import { FactsCache } from './factsCache';
import { UndecodableName, walkWorkspaceFolders, WorkspaceFiles } from './folderWalk';
import { OverlayFileSystem } from './overlayFs';
import { WorkspaceProjects } from './projects';
import { RequireCycleTracker } from './requireCycleTracker';
import { RegisteredModules } from './registeredModules';
import { RequirersIndex } from './requirers';

/** A build script larger than this is not looked for by its text (they are a few KB). */
const MAX_BUILD_SCRIPT_CHARS = 256 * 1024;

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
  /**
   * Asks a LuaJIT whether it is 5.2-compatible when a manifest does not say
   * (it runs the program): given by the CLI and by a server in a trusted
   * workspace only. Without it the dialect is the manifest's, else plain.
   */
  detectLua52?: Lua52Detector;
  /**
   * Facts stored by an earlier run for a file at this stamp: the walk asks
   * before it reads a file to tell whether it is a luakit script, and primes
   * what it is given.
   */
  storedFacts?: (file: string, stamp: string) => ComputedFacts | undefined;
}

/**
 * The analysis of a set of folders, kept up to date: it re-reads the folders
 * (`refresh`), takes open documents' text, and tells each part what an
 * edit invalidates. The parts (facts, projects, embeddings, cycles, the
 * reverse require index) live in files of their own; the checks read the
 * result through `AnalysedWorkspace`. Shared by the language server and the
 * CLI, so the two never disagree. Knows nothing about LSP or the terminal.
 */
export class Workspace implements AnalysedWorkspace {
  readonly fs: CachedFileSystem;
  private readonly overlays: OverlayFileSystem;
  private readonly factsCache: FactsCache;
  private readonly projects: WorkspaceProjects;
  private readonly embeddingSet: ProjectEmbeddings;
  private readonly cycles: RequireCycleTracker;
  private readonly requirers: RequirersIndex;
  private readonly registered: RegisteredModules;
  private found: WorkspaceFiles = { lua: [], manifests: [], buildScripts: [], nginxConfs: [], undecodable: [] };

  constructor(
    diskFs: FileSystem,
    private readonly options: WorkspaceOptions,
  ) {
    this.overlays = new OverlayFileSystem(new GuardedFileSystem(diskFs));
    this.fs = new CachedFileSystem(this.overlays);
    this.factsCache = new FactsCache(this.fs, this.overlays);
    this.registered = new RegisteredModules({
      files: () => this.files(),
      facts: (f) => this.facts(f),
      knownFacts: (f) => (this.factsCache.isKnown(f) ? this.facts(f) : undefined),
      projectFor: (f) => this.projectFor(f),
      readText: (f) => this.readText(f),
    });
    this.projects = new WorkspaceProjects(this.fs, options.env, options.roots, (project, name) => this.registered.lookup(project, name), {
      detectLua52: options.detectLua52,
    });
    this.embeddingSet = new ProjectEmbeddings({
      allProjects: () => this.allProjects(),
      facts: (f) => this.facts(f),
      readText: (f) => this.readText(f),
      resolve: (project, name) => this.resolve(project, name),
      isFile: (f) => this.fs.isFile(f),
      inputProblem: (f) => this.inputProblem(f),
    });
    this.cycles = new RequireCycleTracker(this, () => this.factsCache.generation, options.deferCycles === true);
    this.requirers = new RequirersIndex(this);
    this.refresh();
  }

  get env(): Env {
    return this.options.env;
  }

  get roots(): readonly string[] {
    return this.options.roots;
  }

  /** Re-reads the folder structure: after files were created, deleted or renamed. */
  refresh(): void {
    this.factsCache.nextGeneration();
    this.requirers.clear();
    this.registered.clear();
    this.fs.invalidate();
    this.embeddingSet.reset();
    // Before the walk, which may prime facts from the store: those are of files just found.
    this.factsCache.prune((f) => this.fs.isFile(f));
    const found = walkWorkspaceFolders(this.fs, this.options.roots, this.overlays.openFiles());
    this.projects.discover(found.manifests, [...found.buildScripts, ...this.otherBuildScripts(found)]);
    // A manifest's `exclude`: those files are not analysed; a require of one still resolves (by the file system).
    const kept = (file: string) => !this.projects.projectFor(file).excluded(file);
    this.found = {
      ...found,
      lua: found.lua.filter(kept),
      nginxConfs: found.nginxConfs.filter(kept),
      // A folder goes as its files would: `vendor/d*/**` matches what is inside, not the folder itself.
      undecodable: found.undecodable.filter((u) => kept(path.join(u.dir, u.name)) && (u.kind === 'lua' || kept(path.join(u.dir, u.name, 'init.lua')))),
    };
  }

  /**
   * luakit build scripts not named build.lua, outside any manifest's folder
   * (a manifest says what its folder is): Lua files calling the bk API. The
   * facts say so when known; else the text is looked at once.
   */
  private otherBuildScripts(found: WorkspaceFiles): string[] {
    const manifestDirs = found.manifests.map((m) => path.dirname(m));
    return found.lua.filter((file) => {
      if (path.basename(file) === 'build.lua' || manifestDirs.some((dir) => isInside(dir, file))) {
        return false;
      }
      const known = this.factsCache.cached(file) ?? this.storedFacts(file);
      if (known) {
        return known.luakitApi;
      }
      const text = this.fs.readFile(file);
      return text !== undefined && text.length <= MAX_BUILD_SCRIPT_CHARS && isLuakitBuildScript(file, text);
    });
  }

  /** The stored facts of a file not analysed yet, primed (a stat instead of a read); undefined when none are current. */
  private storedFacts(file: string): LuaFileFacts | undefined {
    const stamp = this.options.storedFacts && this.fs.stamp?.(file);
    const stored = stamp ? this.options.storedFacts!(file, stamp) : undefined;
    if (!stamp || !stored) {
      return undefined;
    }
    this.factsCache.prime(file, stamp, stored);
    return this.factsCache.cached(file);
  }

  setDocument(file: string, text: string): void {
    const known = this.overlays.isOpen(file) || this.found.lua.includes(file);
    const requiredBefore = this.factsCache.cached(file)?.requires.map((r) => r.name ?? '').join('\n');
    const registeredBefore = registrationKey(this.factsCache.cached(file));
    this.overlays.setText(file, text);
    this.requirers.changed(file);
    if (requiredBefore !== this.facts(file)?.requires.map((r) => r.name ?? '').join('\n')) {
      this.cycles.requiresChanged();
    }
    if (registeredBefore !== registrationKey(this.facts(file))) {
      // Another module now is (or no longer is) in package.loaded/preload: resolutions change.
      this.registered.clear();
      this.projects.forgetResolutions();
      this.requirers.clear();
      this.embeddingSet.reset();
    }
    // A manifest or a conf a project reads changes the projects; a new Lua file the folder lists.
    if (path.basename(file) === MANIFEST_NAME || this.allProjects().some((p) => p.nginxConfFile === file) || (!known && file.endsWith('.lua'))) {
      this.refresh();
      return;
    }
    this.embeddingSet.afterContentChange(file);
  }

  closeDocument(file: string): void {
    this.overlays.close(file);
    this.requirers.changed(file);
    this.embeddingSet.afterContentChange(file);
    if (path.basename(file) === MANIFEST_NAME) {
      this.refresh();
    }
  }

  files(): readonly string[] {
    return this.found.lua;
  }

  manifests(): readonly string[] {
    return this.found.manifests;
  }

  nginxConfFiles(): readonly string[] {
    return this.found.nginxConfs;
  }

  undecodableNames(): readonly UndecodableName[] {
    return this.found.undecodable;
  }

  readText(file: string): string | undefined {
    return this.fs.readFile(file);
  }

  inputProblem(file: string): string | undefined {
    return this.overlays.isOpen(file) ? undefined : this.fs.inputProblem(file);
  }

  facts(file: string): LuaFileFacts | undefined {
    return this.factsCache.facts(file);
  }

  /**
   * Facts computed elsewhere (a worker thread read and parsed the file) for
   * the disk content identified by `stamp`.
   */
  /** Whether facts of the file as on disk are in hand (primed or computed; not an open document), so none need be looked up or parsed. */
  hasDiskFacts(file: string): boolean {
    return !this.overlays.isOpen(file) && this.factsCache.isKnown(file);
  }

  primeFacts(file: string, stamp: string, computed: ComputedFacts): void {
    this.factsCache.prime(file, stamp, computed);
    this.requirers.changed(file);
  }

  allProjects(): readonly Project[] {
    return this.projects.all();
  }

  projectFor(file: string): Project {
    return this.projects.projectFor(file);
  }

  resolve(project: Project, name: string): Resolution {
    return this.projects.resolve(project, name);
  }

  /** A require name as the loaders alone resolve it (see WorkspaceProjects.resolveByLoaders). */
  resolveByLoaders(project: Project, name: string): Resolution {
    return this.projects.resolveByLoaders(project, name);
  }

  manifestFindings(file: string): readonly Finding[] {
    return this.projects.manifestFindings(file);
  }

  embedding(project: Project): Embedding | undefined {
    return this.embeddingSet.of(project);
  }

  embeddings(): readonly Embedding[] {
    return this.embeddingSet.all();
  }

  cycleFindings(file: string): readonly Finding[] {
    return this.cycles.findingsOf(file);
  }

  /**
   * With deferCycles: finds the cycles again if an edit changed some file's
   * requires, and returns the files whose cycle findings changed.
   */
  refreshStaleCycles(): string[] {
    return this.cycles.refreshStale();
  }

  /** What the closures and cycles say per file; compare two with changedClosureFiles. */
  closureState(): ClosureState {
    const embeddings = this.embeddingSet.all();
    return closureStateOf(embeddings, this.cycles.byFile(), outsideContext(this));
  }

  /** The Lua files with a require that resolves to `target` (a file), in path order. */
  requirersOf(target: string): string[] {
    return this.requirers.requirersOf(target);
  }
}

function registrationKey(facts: LuaFileFacts | undefined): string {
  return facts?.registrations.map((r) => r.name).join('\n') ?? '';
}
