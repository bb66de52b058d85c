import * as fs from 'node:fs';
import * as path from 'node:path';
import { checkManifest } from '../core/checks/fileChecks';
import { NodeFileSystem } from '../core/nodeFileSystem';
import { MANIFEST_NAME } from '../core/manifest/manifest';
import { undecodablePathNote } from '../core/paths';
import { Project } from '../core/resolve/project';
import { Workspace } from '../core/workspace/workspace';
import { detectLua52Compat } from '../toolchain/luajitDialect';
import { CommandArgs, CommandError, CommandIO } from './commandIO';
import { AnalysisPool } from '../analysisPool';
import { FactsStore, userFactsDir } from '../factsStore';
import { userCacheDir } from '../userCache';
import { Finding } from '../core/types';
import { analyseAllFiles, buildIdentity, saveStore } from '../initialAnalysis';
import { enclosingManifestHint } from '../enclosingManifest';

export { CommandArgs, CommandError, CommandIO, EXIT_FINDINGS, EXIT_INTERRUPTED, EXIT_OK, EXIT_USAGE } from './commandIO';

export function resolveDir(dir: string): string {
  const abs = path.resolve(dir);
  if (!fs.existsSync(abs) || !fs.statSync(abs).isDirectory()) {
    const note = fs.existsSync(abs) ? undefined : undecodablePathNote(abs);
    throw new CommandError(`'${dir}' is not a folder${note ? `: ${note}` : ''}`);
  }
  return abs;
}

/**
 * The workspace of the CLI's folder. The user ran the tool on it, so it may
 * ask the project's LuaJIT whether it is 5.2-compatible, as compile runs it;
 * with the stored facts, the answer is kept beside them for the next run.
 */
export function openWorkspace(dir: string, io: CommandIO, store?: FactsStore): Workspace {
  const cacheDir = store ? userCacheDir(io.env) : undefined;
  return new Workspace(new NodeFileSystem(), {
    roots: [dir],
    env: io.env,
    detectLua52: (command, cwd) => detectLua52Compat(command, cwd, io.env, cacheDir),
    storedFacts: store?.lookup,
  });
}

/**
 * The workspace of `dir` with every Lua file analysed the way the server
 * starts: stored facts for the files unchanged since the last run (kept
 * where the server keeps them for clients other than VS Code), worker
 * threads for the rest, and the store updated. `--no-cache` neither reads
 * nor writes it; `--verbose` says on stderr where the time went.
 */
export async function analysedWorkspace(dir: string, args: CommandArgs, io: CommandIO): Promise<Workspace> {
  const started = performance.now();
  const verbose = args.options.has('verbose');
  const say = (message: string) => {
    if (verbose) {
      io.err(`resty-build: ${message}`);
    }
  };
  const phase = (what: string) => say(`${what}: ${Math.round(performance.now() - started)} ms`);
  const useStore = !args.options.has('no-cache') && io.env.RESTY_BUILD_NO_FACTS_CACHE !== '1';
  const store = useStore ? FactsStore.forRoots([dir], buildIdentity(), userFactsDir(io.env)) : undefined;
  // Without stored facts every file is parsed: the worker threads load their code while the folder is walked.
  const pool = store && fs.existsSync(store.file) ? undefined : AnalysisPool.create();
  const workspace = openWorkspace(dir, io, store);
  phase(`walked ${workspace.files().length} Lua files`);
  const stats = await analyseAllFiles(workspace, { store, pool, current: () => true, phase, log: say });
  saveStore(workspace, store, stats);
  phase(store ? `stored facts saved to ${store.file}` : 'stored facts not used (--no-cache)');
  say(`${workspace.files().length} Lua files and ${stats.outside.length} outside the folder that they require: ${stats.reused} from stored facts, ${stats.byWorkers} parsed by worker threads`);
  return workspace;
}

/**
 * A finding saying the manifest does not parse or fit the schema: the
 * analysis then runs on defaults, dropping what it could not read (an
 * `embed` entry that is not a string, a misspelt key), so a command's
 * result would be quietly wrong. Exit 2, as the README promises.
 */
export function isBrokenManifestFinding(f: Finding): boolean {
  return f.severity === 'error' && (f.code === 'manifest-invalid' || f.code === 'manifest-unknown-key');
}

/** The project whose manifest is `dir/resty-build.json`; a clear error when there is none or it is broken. */
export function manifestProject(workspace: Workspace, dir: string): Project {
  const file = path.join(dir, MANIFEST_NAME);
  const project = workspace.allProjects().find((p) => p.manifest?.file === file);
  const broken = fs.existsSync(file) ? checkManifest(workspace, file).filter((f) => (project ? isBrokenManifestFinding(f) : f.severity === 'error')) : [];
  if (broken.length > 0) {
    const first = broken[0];
    const more = broken.length > 1 ? ` (and ${broken.length - 1} more: resty-build check lists them)` : '';
    throw new CommandError(`${file}:${first.range.start.line + 1}:${first.range.start.character + 1}: ${first.message}${more}`);
  }
  if (!project) {
    const hint = enclosingManifestHint(dir);
    throw new CommandError(hint ? `no ${MANIFEST_NAME} in ${dir}.${hint}` : `no ${MANIFEST_NAME} in ${dir} (create one with: resty-build init ${dir})`);
  }
  return project;
}
