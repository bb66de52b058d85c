import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';

/** The repository root (tests run from anywhere). */
export const repoRoot = path.resolve(__dirname, '..', '..');

/** Absolute path of a fixture tree under test/fixtures/<scenario>/ (optionally a file inside it). */
export function fixture(scenario: string, ...rest: string[]): string {
  const dir = path.join(repoRoot, 'test', 'fixtures', scenario);
  if (!fs.existsSync(dir)) {
    throw new Error(`missing fixture folder ${dir}`);
  }
  return path.join(dir, ...rest);
}

/** A bundle built by `npm run build`; fails with the fix in the message when it is missing. */
export function distFile(name: 'cli.js' | 'server.js'): string {
  const file = path.join(repoRoot, 'dist', name);
  if (!fs.existsSync(file)) {
    throw new Error(`${file} does not exist: run \`npm run build\` (or \`npm test\`, which builds first)`);
  }
  return file;
}

/**
 * Copies a fixture (or creates an empty folder) into a fresh temp folder, for
 * tests that change files on disk. Call the returned cleanup in t.after.
 */
export function tempCopy(scenario?: string): { dir: string; cleanup: () => void } {
  const dir = fs.realpathSync(fs.mkdtempSync(path.join(os.tmpdir(), 'resty-build-test-')));
  if (scenario !== undefined) {
    fs.cpSync(fixture(scenario), dir, { recursive: true });
  }
  return { dir, cleanup: () => fs.rmSync(dir, { recursive: true, force: true }) };
}

/** A temp folder (real path; empty, or a copy of the fixture `scenario`) removed when the test `t` ends. */
export function tempDirFor(t: { after: (fn: () => void) => void }, scenario?: string): string {
  const tmp = tempCopy(scenario);
  t.after(tmp.cleanup);
  return tmp.dir;
}

/** Writes files (relative path -> text) under dir, creating folders. */
export function writeTree(dir: string, files: Record<string, string>): void {
  for (const [name, text] of Object.entries(files)) {
    const file = path.join(dir, name);
    fs.mkdirSync(path.dirname(file), { recursive: true });
    fs.writeFileSync(file, text);
  }
}
