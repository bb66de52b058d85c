import * as crypto from 'node:crypto';
import * as fs from 'node:fs';
import { Workspace } from '../core/workspace/workspace';
import { AnalysisPool } from '../analysisPool';
import { FactsStore } from '../factsStore';

/** Files analysed on the main thread between two yields, so edits and requests are never held up long. */
export const ANALYSIS_BATCH = 64;

/** An identity of this build of the server: stored facts of another build are not trusted. */
export function buildIdentity(): string {
  try {
    return crypto.createHash('sha256').update(fs.readFileSync(__filename)).digest('hex').slice(0, 16);
  } catch {
    return 'unknown';
  }
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

/**
 * Facts for every file of a fresh workspace: from the store where a file's
 * stamp is unchanged since the last run, from worker threads for the rest,
 * and on the main thread (in small batches) for whatever is left.
 */
export interface AnalysisStats {
  /** Files whose stored facts were still valid. */
  reused: number;
  /** Files parsed by worker threads. */
  byWorkers: number;
}

export async function analyseAllFiles(ws: Workspace, options: InitialAnalysisOptions): Promise<AnalysisStats> {
  const stats: AnalysisStats = { reused: 0, byWorkers: 0 };
  const files = ws.files();
  const { store } = options;
  let misses: readonly string[] = files;
  if (store) {
    store.load();
    const left: string[] = [];
    for (const file of files) {
      const stamp = ws.fs.stamp?.(file);
      const hit = stamp ? store.get(file, stamp) : undefined;
      if (hit) {
        ws.primeFacts(file, hit.stamp, hit.scan, hit.syntax, hit.lines);
      } else {
        left.push(file);
      }
    }
    misses = left;
    stats.reused = files.length - left.length;
    options.phase(`stored facts reused for ${files.length - left.length} files`);
  }
  const pool = misses.length > ANALYSIS_BATCH ? (options.pool ?? AnalysisPool.create()) : undefined;
  if (options.pool && options.pool !== pool) {
    options.pool.dispose();
  }
  if (pool) {
    try {
      await pool.analyse(misses, (results) => {
        for (const r of results) {
          ws.primeFacts(r.file, r.stamp, r.scan, r.syntax, r.lines);
          store?.set(r.file, r);
        }
        stats.byWorkers += results.length;
      });
    } catch (err) {
      options.log(`worker threads failed (${String(err)}); analysing on the main thread`);
    } finally {
      pool.dispose();
    }
  }
  options.phase('parsed');
  for (let i = 0; i < files.length; i += ANALYSIS_BATCH) {
    for (const file of files.slice(i, i + ANALYSIS_BATCH)) {
      ws.facts(file);
    }
    await new Promise((resolve) => setImmediate(resolve));
    if (!options.current()) {
      return stats;
    }
  }
  options.phase('facts');
  return stats;
}

/** Writes the store after the diagnostics went out: the user waits for those, not for this. */
export function saveStore(ws: Workspace, store: FactsStore | undefined): void {
  if (store) {
    store.retain(ws.files());
    store.save();
  }
}
