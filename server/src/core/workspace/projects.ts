import * as path from 'node:path';
import { FileSystem } from '../fs';
import { Manifest, parseManifest } from '../manifest/manifest';
import { isInside } from '../paths';
import { createProject, Env, Project, ProjectOptions } from '../resolve/project';
import { RegisteredModule, Resolution, resolveModule } from '../resolve/resolver';
import { Finding } from '../types';

/** Names whose resolution a project remembers; a workspace of 10 000 modules requires fewer distinct names. */
export const MAX_RESOLUTIONS = 50_000;

/**
 * The build projects of a workspace (one per manifest, one per luakit build
 * script without one, a default one per root) and the resolutions of their
 * requires. Found again by `discover` whenever the folders may have changed;
 * everything derived from the old projects is dropped with them.
 */
export class WorkspaceProjects {
  /** Deepest root first, so the innermost project owns a file. */
  private projects: Project[] = [];
  private readonly defaultProjects = new Map<string, Project>();
  private readonly projectOfFile = new Map<string, Project>();
  private manifestFindingsByFile = new Map<string, Finding[]>();
  /** The last manifest that parsed, per file: a broken edit keeps the analysis going. */
  private readonly lastGoodManifest = new Map<string, Manifest>();
  private resolutions = new Map<Project, Map<string, Resolution>>();
  /** Names no loader finds, before any look at the registrations (resolveByLoaders' answers). */
  private loaderMisses = new Map<Project, Map<string, Resolution>>();

  constructor(
    private readonly fs: FileSystem,
    private readonly env: Env,
    private readonly roots: readonly string[],
    /** Modules the project's code puts into package.loaded/preload. */
    private readonly registered: (project: Project, name: string) => RegisteredModule | undefined = () => undefined,
    private readonly projectOptions: ProjectOptions = {},
  ) {}

  /** Reads the manifests and build scripts found by the folder walk into projects. */
  discover(manifestFiles: readonly string[], buildScripts: readonly string[]): void {
    const projects: Project[] = [];
    this.manifestFindingsByFile = new Map();
    const manifestDirs = new Set<string>();
    for (const file of manifestFiles) {
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
      projects.push(createProject(this.fs, this.env, dir, manifest, this.projectOptions));
    }
    // Build scripts by folder: the folder is the build context, shared by its scripts.
    const byDir = new Map<string, string[]>();
    for (const script of buildScripts) {
      const dir = path.dirname(script);
      const covered = projects.some((p) => p.buildScript === script || (manifestDirs.has(dir) && p.root === dir) || (isInside(p.root, script) && p.excluded(script)));
      if (!covered) {
        byDir.set(dir, [...(byDir.get(dir) ?? []), script]);
      }
    }
    for (const [dir, scripts] of byDir) {
      const project = createProject(this.fs, this.env, dir, undefined, { ...this.projectOptions, buildScripts: scripts.sort() });
      if (project.profile === 'luakit') {
        projects.push(project);
      }
    }
    this.projects = projects.sort((a, b) => b.root.length - a.root.length);
    this.defaultProjects.clear();
    this.projectOfFile.clear();
    this.resolutions = new Map();
    this.loaderMisses = new Map();
  }

  /** The projects with a manifest or a luakit build script (not the default ones). */
  all(): readonly Project[] {
    return this.projects;
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
    const root = this.roots.find((r) => isInside(r, file)) ?? path.dirname(file);
    let project = this.defaultProjects.get(root);
    if (!project) {
      project = createProject(this.fs, this.env, root, undefined, this.projectOptions);
      this.defaultProjects.set(root, project);
    }
    return project;
  }

  /** Validation findings of a manifest file, from its last read. */
  manifestFindings(file: string): readonly Finding[] {
    return this.manifestFindingsByFile.get(file) ?? [];
  }

  /**
   * A require name as the project's loaders resolve it; remembered until
   * the next discovery, for at most MAX_RESOLUTIONS names per project (the
   * oldest is forgotten first): an editing session that keeps typing new
   * names must not grow the server without end.
   */
  resolve(project: Project, name: string): Resolution {
    return this.resolveWith(project, name, true);
  }

  /**
   * As resolve, but a name no loader finds is answered unresolved without
   * asking the project's package.loaded/preload registrations (unless
   * resolve already did): collecting those reads every file of the project,
   * which the initial analysis must not do on its own thread while the
   * workers parse them. Every other answer is the one resolve gives.
   */
  resolveByLoaders(project: Project, name: string): Resolution {
    return this.resolveWith(project, name, false);
  }

  private resolveWith(project: Project, name: string, registrations: boolean): Resolution {
    const cache = this.cacheOf(this.resolutions, project);
    const hit = cache.get(name);
    if (hit) {
      return hit;
    }
    // A name cut from a document is a slice of its whole text: kept as a key, it would keep every version of the text alive.
    const key = Buffer.from(name, 'utf8').toString('utf8');
    const misses = this.cacheOf(this.loaderMisses, project);
    let byLoaders = misses.get(key);
    if (!byLoaders) {
      byLoaders = resolveModule(key, project.resolver, this.fs);
      if (byLoaders.status !== 'unresolved') {
        return remember(cache, key, byLoaders);
      }
      remember(misses, key, byLoaders);
    }
    if (!registrations) {
      return byLoaders;
    }
    // Registered by the project's own code: require finds it in package.loaded/preload. Looked
    // up only for names no loader finds, so the registry is collected only when one is needed.
    const registeredBy = this.registered(project, key);
    misses.delete(key);
    return remember(cache, key, registeredBy ? { name: key, status: 'provided', origin: 'registered', trail: [], registeredBy } : byLoaders);
  }

  private cacheOf(caches: Map<Project, Map<string, Resolution>>, project: Project): Map<string, Resolution> {
    let cache = caches.get(project);
    if (!cache) {
      cache = new Map();
      caches.set(project, cache);
    }
    return cache;
  }

  /** The code's registrations changed: resolve every name again on next use. */
  forgetResolutions(): void {
    this.resolutions = new Map();
    this.loaderMisses = new Map();
  }
}

/** Keeps an answer, forgetting the oldest first past MAX_RESOLUTIONS names. */
function remember(cache: Map<string, Resolution>, name: string, resolution: Resolution): Resolution {
  if (cache.size >= MAX_RESOLUTIONS) {
    cache.delete(cache.keys().next().value!);
  }
  cache.set(name, resolution);
  return resolution;
}
