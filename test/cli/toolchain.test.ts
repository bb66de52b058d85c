import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { test } from 'node:test';
import { pathToFileURL } from 'node:url';
import { main } from '../../server/src/cli';
import { copyFixture, REPO, tempDir, writeScript } from '../helpers/toolchain';

async function cli(...argv: string[]) {
  const out: string[] = [];
  const err: string[] = [];
  const code = await main(argv, { out: (s: string) => void out.push(s), err: (s: string) => void err.push(s), env: process.env });
  return { code, out: out.join('\n'), err: err.join('\n') };
}

/** The real process, through tsx: exit code, stdout and stderr as a user sees them. */
function spawnCli(cwd: string, ...argv: string[]) {
  // tsx by absolute URL: the fixture's folder has no node_modules to resolve it from.
  const tsx = pathToFileURL(path.join(REPO, 'node_modules/tsx/dist/loader.mjs')).href;
  const r = spawnSync(process.execPath, ['--import', tsx, path.join(REPO, 'server/src/cli.ts'), ...argv], { cwd, encoding: 'utf8' });
  return { code: r.status, out: r.stdout, err: r.stderr };
}

test('compile: exit 0, the plan on stderr (no line per module without a terminal), nothing to do the second time', async () => {
  const dir = copyFixture('build-basic');
  const first = await cli('compile', dir);
  assert.equal(first.code, 0, first.err);
  assert.match(first.err, /^compiling 4 modules$/m);
  assert.doesNotMatch(first.err, /\[\d+\/\d+\]/);
  assert.match(first.err, /compiled 4, up to date 0/);
  const second = await cli('compile', dir);
  assert.equal(second.code, 0);
  assert.match(second.err, /compiled 0, up to date 4/);
  assert.doesNotMatch(second.err, /\[\d+\/\d+\]/);
});

test('compile: a syntax error is exit 1 and a positioned line for the problem matcher (relative to the working folder)', () => {
  const dir = copyFixture('build-syntax-error');
  const r = spawnCli(dir, 'compile');
  assert.equal(r.code, 1, r.err);
  assert.equal(r.out.trim(), "lib/broken.lua:4:1: error compile-error: unexpected symbol near 'end'");
  assert.match(r.err, /compiled 2, up to date 0, failed 1/);
});

test('compile --format json lists objects and diagnostics', async () => {
  const dir = copyFixture('build-syntax-error');
  const r = await cli('compile', dir, '--format', 'json');
  assert.equal(r.code, 1);
  const json = JSON.parse(r.out);
  assert.deepEqual(json.failed, ['broken']);
  assert.deepEqual(json.objects.map((o: { symbol: string }) => o.symbol), ['luaJIT_BC_good_one', 'luaJIT_BC_good_two']);
  assert.equal(json.diagnostics[0].code, 'compile-error');
  assert.equal(json.diagnostics[0].line, 4);
});

test('environment and usage errors are exit 2: no manifest, luajit missing, outDir unwritable, bad option', async () => {
  const empty = tempDir();
  const noManifest = await cli('compile', empty);
  assert.equal(noManifest.code, 2);
  assert.match(noManifest.err, /no resty-build\.json/);
  const dir = copyFixture('build-basic');
  const noLuajit = await cli('compile', dir, '--luajit', '/nonexistent/luajit');
  assert.equal(noLuajit.code, 2);
  assert.match(noLuajit.err, /LuaJIT '\/nonexistent\/luajit' not found/);
  fs.writeFileSync(path.join(dir, 'build'), 'not a folder');
  const unwritable = await cli('compile', dir);
  assert.equal(unwritable.code, 2);
  assert.match(unwritable.err, /outDir .* cannot be made: a folder on the way to .* is a file, not a folder/);
  assert.equal((await cli('flags', dir, '--mode', 'bogus')).code, 2);
  assert.equal((await cli('compile', dir, '--frobnicate')).code, 2);
});

