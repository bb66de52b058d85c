// Builds the .vsix: production bundles and `vsce package --no-dependencies` in a staging copy of
// the repo, so dist/ (which the tests run) never changes under a running test. .vscodeignore
// decides what goes in.
//
// Usage: node scripts/package.mjs [--out <file.vsix>]   (default: resty-build-<version>.vsix here)
import { spawnSync } from 'node:child_process';
import { cpSync, mkdtempSync, readFileSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { basename, join, relative, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = fileURLToPath(new URL('..', import.meta.url));
const pkg = JSON.parse(readFileSync(join(root, 'package.json'), 'utf8'));
const outAt = process.argv.indexOf('--out');
const out = resolve(outAt > 0 ? process.argv[outAt + 1] : join(root, `${pkg.name}-${pkg.version}.vsix`));

// Never copied: generated or machine-local (the rest is filtered by .vscodeignore).
const SKIP = new Set(['node_modules', '.git', 'dist', 'out', 'test-results', 'bench-results', '.cache']);

function run(command, args, cwd) {
  const result = spawnSync(command, args, { cwd, stdio: ['ignore', 'inherit', 'inherit'] });
  if (result.status !== 0) {
    throw new Error(`${command} ${args.join(' ')} failed (${result.error?.message ?? `exit ${result.status}`})`);
  }
}

const staging = mkdtempSync(join(tmpdir(), 'resty-build-package-'));
try {
  cpSync(root, staging, {
    recursive: true,
    filter: (src) => {
      const rel = relative(root, src);
      return !SKIP.has(rel.split('/')[0]) && !rel.endsWith('.vsix') && !/^examples\/[^/]+\/build(\/|$)/.test(rel);
    },
  });
  run(process.execPath, [join(root, 'scripts', 'build.mjs'), '--production', '--outdir', join(staging, 'dist')], root);
  run(process.execPath, [join(root, 'node_modules', '@vscode', 'vsce', 'vsce'), 'package', '--no-dependencies', '--out', out], staging);
  process.stderr.write(`${basename(out)}: ${(statSync(out).size / 1024).toFixed(0)} KiB at ${out}\n`);
} finally {
  rmSync(staging, { recursive: true, force: true });
}
