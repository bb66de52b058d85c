// The analysing commands start like the server: worker threads (or the main
// thread, on two cores or fewer) parse what changed, stored facts stand in for
// the rest, in the folder the server keeps them in for clients other than VS
// Code, so the two reuse each other's work. The tests that count what workers
// parsed ask for two (RESTY_BUILD_WORKERS), whatever the machine's cores.
import { test } from 'node:test';
import * as assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { generateWorkspace } from '../../bench/generate';
import { StatusNotification, StatusParams } from '../../server/src/protocol/protocol';
import { checkJson, CliRun, runCli } from '../helpers/cli';
import { startServer } from '../helpers/lspClient';
import { fixture, tempDirFor, writeTree } from '../helpers/paths';
import { writeScript } from '../helpers/toolchain';

/** The counters `--verbose` prints on stderr. */
function counters(run: CliRun): { files: number; outside: number; reused: number; byWorkers: number } {
  const m = /(\d+) Lua files and (\d+) outside the folder that they require: (\d+) from stored facts, (\d+) parsed by worker threads/.exec(run.stderr);
  assert.ok(m, `no counters on stderr:\n${run.stderr}`);
  return { files: Number(m[1]), outside: Number(m[2]), reused: Number(m[3]), byWorkers: Number(m[4]) };
}

/** Two worker threads whatever the machine: the counters then say what they parsed. */
const WORKERS = { RESTY_BUILD_WORKERS: '2' };

function storedFiles(cacheHome: string): string[] {
  const dir = path.join(cacheHome, 'resty-build', 'facts');
  return fs.existsSync(dir) ? fs.readdirSync(dir).filter((name) => name.endsWith('.json')) : [];
}

test('a second check reuses the facts the first one stored; a changed file is parsed again', (t) => {
  const ws = generateWorkspace(path.join(tempDirFor(t), 'ws'), 150);
  const cacheHome = tempDirFor(t);
  const check = () => runCli(['check', ws.root, '--format', 'json', '--verbose'], { env: { XDG_CACHE_HOME: cacheHome, ...WORKERS } });

  const first = check();
  assert.equal(first.status, 1, first.stderr);
  assert.deepEqual(counters(first), { files: 150, outside: 0, reused: 0, byWorkers: 150 });
  assert.equal(storedFiles(cacheHome).length, 1, 'one facts file for the folder');
  assert.match(storedFiles(cacheHome)[0], /^facts-[0-9a-f]{16}-[0-9a-f]{8}\.json$/, 'named by the folder and the build');

  const second = check();
  assert.deepEqual(counters(second), { files: 150, outside: 0, reused: 150, byWorkers: 0 });
  assert.equal(second.stdout, first.stdout, 'the same findings from stored facts');
  assert.ok(checkJson(second.stdout).diagnostics.length > 0);

  // Changed since the facts were stored: the stamp differs, so the file is read and parsed again.
  fs.appendFileSync(ws.files[20], '\nlocal broken = = 1\n');
  const third = check();
  assert.equal(counters(third).reused, 149);
  const { diagnostics } = checkJson(third.stdout);
  const changed = path.relative(ws.root, ws.files[20]);
  assert.ok(
    diagnostics.some((d) => d.file === changed && d.code === 'syntax-error'),
    `the change is seen: ${JSON.stringify(diagnostics.filter((d) => d.file === changed))}`,
  );
  // One file is parsed on the main thread, not by workers, and its facts are stored all the same.
  const fourth = check();
  assert.deepEqual(counters(fourth), { files: 150, outside: 0, reused: 150, byWorkers: 0 });
  assert.equal(fourth.stdout, third.stdout);
});

test("facts stored by another build are kept beside this build's, and dropped once unused for a week", (t) => {
  const ws = generateWorkspace(path.join(tempDirFor(t), 'ws'), 80);
  const cacheHome = tempDirFor(t);
  const check = () => runCli(['check', ws.root, '--format', 'json'], { env: { XDG_CACHE_HOME: cacheHome } });
  check();
  const [own] = storedFiles(cacheHome);
  const dir = path.join(cacheHome, 'resty-build', 'facts');
  const sibling = (build: string) => path.join(dir, own.replace(/-[0-9a-f]{8}\.json$/, `-${build}.json`));
  fs.writeFileSync(sibling('0000aaaa'), '{}');
  fs.writeFileSync(sibling('0000bbbb'), '{}');
  const old = new Date(Date.now() - 8 * 24 * 3600 * 1000);
  fs.utimesSync(sibling('0000bbbb'), old, old);
  // A store is written (and its folder tidied) when facts were parsed: here all of them again.
  fs.rmSync(path.join(dir, own));
  check();
  assert.deepEqual(storedFiles(cacheHome).sort(), [own, path.basename(sibling('0000aaaa'))].sort());
});

