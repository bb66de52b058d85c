// Built-in modules that only some runs use, loaded when first used: a `check`
// that finds every file's facts in the store starts no worker thread and no
// process, and does not load the modules to (some 3 ms of a 200 ms run).
import type * as ChildProcess from 'node:child_process';
import type * as WorkerThreads from 'node:worker_threads';

/* eslint-disable @typescript-eslint/no-require-imports -- a require on first use is the point */

export function childProcess(): typeof ChildProcess {
  return require('node:child_process') as typeof ChildProcess;
}

export function workerThreads(): typeof WorkerThreads {
  return require('node:worker_threads') as typeof WorkerThreads;
}
