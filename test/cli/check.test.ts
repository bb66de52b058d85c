// `resty-build check`: the JSON and text contracts CI scripts rely on, and the exit codes.
import { describe, test } from 'node:test';
import * as assert from 'node:assert/strict';
import * as path from 'node:path';
import { checkJson, runCli } from '../helpers/cli';
import * as fs from 'node:fs';
import { fixture, repoRoot, tempDirFor, writeTree } from '../helpers/paths';

const KEYS = ['file', 'line', 'column', 'endLine', 'endColumn', 'severity', 'code', 'message', 'module'];

describe('resty-build check --format json', () => {
  const run = runCli(['check', fixture('cli-findings'), '--format', 'json']);

  test('exits 1 when there are errors', () => {
    assert.equal(run.status, 1, run.stderr);
  });

  test('prints exactly { diagnostics: [...] } with 1-based positions and paths relative to the dir', () => {
    const out = checkJson(run.stdout);
    assert.deepEqual(Object.keys(out), ['diagnostics']);
    for (const d of out.diagnostics) {
      assert.deepEqual(Object.keys(d), KEYS);
    }
    const withoutMessages = out.diagnostics.map(({ message: _message, ...rest }) => rest);
    assert.deepEqual(withoutMessages, [
      { file: 'lib/app/broken.lua', line: 3, column: 1, endLine: 3, endColumn: 7, severity: 'error', code: 'syntax-error', module: null },
      { file: 'main.lua', line: 2, column: 22, endLine: 2, endColumn: 32, severity: 'error', code: 'unresolved-module', module: 'app.gone' },
      { file: 'main.lua', line: 3, column: 37, endLine: 3, endColumn: 51, severity: 'warning', code: 'unresolved-module', module: 'app.optional' },
      { file: 'main.lua', line: 4, column: 21, endLine: 4, endColumn: 28, severity: 'info', code: 'dynamic-require', module: null },
    ]);
    const gone = out.diagnostics[1].message as string;
    assert.deepEqual(gone.split('\n').slice(0, 3), ["module 'app.gone' not found:", "\tno field package.preload['app.gone']", "\tno file 'lib/app/gone.lua'"]);
  });

  test('--format=json is accepted too, and a relative dir is taken against the cwd', () => {
    const rel = runCli(['check', path.join('test', 'fixtures', 'cli-findings'), '--format=json'], { cwd: repoRoot });
    assert.equal(rel.status, 1);
    assert.deepEqual(JSON.parse(rel.stdout), JSON.parse(run.stdout));
  });
});

describe('resty-build check (text)', () => {
  test('one line per finding: path:line:col: severity code: message; the trail indented below', () => {
    const run = runCli(['check', fixture('cli-findings')]);
    assert.equal(run.status, 1);
    const heads = run.stdout.split('\n').filter((l) => !l.startsWith(' ') && l !== '');
    assert.deepEqual(heads, [
      "lib/app/broken.lua:3:1: error syntax-error: <name> or '...' expected near 'return'",
      "main.lua:2:22: error unresolved-module: module 'app.gone' not found:",
      "main.lua:3:37: warning unresolved-module: module 'app.optional' not found:",
      'main.lua:4:21: info dynamic-require: The module name is neither a literal string nor built from constants, so it cannot be resolved or followed before run time.',
    ]);
    const lines = run.stdout.split('\n');
    const at = lines.indexOf("main.lua:2:22: error unresolved-module: module 'app.gone' not found:");
    assert.deepEqual(lines.slice(at + 1, at + 3), ["    no field package.preload['app.gone']", "    no file 'lib/app/gone.lua'"]);
    assert.equal(run.stderr.trim(), '2 errors, 1 warning, 1 info in 3 Lua files');
  });

  test('warnings and infos alone exit 0', () => {
    // The optional module exists on no machine: a real one (say cjson.safe) resolves wherever its package is installed.
    const run = runCli(['check', fixture('cli-warnings-only')]);
    assert.equal(run.status, 0, run.stdout);
    assert.match(run.stdout, /^main\.lua:1:41: warning unresolved-module: module 'extra\.nowhere' not found:$/m);
    assert.match(run.stdout, /^main\.lua:2:21: info dynamic-require: /m);
  });

  test('a clean project exits 0 with no output on stdout', () => {
    const run = runCli(['check', fixture('cli-clean')]);
    assert.equal(run.status, 0);
    assert.equal(run.stdout, '');
    assert.equal(run.stderr.trim(), '0 errors, 0 warnings, 0 infos in 2 Lua files');
    assert.deepEqual(JSON.parse(runCli(['check', fixture('cli-clean'), '--format', 'json']).stdout), { diagnostics: [] });
  });

  for (const example of ['luakit-go', 'openresty-healthcheck']) {
    test(`examples/${example} is clean`, () => {
      const run = runCli(['check', path.join(repoRoot, 'examples', example), '--format', 'json']);
      assert.equal(run.status, 0, run.stdout + run.stderr);
      assert.deepEqual(JSON.parse(run.stdout), { diagnostics: [] });
    });
  }
});