test('the stores of folders checked once are bounded: unused for 30 days or beyond the 200 newest, they are dropped, at most once a day', (t) => {
  const ws = generateWorkspace(path.join(tempDirFor(t), 'ws'), 20);
  const cacheHome = tempDirFor(t);
  const dir = path.join(cacheHome, 'resty-build', 'facts');
  fs.mkdirSync(dir, { recursive: true });
  const ago = (days: number) => new Date(Date.now() - days * 24 * 3600 * 1000);
  const store = (name: string, days: number) => {
    fs.writeFileSync(path.join(dir, name), '{}');
    fs.utimesSync(path.join(dir, name), ago(days), ago(days));
  };
  // 210 stores of other folders written over the last days, the newest first.
  const others = Array.from({ length: 210 }, (_, i) => `facts-${(0x1000 + i).toString(16).padStart(16, '0')}-0000aaaa.json`);
  others.forEach((name, i) => store(name, i / 100));
  store('facts-00000000000000ff-0000aaaa.json', 31);
  // Not stores: left alone, however old; a link is not followed.
  store('notes.json', 90);
  fs.mkdirSync(path.join(dir, 'facts-folder.json'));
  fs.symlinkSync(ws.root, path.join(dir, 'facts-link.json'));

  const check = () => runCli(['check', ws.root, '--format', 'json'], { env: { XDG_CACHE_HOME: cacheHome } });
  check();
  const after = new Set(storedFiles(cacheHome));
  const own = [...after].filter((name) => !others.includes(name) && /^facts-[0-9a-f]{16}-[0-9a-f]{8}\.json$/.test(name) && !name.startsWith('facts-00000000'));
  assert.equal(own.length, 1, [...after].join(' '));
  assert.deepEqual(
    others.filter((name) => after.has(name)),
    others.slice(0, 199),
    'the 199 newest other stores are kept beside this one',
  );
  assert.ok(!after.has('facts-00000000000000ff-0000aaaa.json'), 'a store unused for 31 days is dropped');
  assert.ok(after.has('notes.json') && after.has('facts-folder.json') && after.has('facts-link.json'));
  assert.ok(fs.existsSync(path.join(ws.root, 'resty-build.json')), 'the link was not followed');

  // Within a day the folder is not looked through again.
  store('facts-00000000000000fe-0000aaaa.json', 40);
  fs.rmSync(path.join(dir, own[0]));
  check();
  assert.ok(storedFiles(cacheHome).includes('facts-00000000000000fe-0000aaaa.json'));
});

test('--no-cache reads and writes no stored facts, and finds the same', (t) => {
  const ws = generateWorkspace(path.join(tempDirFor(t), 'ws'), 100);
  const cacheHome = tempDirFor(t);
  const env = { XDG_CACHE_HOME: cacheHome, ...WORKERS };
  const uncached = runCli(['check', ws.root, '--format', 'json', '--no-cache', '--verbose'], { env });
  assert.equal(uncached.status, 1, uncached.stderr);
  assert.deepEqual(counters(uncached), { files: 100, outside: 0, reused: 0, byWorkers: 100 });
  assert.deepEqual(storedFiles(cacheHome), [], 'nothing written');
  assert.deepEqual(fs.readdirSync(cacheHome), [], 'not even the folder');

  const cached = runCli(['check', ws.root, '--format', 'json'], { env });
  assert.equal(cached.stdout, uncached.stdout);
  assert.equal(storedFiles(cacheHome).length, 1);
  // Stored facts there now, and still not read.
  const again = runCli(['check', ws.root, '--format', 'json', '--no-cache', '--verbose'], { env });
  assert.equal(counters(again).reused, 0);
});

