// resty-build init: the manifest the analysis infers for a folder without one.
import assert from 'node:assert/strict';
import * as path from 'node:path';
import { test } from 'node:test';
import { runCli } from '../helpers/cli';
import { tempCopy, writeTree } from '../helpers/paths';

function inferred(dir: string, env: Record<string, string> = {}): Record<string, unknown> {
  const run = runCli(['init', dir, '--stdout'], { env });
  assert.equal(run.status, 0, run.stderr);
  return JSON.parse(run.stdout);
}

test('init: a luakit stdlib in a folder named ..stdlib inside the project is written relative', (t) => {
  const tmp = tempCopy();
  t.after(tmp.cleanup);
  const project = path.join(tmp.dir, 'project');
  writeTree(project, {
    'build.lua': 'local helper = require "helper"\nbk.run("true")\n',
    '..stdlib/helper.lua': 'return {}\n',
  });
  const manifest = inferred(project, { LUAKIT_STDLIB_DIR: path.join(project, '..stdlib') });
  assert.equal(manifest.profile, 'luakit');
  assert.equal(manifest.buildScript, 'build.lua');
  assert.equal(manifest.stdlib, '..stdlib');
});

test('init: a luakit stdlib outside the project is left to the environment', (t) => {
  const tmp = tempCopy();
  t.after(tmp.cleanup);
  const project = path.join(tmp.dir, 'project');
  writeTree(tmp.dir, {
    'project/build.lua': 'local helper = require "helper"\nbk.run("true")\n',
    'stdlib/helper.lua': 'return {}\n',
  });
  const manifest = inferred(project, { LUAKIT_STDLIB_DIR: path.join(tmp.dir, 'stdlib') });
  assert.equal(manifest.profile, 'luakit');
  assert.equal('stdlib' in manifest, false);
});