test('one parser for every command: help per command from the table, checked values, options before the command', async () => {
  const help = await cli('verify', '--help');
  assert.equal(help.code, 0);
  assert.match(help.out, /^Usage: resty-build verify \[dir\] \[options\]/);
  assert.match(help.out, /^ {2}--no-export-dynamic /m);
  assert.doesNotMatch(help.out, /--stdout/);
  const all = await cli('--help');
  // Every code of the contract, 141 (a reader that stopped early) included, for CI scripts that test $?.
  for (const text of [help.out, all.out]) {
    assert.match(text, /^Exit codes: 0 no errors, 1 errors found, 2 usage or environment error, 130 interrupted, 141 output closed early/m);
  }
  for (const command of ['check', 'map', 'init', 'compile', 'flags', 'verify']) {
    assert.match(all.out, new RegExp(`^ {2}${command} `, 'm'));
  }
  const jobs = await cli('compile', '.', '--jobs', '0');
  assert.equal(jobs.code, 2);
  assert.match(jobs.err, /^resty-build: --jobs needs a whole number of at least 1\n\nUsage: resty-build compile /);
  // Beyond 2^31-1 ms node's timer fires after 1 ms: every module failed as "did not finish within 3000000 s".
  const timeout = await cli('compile', '.', '--timeout', '3000000');
  assert.equal(timeout.code, 2);
  assert.match(timeout.err, /^resty-build: --timeout needs a number of seconds up to 2147483\n/);
  assert.equal((await cli('compile', '.', '--timeout', 'Infinity')).code, 2);
  const format = await cli('flags', '--format', 'xml');
  assert.equal(format.code, 2);
  assert.match(format.err, /unknown format 'xml' \(use text or json\)/);
  const stdout = await cli('check', '--stdout');
  assert.equal(stdout.code, 2);
  assert.match(stdout.err, /unknown option '--stdout' for 'check'/);
  const dir = copyFixture('build-basic');
  const first = await cli('--format', 'json', 'flags', dir);
  assert.equal(first.code, 0, first.err);
  assert.deepEqual(Object.keys(JSON.parse(first.out)), ['configureArgs', 'withLdOpt', 'objects', 'warnings']);
});

test('a hanging compiler given with --luajit is killed after --timeout, naming the tool', async () => {
  const dir = copyFixture('build-syntax-error');
  const fake = writeScript(tempDir(), 'slow-luajit', 'case "$*" in -v|*"return 1"*) exec luajit "$@";; esac\nexec sleep 600');
  const r = await cli('compile', dir, '--luajit', fake, '--timeout', '0.2');
  assert.equal(r.code, 1);
  assert.match(r.out, new RegExp(`error compiler-failed: luajit \\(${fake.replace(/[.*+?^${}()|[\]\\/]/g, '\\$&')}\\) did not finish compiling`));
});

test('flags: the configure line on stdout (sh-safe), warnings on stderr; JSON has exactly the documented keys', async () => {
  const dir = copyFixture('build-basic');
  await cli('compile', dir);
  const text = await cli('flags', dir);
  assert.equal(text.code, 0);
  const argv = spawnSync('sh', ['-c', `printf '%s\\0' ${text.out}`], { encoding: 'utf8' }).stdout.split('\0').slice(0, -1);
  assert.equal(argv[0], '--with-compat');
  assert.match(argv[1], /^--with-ld-opt=\/.*resty_core_base\.o /);
  assert.match(text.err, /info export-dynamic-note/);
  const json = JSON.parse((await cli('flags', dir, '--format', 'json', '--mode', 'archive')).out);
  assert.deepEqual(Object.keys(json), ['configureArgs', 'withLdOpt', 'objects', 'warnings']);
  assert.deepEqual(json.configureArgs, argv.slice(0, 1).concat([`--with-ld-opt=${json.withLdOpt}`]));
  assert.ok(fs.existsSync(path.join(dir, 'build/bytecode/libresty_build_bytecode.a')));
  assert.ok(json.objects.every((o: string) => path.isAbsolute(o)));
});

