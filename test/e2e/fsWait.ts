// Waiting on the file system's own signal (fs.watch events), never on a delay.
import { watch } from 'node:fs';

/**
 * Resolves once `check()` is true, re-checking on every change under `dir`
 * (recursive), or rejects with `what` after `timeoutMs`. `check` runs once
 * up front, so a condition that already holds returns at once.
 */
export function waitForFsCondition(dir: string, check: () => boolean, what: string, timeoutMs: number, recursive = true): Promise<void> {
  return new Promise((resolve, reject) => {
    if (check()) {
      resolve();
      return;
    }
    const watcher = watch(dir, { recursive }, () => {
      if (check()) {
        done();
        resolve();
      }
    });
    const timer = setTimeout(() => {
      done();
      reject(new Error(`timed out after ${timeoutMs} ms waiting for ${what}`));
    }, timeoutMs);
    const done = (): void => {
      clearTimeout(timer);
      watcher.close();
    };
    // A change between the first check and the watch starting would be missed: look again.
    if (check()) {
      done();
      resolve();
    }
  });
}
