// The CLI and the server start from V8's code cache of their bundle (dist/launch.js):
// written once per build in the user's cache folder, valid for V8, replaced
// when V8 rejects it or a short run left it thin, never in the way of a run.
import { test } from 'node:test';
import * as assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import * as fs from 'node:fs';
import Module from 'node:module';
import * as path from 'node:path';
import * as vm from 'node:vm';
import { generateWorkspace } from '../../bench/generate';
import { codeCacheDir, codeCacheFile } from '../../server/src/launch';
import { runCli } from '../helpers/cli';
import { distFile, tempDirFor } from '../helpers/paths';

const bundle = path.join(path.dirname(distFile('cli.js')), 'cli-bundle.js');

function setup(t: { after: (fn: () => void) => void }) {
  const cacheHome = tempDirFor(t);
  const ws = generateWorkspace(path.join(tempDirFor(t), 'ws'), 30);
  const env = { XDG_CACHE_HOME: cacheHome };
  const cacheFile = codeCacheFile(bundle, fs.statSync(bundle), env);
  const check = (extra: string[] = [], more: Record<string, string> = {}) => runCli(['check', ws.root, '--format', 'json', ...extra], { env: { ...env, ...more } });
  return { cacheHome, env, cacheFile, check };
}

/** Whether V8 takes `data` as the code cache of the CLI bundle, as the launcher compiles it. */
function acceptedByV8(data: Buffer): boolean {
  const script = new vm.Script(Module.wrap(fs.readFileSync(bundle, 'utf8')), { filename: bundle, cachedData: data });
  return !script.cachedDataRejected;
}

test('a run writes the code cache of its build, which V8 accepts; the next run uses it as it is and finds the same', (t) => {
  const { env, cacheFile, check } = setup(t);
  const first = check();
  assert.equal(first.status, 1, first.stderr);
  assert.deepEqual(fs.readdirSync(codeCacheDir(env)), [path.basename(cacheFile)]);
  const written = fs.readFileSync(cacheFile);
  assert.ok(acceptedByV8(written), 'a cache V8 takes for this bundle');
  assert.ok(written.length * 4 > fs.statSync(bundle).size, 'it holds the functions the run compiled, not just the top level');
  const second = check();
  assert.equal(second.stdout, first.stdout);
  assert.ok(fs.readFileSync(cacheFile).equals(written), 'left as it was');
});

test('a cache V8 rejects is replaced after the run, which it does not disturb', (t) => {
  const { cacheFile, check } = setup(t);
  const expected = check(['--no-cache']).stdout;
  fs.mkdirSync(path.dirname(cacheFile), { recursive: true });
  fs.writeFileSync(cacheFile, Buffer.from('not a code cache at all '.repeat(5000)));
  const run = check();
  assert.equal(run.stdout, expected);
  assert.ok(acceptedByV8(fs.readFileSync(cacheFile)), 'replaced by a valid cache');
});

test("a short run's thin cache is replaced by a longer run's", (t) => {
  const { env, cacheFile, check } = setup(t);
  assert.equal(runCli(['--version'], { env }).status, 0);
  const thin = fs.statSync(cacheFile).size;
  check();
  assert.ok(fs.statSync(cacheFile).size > thin * 1.25, `grew from ${thin} bytes`);
});

test('--no-cache and RESTY_BUILD_CODE_CACHE=0 neither read nor write one', (t) => {
  const { cacheHome, check } = setup(t);
  check(['--no-cache']);
  check(['--no-cache'], { RESTY_BUILD_CODE_CACHE: '0' });
  assert.deepEqual(fs.readdirSync(cacheHome), []);
  check([], { RESTY_BUILD_CODE_CACHE: '0' });
  assert.deepEqual(fs.readdirSync(cacheHome), ['resty-build'], 'the stored facts only');
  assert.deepEqual(fs.readdirSync(path.join(cacheHome, 'resty-build')).sort(), ['facts', 'luajit-dialects.json'], 'no code folder');
});

test('a FIFO or a folder where the cache goes is not read, and the run goes on', (t) => {
  const { cacheFile, check } = setup(t);
  const expected = check(['--no-cache']).stdout;
  fs.mkdirSync(path.dirname(cacheFile), { recursive: true });
  const fifo = spawnSync('mkfifo', [cacheFile]);
  assert.equal(fifo.status, 0, String(fifo.stderr));
  const run = check();
  assert.equal(run.status, 1, run.stderr);
  assert.equal(run.stdout, expected);
  fs.rmSync(cacheFile, { force: true });
  fs.mkdirSync(cacheFile);
  assert.equal(check().stdout, expected);
  assert.ok(fs.statSync(cacheFile).isDirectory(), 'a folder is left alone');
  assert.deepEqual(
    fs.readdirSync(path.dirname(cacheFile)).filter((f) => f.endsWith('.tmp')),
    [],
    'no temporary file left behind',
  );
});

test('caches of other builds written over a week ago are removed with the next write; recent ones are kept', (t) => {
  const { env, cacheFile, check } = setup(t);
  const dir = codeCacheDir(env);
  fs.mkdirSync(dir, { recursive: true });
  const old = path.join(dir, 'cli-bundle-0123456789abcdef01234567.bin');
  const recent = path.join(dir, 'cli-bundle-89abcdef0123456789abcdef.bin');
  const server = path.join(dir, 'server-bundle-0123456789abcdef01234567.bin');
  for (const f of [old, recent, server]) {
    fs.writeFileSync(f, 'x');
  }
  const eightDaysAgo = new Date(Date.now() - 8 * 24 * 3600 * 1000);
  fs.utimesSync(old, eightDaysAgo, eightDaysAgo);
  fs.utimesSync(server, eightDaysAgo, eightDaysAgo);
  check();
  assert.deepEqual(fs.readdirSync(dir).sort(), [path.basename(cacheFile), path.basename(recent), path.basename(server)].sort());
});