test('verify: exit 0 when every module is found, exit 1 naming the modules when the link does not export symbols', async () => {
  const dir = copyFixture('build-basic');
  const good = await cli('verify', dir);
  assert.equal(good.code, 0, good.out + good.err);
  assert.match(good.out, /^ok {3}resty\.core\.base$/m);
  const bad = await cli('verify', dir, '--no-export-dynamic');
  assert.equal(bad.code, 1);
  assert.match(bad.out, /^FAIL app\.config: .*-Wl,-E/m);
  assert.match(bad.out, /error verify-failed: 'app\.handler' is not found as embedded bytecode/);
});

test('verify: the summary counts one module as one', async () => {
  const dir = copyFixture('build-basic');
  fs.writeFileSync(path.join(dir, 'resty-build.json'), JSON.stringify({ profile: 'openresty', path: ['lib/?.lua'], embed: ['app.config'] }));
  const one = await cli('verify', dir);
  assert.equal(one.code, 0, one.out + one.err);
  assert.match(one.err, /^1 module checked: 1 found, 0 not found /m);
});

test('the $resty-build problem matcher of package.json reads the CLI finding lines', () => {
  const pkg = JSON.parse(fs.readFileSync(path.join(REPO, 'package.json'), 'utf8'));
  const matcher = pkg.contributes.problemMatchers.find((m: { name: string }) => m.name === 'resty-build');
  const m = new RegExp(matcher.pattern.regexp).exec("lib/broken.lua:4:1: error compile-error: unexpected symbol near 'end'");
  assert.ok(m);
  assert.deepEqual([m[matcher.pattern.file], m[matcher.pattern.line], m[matcher.pattern.column], m[matcher.pattern.severity], m[matcher.pattern.code], m[matcher.pattern.message]], [
    'lib/broken.lua',
    '4',
    '1',
    'error',
    'compile-error',
    "unexpected symbol near 'end'",
  ]);
  assert.ok(pkg.contributes.taskDefinitions.some((t: { type: string }) => t.type === 'resty-build'));
  assert.equal(pkg.contributes.configuration.properties['restyBuild.luajitPath'].scope, 'machine');
});

test('map, compile and flags given a folder inside a project name the manifest above it; outside any project, map suggests init', async () => {
  const dir = copyFixture('build-basic');
  const sub = path.join(dir, 'lib');
  fs.mkdirSync(sub, { recursive: true });
  const pointer = `${sub} is inside the project of ${path.join(dir, 'resty-build.json')}: run the command on ${dir}.`;
  for (const command of ['map', 'compile', 'flags']) {
    const r = await cli(command, sub);
    assert.equal(r.code, 2, r.err);
    assert.ok(r.err.includes(`no resty-build.json in ${sub}`) && r.err.endsWith(pointer), r.err);
  }
  assert.deepEqual(fs.readdirSync(sub).filter((f) => f === 'build'), []);
  const lone = tempDir();
  const r = await cli('map', lone);
  assert.equal(r.err, `resty-build map: no resty-build.json in ${lone} (create one with: resty-build init ${lone})`);
});

const LUAKIT_IDLE = /resty-build\.json is a luakit build \(profile "luakit"\): its Lua runs in luakit, not inside nginx, and "embed" lists no module\./;

test('the build commands on a luakit build that embeds nothing say what it is and exit 2, making no outDir', async () => {
  const dir = tempDir();
  fs.writeFileSync(path.join(dir, 'resty-build.json'), JSON.stringify({ profile: 'luakit', buildScript: 'build.lua' }));
  fs.writeFileSync(path.join(dir, 'build.lua'), 'local helper = require "helper"\nbk.run("true")\n');
  for (const command of ['compile', 'flags', 'verify', 'runtime']) {
    const r = await cli(command, dir);
    assert.equal(r.code, 2, r.err);
    assert.match(r.err, LUAKIT_IDLE);
  }
  assert.deepEqual(fs.readdirSync(dir).sort(), ['build.lua', 'resty-build.json']);
});
