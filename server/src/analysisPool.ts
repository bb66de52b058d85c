import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import type { Worker } from 'node:worker_threads';
import { workerThreads } from './lazyBuiltins';
import { SyntaxVerdict } from './core/lua/luaFile';
import { LuaScan } from './core/lua/luaScan';

export interface AnalysisRequest {
  id: number;
  files: string[];
}

export interface FileAnalysis {
  file: string;
  stamp: string;
  scan: LuaScan;
  syntax: SyntaxVerdict | null;
  /**
   * A 5.2-compatible LuaJIT's verdict, where it may differ from the plain
   * one (the plain verdict is an error, or the text uses goto); absent
   * elsewhere. A check that asks for it then reads and parses nothing.
   */
  syntax52?: SyntaxVerdict | null;
  /** Line starts, so positions never need the text read again. */
  lines: { starts: Int32Array; length: number };
}

export interface AnalysisResult {
  id: number;
  results: FileAnalysis[];
}

/**
 * How many worker threads parse a cold workspace: `RESTY_BUILD_WORKERS`
 * when it is a count (0: none), else one per core beyond the main thread's,
 * at most 4. With two cores or fewer there are none: each worker warms up
 * its own JIT and heap, V8's compiler and collector threads already keep the
 * second core busy, and (measured with `npm run bench` on two cores) the
 * main thread alone finishes a cold check of 1,000 to 10,000 files sooner.
 */
export function workerCount(env: NodeJS.ProcessEnv = process.env, cores = os.availableParallelism()): number {
  const forced = env.RESTY_BUILD_WORKERS;
  if (forced !== undefined && /^\d{1,2}$/.test(forced.trim())) {
    return Math.min(16, Number(forced.trim()));
  }
  return cores >= 3 ? Math.min(4, cores - 1) : 0;
}

/** The most files handed to a worker at once; fewer when little is left, so the workers finish together. */
const MAX_BATCH = 64;
const MIN_BATCH = 16;

/**
 * Worker threads for the cold start: each takes batches of files, reads and
 * parses them, and hands back plain facts. Undefined where the worker bundle
 * is not next to the server (running from sources in tests).
 */
export class AnalysisPool {
  private readonly workers: Worker[] = [];
  private readonly waiting = new Map<number, { resolve: (r: AnalysisResult) => void; reject: (e: unknown) => void }>();
  private nextId = 0;

  private constructor(script: string, size: number) {
    for (let i = 0; i < size; i++) {
      const worker = new (workerThreads().Worker)(script);
      worker.unref();
      worker.on('message', (msg: AnalysisResult) => {
        const waiter = this.waiting.get(msg.id);
        this.waiting.delete(msg.id);
        waiter?.resolve(msg);
      });
      worker.on('error', (err) => {
        for (const waiter of this.waiting.values()) {
          waiter.reject(err);
        }
        this.waiting.clear();
      });
      this.workers.push(worker);
    }
  }

  /** Undefined when no worker is wanted (see `workerCount`) or the worker bundle is not next to the server. */
  static create(size = workerCount()): AnalysisPool | undefined {
    const script = path.join(__dirname, 'analysisWorker.js');
    return size > 0 && fs.existsSync(script) ? new AnalysisPool(script, size) : undefined;
  }

  /**
   * Analyses `files`, calling `onBatch` as results arrive; batches are handed
   * out as workers free up. `onBatch` may add files (`more`): the modules the
   * results require, say. Resolves when every file added is analysed.
   */
  analyse(files: readonly string[], onBatch: (results: FileAnalysis[], more: (files: readonly string[]) => void) => void): Promise<void> {
    const queue = [...files];
    const more = (added: readonly string[]) => {
      queue.push(...added);
    };
    return new Promise((resolve, reject) => {
      let cursor = 0;
      let inFlight = 0;
      let failed = false;
      const idle = [...this.workers];
      const pump = () => {
        while (!failed && idle.length > 0 && cursor < queue.length) {
          const left = queue.length - cursor;
          const size = Math.min(left, MAX_BATCH, Math.max(MIN_BATCH, Math.ceil(left / (2 * this.workers.length))));
          const batch = queue.slice(cursor, cursor + size);
          cursor += size;
          const worker = idle.pop()!;
          inFlight++;
          this.send(worker, batch).then(
            (result) => {
              inFlight--;
              idle.push(worker);
              try {
                onBatch(result.results, more);
              } catch (err) {
                failed = true;
                reject(err);
                return;
              }
              pump();
            },
            (err: unknown) => {
              failed = true;
              reject(err);
            },
          );
        }
        if (!failed && inFlight === 0 && cursor >= queue.length) {
          resolve();
        }
      };
      pump();
    });
  }

  private send(worker: Worker, files: string[]): Promise<AnalysisResult> {
    const id = this.nextId++;
    return new Promise((resolve, reject) => {
      this.waiting.set(id, { resolve, reject });
      worker.postMessage({ id, files } satisfies AnalysisRequest);
    });
  }

  dispose(): void {
    for (const w of this.workers) {
      void w.terminate();
    }
  }
}
