import * as crypto from 'node:crypto';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { Workspace } from './core/workspace/workspace';
import { AnalysisPool } from './analysisPool';
import { analyseFile } from './fileAnalysis';
import { FactsStore } from './factsStore';

/** Files looked up in the stored facts between two yields. */
export const ANALYSIS_BATCH = 64;

/** How long the main thread parses before it yields, so edits and requests are never held up long. */
const ANALYSIS_SLICE_MS = 12;

/**
 * The identity of the code that computes the stored facts: the worker
 * bundle, which the server and the CLI share, so each reuses what the other
 * stored; facts of another build are not trusted. Without a worker bundle
 * (running from sources), this bundle's own identity.
 */
export function buildIdentity(): string {
  for (const file of [path.join(__dirname, 'analysisWorker.js'), __filename]) {
    try {
      return crypto.createHash('sha256').update(fs.readFileSync(file)).digest('hex').slice(0, 16);
    } catch {
      // the next candidate
    }
  }
  return 'unknown';
}

export interface InitialAnalysisOptions {
  store?: FactsStore;
  /** Worker threads started early (while the folders were walked); created here when absent. */
  pool?: AnalysisPool;
  /** False when the workspace was replaced meanwhile: stop early. */
  current: () => boolean;
  phase: (what: string) => void;
  log: (message: string) => void;
}

export interface AnalysisStats {
  /** Files whose stored facts were still valid. */
  reused: number;
  /** Files parsed by worker threads. */
  byWorkers: number;
  /**
   * Files outside the folders that the requires lead to (library modules on
   * the search path): the closures and the cycle search read them, so they
   * are analysed (and stored) with the rest.
   */
  outside: string[];
}

/**
 * Facts for every file of a fresh workspace and for the files outside it
 * that its requires resolve to: from the store where a file's stamp is
 * unchanged since the last run, from worker threads for the rest, and on
 * the main thread (in small batches) for whatever is left. The main thread
 * resolves the requires of each batch as it arrives, while the workers
 * parse the next: the checks need those resolutions anyway.
 */
export async function analyseAllFiles(ws: Workspace, options: InitialAnalysisOptions): Promise<AnalysisStats> {
  const files = ws.files();
  const stats: AnalysisStats = { reused: 0, byWorkers: 0, outside: [] };
  const { store } = options;
  store?.load();
  const known = new Set(files);
  /** Files whose facts came from the store or a worker. */
  const analysed = new Set<string>();

  /** Files outside the folders that literal requires of `from` resolve to, each returned once. */
  const reachedFrom = (from: readonly string[]): string[] => {
    const found: string[] = [];
    for (const file of from) {
      const facts = ws.facts(file);
      if (!facts || facts.requires.length === 0) {
        continue;
      }
      const project = ws.projectFor(file);
      for (const site of facts.requires) {
        if (site.dynamic || site.name === undefined) {
          continue;
        }
        // A module registered in package.loaded is no file outside: the loaders alone say what is.
        const target = ws.resolveByLoaders(project, site.name);
        if (target.status === 'file' && target.file !== undefined && !known.has(target.file)) {
          known.add(target.file);
          stats.outside.push(target.file);
          found.push(target.file);
        }
      }
    }
    return found;
  };

  /** Primes what the store still holds (and follows its requires); returns the files left to parse. */
  const fromStore = (batch: readonly string[]): string[] => {
    if (!store) {
      return [...batch];
    }
    const misses: string[] = [];
    let frontier = batch;
    while (frontier.length > 0) {
      const hits: string[] = [];
      for (const file of frontier) {
        if (ws.hasDiskFacts(file)) {
          // Primed from the store by the walk already.
          analysed.add(file);
          hits.push(file);
          continue;
        }
        const stamp = ws.fs.stamp?.(file);
        const hit = stamp ? store.get(file, stamp) : undefined;
        if (hit) {
          ws.primeFacts(file, hit.stamp, hit);
          analysed.add(file);
          hits.push(file);
        } else {
          misses.push(file);
        }
      }
      stats.reused += hits.length;
      frontier = reachedFrom(hits);
    }
    return misses;
  };

  // In batches, yielding between them: following the requires of stored facts resolves them
  // all, and an editor's requests (an open file's diagnostics first) must not wait for that.
  const misses: string[] = [];
  for (let i = 0; i < files.length; i += ANALYSIS_BATCH) {
    misses.push(...fromStore(files.slice(i, i + ANALYSIS_BATCH)));
    if (store) {
      await new Promise((resolve) => setImmediate(resolve));
      if (!options.current()) {
        options.pool?.dispose();
        return stats;
      }
    }
  }
  if (store) {
    options.phase(`stored facts reused for ${stats.reused} files`);
  }
  const pool = misses.length > ANALYSIS_BATCH ? (options.pool ?? AnalysisPool.create()) : undefined;
  if (options.pool && options.pool !== pool) {
    options.pool.dispose();
  }
  if (pool) {
    try {
      await pool.analyse(misses, (results, more) => {
        for (const r of results) {
          ws.primeFacts(r.file, r.stamp, r);
          store?.set(r.file, r);
          analysed.add(r.file);
        }
        stats.byWorkers += results.length;
        more(fromStore(reachedFrom(results.map((r) => r.file))));
      });
    } catch (err) {
      options.log(`worker threads failed (${String(err)}); analysing on the main thread`);
    } finally {
      pool.dispose();
    }
  }
  options.phase('parsed');
  // Whatever is left (no workers, few files, a worker that failed): here, yielding between batches.
  // The outside files grow as their requires are followed; the loop takes them in order after the folders' own.
  const nth = (i: number) => (i < files.length ? files[i] : stats.outside[i - files.length]);
  let next = 0;
  while (next < files.length + stats.outside.length) {
    // A slice of time rather than of files: a cold JIT parses one file slower than a warm one a hundred.
    const batch: string[] = [];
    const until = performance.now() + ANALYSIS_SLICE_MS;
    do {
      const file = nth(next++);
      batch.push(file);
      if (!analysed.has(file)) {
        // As a worker would, so that the store keeps it too.
        const r = analyseFile(file);
        if (r) {
          ws.primeFacts(r.file, r.stamp, r);
          store?.set(r.file, r);
        }
      }
      ws.facts(file);
    } while (next < files.length + stats.outside.length && performance.now() < until);
    fromStore(reachedFrom(batch));
    await new Promise((resolve) => setImmediate(resolve));
    if (!options.current()) {
      return stats;
    }
  }
  options.phase('facts');
  return stats;
}

/** Writes the store after the diagnostics went out: the user waits for those, not for this. */
export function saveStore(ws: Workspace, store: FactsStore | undefined, stats?: AnalysisStats): void {
  if (store) {
    store.retain([...ws.files(), ...(stats?.outside ?? [])]);
    store.save();
  }
}