describe('resty-build usage errors exit 2', () => {
  for (const [what, args, message] of [
    ['unknown command', ['frobnicate', '.'], /^resty-build: unknown command 'frobnicate' \(commands: check, map, why, fix, init, compile, flags, verify, runtime; resty-build --help describes them\)\n$/],
    ['bad --format', ['check', '.', '--format', 'xml'], /unknown format 'xml'/],
    ['--format without a value', ['check', '.', '--format'], /--format needs a value/],
    ['missing dir', ['check', '/nonexistent/resty-build-test'], /'\/nonexistent\/resty-build-test' is not a folder or a file: it does not exist/],
    ['a file that is not Lua, nginx.conf or a manifest', ['check', path.join(repoRoot, 'package.json')], /is not a folder, a Lua file, an nginx configuration or resty-build\.json/],
    ['no command', [], /missing command/],
    ['unknown option', ['check', '--frob'], /unknown option '--frob'/],
  ] as const) {
    test(what, () => {
      const run = runCli([...args]);
      assert.equal(run.status, 2, run.stdout + run.stderr);
      assert.match(run.stderr, message);
      assert.equal(run.stdout, '', 'nothing on stdout: a CI script parsing it sees no half result');
    });
  }

  test('--help exits 0 and prints the usage', () => {
    const run = runCli(['--help']);
    assert.equal(run.status, 0);
    assert.match(run.stdout, /^Usage: resty-build <command>/);
  });
});

describe('resty-build check of a subfolder or a file', () => {
  const project = (t: { after: (fn: () => void) => void }) => {
    const dir = tempDirFor(t);
    writeTree(dir, {
      'resty-build.json': JSON.stringify({ profile: 'openresty', path: ['lib/?.lua'], cpath: [], embed: ['app.main'] }),
      'lib/app/main.lua': 'local util = require "app.util"\nreturn {}\n',
      'lib/app/util.lua': 'local gone = require "app.gone"\nreturn {}\n',
      'other/x.lua': 'local y = require "other.gone"\n',
    });
    return dir;
  };
  const heads = (stdout: string) => stdout.split('\n').filter((l) => l !== '' && !l.startsWith(' ')).map((l) => l.split(': ').slice(0, 2).join(': '));

  test('a subfolder is checked with the enclosing manifest, and only its own findings are reported', (t) => {
    const dir = project(t);
    const run = runCli(['check', path.join(dir, 'lib', 'app')]);
    assert.equal(run.status, 1, run.stderr);
    // app.util resolves through the manifest's path (without it, it would be missing); other/ is not reported.
    assert.deepEqual(heads(run.stdout), ['main.lua:1:22: error not-in-mapping', 'util.lua:1:22: error unresolved-module']);
    assert.equal(run.stderr.trim(), '2 errors, 0 warnings, 0 infos in 2 Lua files');
  });

  test('one file is checked with the enclosing manifest, and only its findings are reported', (t) => {
    const dir = project(t);
    const run = runCli(['check', path.join(dir, 'lib', 'app', 'util.lua'), '--format', 'json']);
    assert.equal(run.status, 1);
    const out = checkJson(run.stdout);
    assert.deepEqual(out.diagnostics.map((d) => [d.file, d.code, d.module]), [['util.lua', 'unresolved-module', 'app.gone']]);
  });

  test('a broken manifest exits 2, as the README says, and its finding says why', (t) => {
    const dir = project(t);
    fs.writeFileSync(path.join(dir, 'resty-build.json'), '{ "profile": "openresty", "embed": [ }');
    const run = runCli(['check', dir]);
    assert.equal(run.status, 2, run.stdout + run.stderr);
    assert.match(run.stdout, /^resty-build\.json:1:\d+: error manifest-invalid: resty-build\.json is not valid JSON/m);
    const sub = runCli(['check', path.join(dir, 'lib')]);
    assert.equal(sub.status, 2, 'also when a part of the project is checked');
    assert.match(sub.stdout, /^.*\/resty-build\.json:1:\d+: error manifest-invalid/m);
  });
});

