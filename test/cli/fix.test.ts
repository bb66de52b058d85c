// `resty-build fix`: the safe quick fixes written into resty-build.json, its
// comments kept; --dry-run shows the edit as a diff that GNU patch applies to
// give the same file; a manifest that leads elsewhere is not written.
import { describe, test } from 'node:test';
import * as assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { checkJson, runCli } from '../helpers/cli';
import { fixture, tempCopy } from '../helpers/paths';

const ORIGINAL = fs.readFileSync(fixture('fix-project', 'resty-build.json'), 'utf8');

describe('resty-build fix', () => {
  test('adds what the closure misses to embed and what OpenResty bundles to provided, keeping comments; a typo stays an error', (t) => {
    const tmp = tempCopy('fix-project');
    t.after(tmp.cleanup);
    const run = runCli(['fix', tmp.dir]);
    assert.equal(run.status, 0, run.stderr);
    assert.equal(run.stdout, '');
    assert.match(run.stderr, /^added 2 modules to "embed" \(app\.util, app\.deep\) and 1 module OpenResty bundles to "provided" \(resty\.lock\) in /);
    const fixed = fs.readFileSync(path.join(tmp.dir, 'resty-build.json'), 'utf8');
    assert.equal(
      fixed,
      ORIGINAL.replace('"app" // the entry point\n  ]', '"app", // the entry point\n    "app.util",\n    "app.deep"\n  ],\n  "provided": [\n    "resty.lock"\n  ]'),
    );
    const check = runCli(['check', tmp.dir, '--format', 'json']);
    const left = checkJson(check.stdout).diagnostics.map((d) => [d.code, d.module]);
    assert.deepEqual(left, [['unresolved-module', 'resty.lokc']]);
    const again = runCli(['fix', tmp.dir]);
    assert.equal(again.status, 0);
    assert.equal(again.stderr.trim(), 'nothing to fix');
  });

  test('--dry-run writes nothing and prints a unified diff that patch turns into what fix writes', (t) => {
    const dry = tempCopy('fix-project');
    const real = tempCopy('fix-project');
    t.after(() => {
      dry.cleanup();
      real.cleanup();
    });
    const run = runCli(['fix', dry.dir, '--dry-run']);
    assert.equal(run.status, 0, run.stderr);
    assert.match(run.stdout, /^--- a\/resty-build\.json\n\+\+\+ b\/resty-build\.json\n@@ -\d+,\d+ \+\d+,\d+ @@\n/);
    assert.match(run.stderr, /^would add 2 modules to "embed"/);
    assert.equal(fs.readFileSync(path.join(dry.dir, 'resty-build.json'), 'utf8'), ORIGINAL);
    const patch = spawnSync('patch', ['-p1', '--forward', '--no-backup-if-mismatch'], { cwd: dry.dir, input: run.stdout + '\n', encoding: 'utf8' });
    assert.equal(patch.status, 0, patch.stdout + patch.stderr);
    assert.equal(runCli(['fix', real.dir]).status, 0);
    assert.equal(fs.readFileSync(path.join(dry.dir, 'resty-build.json'), 'utf8'), fs.readFileSync(path.join(real.dir, 'resty-build.json'), 'utf8'));
  });

  test('a manifest that does not fit the schema is exit 2 for fix, map and why, as for check, and is not written', (t) => {
    const tmp = tempCopy('fix-project');
    t.after(tmp.cleanup);
    // A misspelt key and an entry that is not a string: read with them dropped, map printed an empty table with exit 0.
    const broken = ORIGINAL.replace('"profile"', '"embedd": [], "profile"').replace('"app" // the entry point', '"app", 42');
    fs.writeFileSync(path.join(tmp.dir, 'resty-build.json'), broken);
    assert.equal(runCli(['check', tmp.dir]).status, 2);
    for (const argv of [['fix', tmp.dir], ['map', tmp.dir], ['why', 'app', tmp.dir]]) {
      const run = runCli(argv);
      assert.equal(run.status, 2, `${argv[0]}: ${run.stdout}${run.stderr}`);
      assert.equal(run.stdout, '');
      assert.match(run.stderr, /^resty-build \w+: .*resty-build\.json:3:3: Unknown key embedd\. Did you mean 'embed'\? \(and 1 more: resty-build check lists them\)\n$/);
    }
    assert.equal(fs.readFileSync(path.join(tmp.dir, 'resty-build.json'), 'utf8'), broken);
  });

  test('a manifest that is a link to a file outside the project is not written', (t) => {
    const tmp = tempCopy('fix-project');
    const outside = tempCopy();
    t.after(() => {
      tmp.cleanup();
      outside.cleanup();
    });
    const target = path.join(outside.dir, 'elsewhere.json');
    fs.renameSync(path.join(tmp.dir, 'resty-build.json'), target);
    fs.symlinkSync(target, path.join(tmp.dir, 'resty-build.json'));
    const run = runCli(['fix', tmp.dir]);
    assert.equal(run.status, 2, run.stdout + run.stderr);
    assert.match(run.stderr, /is not a regular file inside .*; not writing it/);
    assert.equal(fs.readFileSync(target, 'utf8'), ORIGINAL);
  });
});
