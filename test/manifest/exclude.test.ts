// The manifest's `exclude`: globs relative to its folder; excluded files are
// neither analysed nor reported, but a require of one still resolves.
import assert from 'node:assert/strict';
import * as path from 'node:path';
import { test } from 'node:test';
import { checkAll } from '../../server/src/core/checks/fileChecks';
import { excludeMatcher } from '../../server/src/core/manifest/exclude';
import { parseManifest } from '../../server/src/core/manifest/manifest';
import { MEM_ROOT, memWorkspace } from '../helpers/core';

test('patterns: ** spans folders, * stays in one, a folder excludes what is in it, ./ and a trailing / are the same', () => {
  const matcher = excludeMatcher(MEM_ROOT, ['spec', 't/', './examples/**', '**/*_test.lua', 'bench/*.lua']);
  const excluded = (rel: string) => matcher(path.join(MEM_ROOT, rel));
  assert.equal(excluded('spec/helpers.lua'), true);
  assert.equal(excluded('spec/fixtures/deep/x.lua'), true);
  assert.equal(excluded('t/lib/helper.lua'), true);
  assert.equal(excluded('examples/demo.lua'), true);
  assert.equal(excluded('lib/resty/foo_test.lua'), true);
  assert.equal(excluded('prometheus_test.lua'), true);
  assert.equal(excluded('bench/run.lua'), true);
  assert.equal(excluded('bench/deep/run.lua'), false, '* does not span folders');
  assert.equal(excluded('lib/resty/spec.lua'), false, 'a pattern is relative to the manifest folder');
  assert.equal(excluded('lib/resty/test.lua'), false);
  assert.equal(excluded('../outside/spec/x.lua'), false);
  // A folder whose name starts with two dots is inside the project, not above it.
  const dotted = excludeMatcher(MEM_ROOT, ['..x/**']);
  assert.equal(dotted(path.join(MEM_ROOT, '..x', 'gen.lua')), true);
  assert.equal(dotted(path.join(MEM_ROOT, '..', 'x', 'gen.lua')), false);
});

test('a wrong type is a positioned manifest-invalid', () => {
  const result = parseManifest(path.join(MEM_ROOT, 'resty-build.json'), '{ "exclude": "spec/**" }');
  assert.deepEqual(
    result.findings.map((f) => [f.code, f.message]),
    [['manifest-invalid', 'exclude must be an array of strings, not string.']],
  );
});

test('excluded files are not analysed or reported, yet resolve as require targets; the closure still judges one it reaches', () => {
  const ws = memWorkspace({
    'resty-build.json': JSON.stringify({ profile: 'openresty', path: ['?.lua', 'lib/?.lua'], exclude: ['spec/**', '**/*_test.lua'], embed: ['app.main'] }),
    'lib/app/main.lua': 'local shim = require "spec.shim"\nreturn {}',
    'lib/app/tool.lua': 'local helpers = require "spec.helpers"\nreturn {}',
    'spec/helpers.lua': 'local busted = require "busted"\nlocal x = = 1\nreturn {}',
    'spec/shim.lua': 'local gone = require "app.gone"\nreturn {}',
    'lib/app/main_test.lua': 'local luaunit = require "luaunit"\n',
  });
  assert.deepEqual([...ws.files()].map((f) => path.relative(MEM_ROOT, f)), ['lib/app/main.lua', 'lib/app/tool.lua']);
  const findings = [...checkAll(ws).values()].flat().map((f) => [path.relative(MEM_ROOT, f.file), f.code, f.module ?? null]);
  assert.deepEqual(findings, [
    // spec.shim goes into the binary with app.main: the closure says so, in both files.
    ['lib/app/main.lua', 'not-in-mapping', 'spec.shim'],
    ['spec/shim.lua', 'unresolved-module', 'app.gone'],
  ]);
});
