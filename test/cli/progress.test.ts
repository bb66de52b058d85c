// Build progress as a user sees it: rewritten in place on a terminal (a real
// pseudo-terminal, through util-linux's `script`), and in a log (a pipe, as
// in CI) one line for the plan and none per module.
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { test } from 'node:test';
import { buildProgressOutput } from '../../server/src/commands/progressOutput';
import { statusLineUpdate } from '../../server/src/commands/terminalStatus';
import { runCli } from '../helpers/cli';
import { distFile } from '../helpers/paths';
import { copyFixture } from '../helpers/toolchain';

const MODULES = ['app.config', 'app.handler', 'resty.core.base', 'vendored'];

function shellQuoted(s: string): string {
  return `'${s.replace(/'/g, `'\\''`)}'`;
}

test('compile with stderr piped: the plan in one line, no line per module, then the summary', () => {
  const dir = copyFixture('build-basic');
  const first = runCli(['compile', dir]);
  assert.equal(first.status, 0, first.stderr);
  assert.deepEqual(first.stderr.trimEnd().split('\n').map((l) => l.replace(/ -> .*/, '')), ['compiling 4 modules', 'compiled 4, up to date 0, failed 0, removed 0']);
  const again = runCli(['compile', dir]);
  // Nothing to compile: no plan line either.
  assert.deepEqual(again.stderr.trimEnd().split('\n').map((l) => l.replace(/ -> .*/, '')), ['compiled 0, up to date 4, failed 0, removed 0']);
  const verify = runCli(['verify', dir, '--force']);
  assert.equal(verify.status, 0, verify.stderr);
  assert.doesNotMatch(verify.stderr, /\[\d+\/\d+\]|\r|\u001b/);
  assert.match(verify.stderr, /^compiling 4 modules\ncompiled 4, up to date 0/);
});

test('compile on a terminal: one status line rewritten per module, cut to the width, cleared before the summary', () => {
  const dir = copyFixture('build-basic');
  const command = `stty cols 30 && exec ${shellQuoted(process.execPath)} ${shellQuoted(distFile('cli.js'))} compile ${shellQuoted(dir)} --jobs 1`;
  const r = spawnSync('script', ['-qec', command, '/dev/null'], { encoding: 'utf8', env: { PATH: process.env.PATH, TERM: 'xterm' }, timeout: 30_000 });
  assert.equal(r.status, 0, r.stdout + r.stderr);
  const [progress, summary, ...rest] = r.stdout.split('\r\u001b[K');
  assert.deepEqual(rest, []);
  assert.match(summary, /^compiled 4, up to date 0, failed 0, removed 0 -> /);
  // Every update returns to the start of the row and erases what the longer one before left; no line ends.
  const updates = progress.split('\r').slice(1);
  assert.ok(updates.every((u) => u.endsWith('\u001b[K')), JSON.stringify(progress));
  const shown = updates.map((u) => u.slice(0, -'\u001b[K'.length));
  assert.equal(shown[0], 'compiling 4 modules');
  assert.deepEqual(shown.slice(1).map((s) => s.replace(/^\[\d\/4\] /, '')).sort(), MODULES);
  assert.ok(shown.every((s) => [...s].length <= 29), JSON.stringify(shown));
});

test('the status line is cut to one row less than the terminal, with an ellipsis', () => {
  assert.equal(statusLineUpdate('[1/4] app.config', 80), '\r[1/4] app.config\u001b[K');
  assert.equal(statusLineUpdate('[10/120] resty.core.base64', 16), '\r[10/120] resty…\u001b[K');
  assert.equal(statusLineUpdate('[10/120] x', 11), '\r[10/120] x\u001b[K');
  assert.equal(statusLineUpdate('abc', 1), '\r…\u001b[K');
});

test('progress goes to the status line when there is one, else only the plan is written', () => {
  const lines: string[] = [];
  const status: string[] = [];
  const io = { out: () => undefined, err: (s: string) => void lines.push(s), env: {} };
  const steps = [
    { step: 'start', toCompile: 2, upToDate: 3 },
    { step: 'compile', done: 1, total: 2, module: 'a' },
    { step: 'compile', done: 2, total: 2, module: 'b' },
  ] as const;
  steps.forEach(buildProgressOutput(io));
  assert.deepEqual(lines, ['compiling 2 modules (3 up to date)']);
  lines.length = 0;
  steps.forEach(buildProgressOutput({ ...io, status: (s) => void status.push(s) }));
  assert.deepEqual(lines, []);
  assert.deepEqual(status, ['compiling 2 modules (3 up to date)', '[1/2] a', '[2/2] b']);
});
