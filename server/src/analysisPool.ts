import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { Worker } from 'node:worker_threads';
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
  /** Line starts, so positions never need the text read again. */
  lines: { starts: Int32Array; length: number };
}

export interface AnalysisResult {
  id: number;
  results: FileAnalysis[];
}

/**
 * Worker threads for the cold start: each takes batches of files, reads and
 * parses them, and hands back plain facts. Undefined where the worker bundle
 * is not next to the server (running from sources in tests).
 */
export class AnalysisPool {
  private readonly workers: Worker[] = [];
  private nextId = 0;

  private constructor(script: string, size: number) {
    for (let i = 0; i < size; i++) {
      const worker = new Worker(script);
      worker.unref();
      this.workers.push(worker);
    }
  }

  static create(size = Math.max(1, Math.min(4, os.availableParallelism()))): AnalysisPool | undefined {
    const script = path.join(__dirname, 'analysisWorker.js');
    return fs.existsSync(script) ? new AnalysisPool(script, size) : undefined;
  }

  /** Analyses all files, calling `onBatch` as results arrive; batches are handed out as workers free up. */
  async analyse(files: readonly string[], onBatch: (results: FileAnalysis[]) => void, batchSize = 200): Promise<void> {
    let cursor = 0;
    const runWorker = async (worker: Worker): Promise<void> => {
      while (cursor < files.length) {
        const batch = files.slice(cursor, cursor + batchSize);
        cursor += batch.length;
        const id = this.nextId++;
        const result = await new Promise<AnalysisResult>((resolve, reject) => {
          const onMessage = (msg: AnalysisResult) => {
            if (msg.id === id) {
              worker.off('message', onMessage);
              worker.off('error', reject);
              resolve(msg);
            }
          };
          worker.on('message', onMessage);
          worker.once('error', reject);
          worker.postMessage({ id, files: batch } satisfies AnalysisRequest);
        });
        onBatch(result.results);
      }
    };
    await Promise.all(this.workers.map(runWorker));
  }

  dispose(): void {
    for (const w of this.workers) {
      void w.terminate();
    }
  }
}
