import { spawnSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { after } from 'node:test';

export const FIXTURES = path.join(__dirname, '..', 'fixtures');
export const REPO = path.join(__dirname, '..', '..');

const made: string[] = [];
after(() => {
  for (const dir of made) {
    fs.rmSync(dir, { recursive: true, force: true });
  }
});

/** A scratch folder removed when the test file ends. */
export function tempDir(prefix = 'rb-build-'): string {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), prefix));
  made.push(dir);
  return dir;
}

/** Copies test/fixtures/<name> to a scratch folder (builds write into the project). */
export function copyFixture(name: string, into = tempDir()): string {
  const dir = path.join(into, name);
  fs.cpSync(path.join(FIXTURES, name), dir, { recursive: true });
  return dir;
}

/** Writes an executable shell script (fake compilers and runtimes). */
export function writeScript(dir: string, name: string, body: string): string {
  const file = path.join(dir, name);
  fs.writeFileSync(file, `#!/bin/sh\n${body}\n`, { mode: 0o755 });
  return file;
}

/** Global symbols an object defines, according to binutils' nm. */
export function nmDefined(file: string): string[] {
  const r = spawnSync('nm', ['--defined-only', '--extern-only', file], { encoding: 'utf8' });
  if (r.status !== 0) {
    throw new Error(`nm failed: ${r.stderr}`);
  }
  return r.stdout
    .split('\n')
    .map((l) => l.trim().split(/\s+/))
    .filter((fields) => fields.length >= 2 && /^[A-Za-z]$/.test(fields[fields.length - 2]))
    .map((fields) => fields[fields.length - 1]);
}

export function hasTool(name: string): boolean {
  return spawnSync('sh', ['-c', `command -v ${name}`]).status === 0;
}

/** Waits until a file exists: a real signal from a child process, polled, never a fixed sleep. */
export async function waitForFile(file: string, timeoutMs = 10_000): Promise<void> {
  const start = Date.now();
  while (!fs.existsSync(file)) {
    if (Date.now() - start > timeoutMs) {
      throw new Error(`timed out waiting for ${file}`);
    }
    await new Promise((r) => setTimeout(r, 10));
  }
}
