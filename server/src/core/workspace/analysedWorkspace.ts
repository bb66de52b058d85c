import type { Embedding } from '../embed/closure';
import type { LuaFileFacts } from '../lua/luaFile';
import type { Project } from '../resolve/project';
import type { Resolution } from '../resolve/resolver';
import type { Finding } from '../types';
import type { UndecodableName } from './folderWalk';

/**
 * What the checks and the Lua views read of a workspace, and nothing they
 * could change it with. `Workspace` implements it; the layers above take
 * this interface, so they depend on the workspace's answers, not on the
 * class that keeps them up to date.
 */
export interface AnalysedWorkspace {
  /** The analysed folders (workspace folders, or the CLI's dir). */
  readonly roots: readonly string[];
  /** Lua files found in the roots (plus open documents inside them). */
  files(): readonly string[];
  /** `resty-build.json` files found in the roots. */
  manifests(): readonly string[];
  /** nginx configurations found in the roots (nginx.conf, *.nginx, conf/*.conf). */
  nginxConfFiles(): readonly string[];
  /** Lua files and folders in the roots whose names are not valid UTF-8 (not excluded): not analysed. */
  undecodableNames(): readonly UndecodableName[];

  /** The text the analysis sees: the open editor's, else the disk's. */
  readText(file: string): string | undefined;
  /** Why an existing file cannot be read as input (a FIFO, a device, too large); undefined when it can. */
  inputProblem(file: string): string | undefined;
  /** The per-file facts of a Lua file (cached by content), undefined when it cannot be read. */
  facts(file: string): LuaFileFacts | undefined;

  allProjects(): readonly Project[];
  /** The project a file belongs to: the innermost manifest or build script folder, else its workspace root. */
  projectFor(file: string): Project;
  /** A require name resolved by a project's loaders. */
  resolve(project: Project, name: string): Resolution;
  /**
   * As resolve, without the project's package.loaded/preload registrations
   * (which need every file analysed): a name no loader finds is unresolved
   * here, unless resolve has found its registration already.
   */
  resolveByLoaders(project: Project, name: string): Resolution;
  /** Validation findings of a manifest file (schema, paths), before any mapping check. */
  manifestFindings(file: string): readonly Finding[];

  /** The name mapping and embed closure of a project that has a manifest. */
  embedding(project: Project): Embedding | undefined;
  /** The embeddings of every project with a manifest. */
  embeddings(): readonly Embedding[];
  /** Load-time require cycles closed by a require of this file. */
  cycleFindings(file: string): readonly Finding[];
}
