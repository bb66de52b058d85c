import { spawn, spawnSync } from 'node:child_process';
import assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import type { CheckJson } from '../../server/src/commands/check';
import { distFile } from './paths';

let cacheHome: string | undefined;

/**
 * The analysing commands keep stored facts under $XDG_CACHE_HOME: the
 * tests of one process share a folder of their own, removed at exit, and
 * never write to the user's cache.
 */
export function testCacheHome(): string {
  if (cacheHome === undefined) {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'resty-build-cache-'));
    process.once('exit', () => fs.rmSync(dir, { recursive: true, force: true }));
    cacheHome = dir;
  }
  return cacheHome;
}

export interface CliRun {
  status: number | null;
  stdout: string;
  stderr: string;
}

/**
 * Runs the built CLI (dist/cli.js) as users do. The working folder defaults
 * to the temp folder, so paths in the output cannot come from the cwd by
 * accident; the environment is minimal (PATH, and a cache folder of the
 * tests' own) unless `env` adds to it.
 */
export function runCli(args: string[], options: { cwd?: string; env?: Record<string, string> } = {}): CliRun {
  const result = spawnSync(process.execPath, [distFile('cli.js'), ...args], {
    cwd: options.cwd ?? os.tmpdir(),
    env: { PATH: process.env.PATH ?? '/usr/bin:/bin', XDG_CACHE_HOME: testCacheHome(), ...options.env },
    encoding: 'utf8',
    timeout: 30_000,
  });
  return { status: result.status, stdout: result.stdout, stderr: result.stderr };
}

/** Runs the CLI and resolves with its output and its peak RSS in MB. */
export function runCliWithPeak(args: string[]): Promise<{ status: number | null; stdout: string; stderr: string; peakMb: number }> {
  const child = spawn(process.execPath, ['-r', path.join(__dirname, 'peakRss.cjs'), distFile('cli.js'), ...args], { env: { ...process.env, XDG_CACHE_HOME: testCacheHome() } });
  const out: Buffer[] = [];
  const err: Buffer[] = [];
  child.stdout.on('data', (b: Buffer) => out.push(b));
  child.stderr.on('data', (b: Buffer) => err.push(b));
  return new Promise((resolve) =>
    child.on('close', (status) => {
      const stderr = Buffer.concat(err).toString();
      const peak = /peak-rss-kb (\d+)/.exec(stderr);
      assert.ok(peak, `no peak RSS reported: ${stderr.slice(-2000)}`);
      resolve({ status, stdout: Buffer.concat(out).toString(), stderr, peakMb: Number(peak[1]) / 1024 });
    }),
  );
}

/** The output of `check --format json`, in the type the CLI writes it with. */
export function checkJson(stdout: string): CheckJson {
  return JSON.parse(stdout) as CheckJson;
}