test('map and init analyse through the same stored facts', (t) => {
  const ws = generateWorkspace(path.join(tempDirFor(t), 'ws'), 100);
  const cacheHome = tempDirFor(t);
  const env = { XDG_CACHE_HOME: cacheHome, ...WORKERS };
  assert.equal(counters(runCli(['map', ws.root, '--format', 'json', '--verbose'], { env })).byWorkers, 100);
  assert.equal(counters(runCli(['check', ws.root, '--verbose'], { env })).reused, 100);
  const init = runCli(['init', ws.root, '--stdout', '--verbose'], { env });
  assert.equal(init.status, 0, init.stderr);
  assert.equal(counters(init).reused, 100);
  assert.match(init.stdout, /"embed"/);
});

test('the language server (outside VS Code) and the CLI share stored facts', async (t) => {
  const ws = generateWorkspace(path.join(tempDirFor(t), 'ws'), 120);
  const cacheHome = tempDirFor(t);
  const checked = runCli(['check', ws.root, '--verbose'], { env: { XDG_CACHE_HOME: cacheHome, ...WORKERS } });
  assert.equal(counters(checked).byWorkers, 120);
  const client = await startServer(ws.root, { env: { XDG_CACHE_HOME: cacheHome } });
  try {
    const status = await client.nextNotification<StatusParams>(StatusNotification.method, 60_000);
    assert.equal(status.files, 120);
    assert.equal(status.reusedFacts, 120, 'every file from what check stored');
    assert.equal(status.parsedByWorkers, 0);
  } finally {
    await client.stop();
  }
});

test('a cache folder that cannot be made (under /proc) costs the stored facts, not the run', () => {
  // Node's recursive mkdir never returns there: the store makes its folders one at a time.
  const run = runCli(['check', fixture('cli-findings'), '--format', 'json'], { env: { XDG_CACHE_HOME: '/proc/resty-build-no-cache-here' } });
  assert.equal(run.status, 1, `check finishes with its findings: ${run.stderr}`);
  assert.ok(checkJson(run.stdout).diagnostics.length > 0);
});

test('without worker threads the main thread parses every file, and finds the same', (t) => {
  const ws = generateWorkspace(path.join(tempDirFor(t), 'ws'), 150);
  const run = (workers: string) =>
    runCli(['check', ws.root, '--format', 'json', '--no-cache', '--verbose'], { env: { XDG_CACHE_HOME: tempDirFor(t), RESTY_BUILD_WORKERS: workers } });
  const threaded = run('2');
  const alone = run('0');
  assert.deepEqual(counters(threaded), { files: 150, outside: 0, reused: 0, byWorkers: 150 });
  assert.deepEqual(counters(alone), { files: 150, outside: 0, reused: 0, byWorkers: 0 });
  assert.equal(alone.status, 1, alone.stderr);
  assert.ok(checkJson(alone.stdout).diagnostics.length > 0);
  assert.equal(alone.stdout, threaded.stdout);
});

test("the LuaJIT's dialect is asked once and kept beside the stored facts: a rebuilt binary is asked again, --no-cache always asks", (t) => {
  const dir = tempDirFor(t);
  const cacheHome = tempDirFor(t);
  const log = path.join(dir, 'asked.log');
  // A 5.2-compatible LuaJIT (OpenResty's) accepts a call on the next line; plain LuaJIT calls it ambiguous syntax.
  const luajit = writeScript(dir, 'luajit', `echo asked >> '${log}'\nprintf lua52compat`);
  writeTree(dir, {
    'p/resty-build.json': JSON.stringify({ profile: 'openresty', path: ['lib/?.lua'], embed: ['app'], luajit: { compiler: luajit } }),
    'p/lib/app.lua': 'local f = print\nlocal a = f\n(f)(1)\nreturn a\n',
  });
  const check = (...extra: string[]) => runCli(['check', path.join(dir, 'p'), '--format', 'json', ...extra], { env: { XDG_CACHE_HOME: cacheHome } });
  const asked = () => (fs.existsSync(log) ? fs.readFileSync(log, 'utf8').split('\n').filter(Boolean).length : 0);

  for (const run of [check(), check()]) {
    assert.equal(run.status, 0, run.stdout + run.stderr);
    assert.deepEqual(checkJson(run.stdout).diagnostics, [], 'the 5.2-compatible verdict: no ambiguous-syntax error');
  }
  assert.equal(asked(), 1, 'the second check took the stored answer');
  assert.equal(check('--no-cache').status, 0);
  assert.equal(asked(), 2);
  fs.utimesSync(luajit, new Date(), new Date(Date.now() + 60_000));
  assert.equal(check().status, 0);
  assert.equal(asked(), 3, 'a binary changed since is asked again');
});
