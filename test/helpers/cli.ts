import { spawnSync } from 'node:child_process';
import * as os from 'node:os';
import { distFile } from './paths';

export interface CliRun {
  status: number | null;
  stdout: string;
  stderr: string;
}

/**
 * Runs the built CLI (dist/cli.js) as users do. The working folder defaults
 * to the temp folder, so paths in the output cannot come from the cwd by
 * accident; the environment is minimal unless `env` adds to it.
 */
export function runCli(args: string[], options: { cwd?: string; env?: Record<string, string> } = {}): CliRun {
  const result = spawnSync(process.execPath, [distFile('cli.js'), ...args], {
    cwd: options.cwd ?? os.tmpdir(),
    env: { PATH: process.env.PATH ?? '/usr/bin:/bin', ...options.env },
    encoding: 'utf8',
    timeout: 30_000,
  });
  return { status: result.status, stdout: result.stdout, stderr: result.stderr };
}
