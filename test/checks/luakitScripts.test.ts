// luakit runs any script it is given: without a manifest, a Lua file calling
// the bk API is a build script whatever its name (its folder is the build
// context), and a stdlib shipped in the tree (lua/stdlib/prelude.lua) is found.
import assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { test } from 'node:test';
import { checkAll } from '../../server/src/core/checks/fileChecks';
import { NodeFileSystem } from '../../server/src/core/nodeFileSystem';
import { Workspace } from '../../server/src/core/workspace/workspace';
import { tempDirFor, writeTree } from '../helpers/paths';

function workspaceOf(t: { after: (fn: () => void) => void }, change?: (dir: string) => void): { dir: string; ws: Workspace } {
  const tmp = tempDirFor(t, 'init-luakit');
  change?.(tmp);
  return { dir: tmp, ws: new Workspace(new NodeFileSystem(), { roots: [tmp], env: { PATH: '' } }) };
}

function findings(dir: string, ws: Workspace): [string, string, string | null][] {
  return [...checkAll(ws).values()].flat().map((f) => [path.relative(dir, f.file), f.code, f.module ?? null]);
}

test('scripts not named build.lua that call bk are build scripts of their folder; the tree\'s stdlib is found', (t) => {
  const { dir, ws } = workspaceOf(t);
  const project = ws.projectFor(path.join(dir, 'examples', 'go.lua'));
  assert.equal(project.profile, 'luakit');
  assert.equal(project.root, path.join(dir, 'examples'));
  assert.deepEqual(project.buildScripts?.map((f) => path.basename(f)), ['go.lua', 'rust.lua']);
  const prelude = ws.resolve(project, 'prelude');
  assert.equal(prelude.file, path.join(dir, 'lua', 'stdlib', 'prelude.lua'));
  assert.equal(prelude.origin, 'stdlib');
  // helper.lua is a module of the build context (no bk call); rust.lua is judged as a build script.
  assert.deepEqual(findings(dir, ws), [['examples/rust.lua', 'luakit-sandbox', null]]);
});

test('without a stdlib anywhere, a missing luakit module says where the stdlib was looked for and how to set it', (t) => {
  const { dir, ws } = workspaceOf(t, (d) => fs.rmSync(path.join(d, 'lua'), { recursive: true }));
  const unresolved = [...checkAll(ws).values()].flat().filter((f) => f.code === 'unresolved-module');
  assert.deepEqual(
    unresolved.map((f) => [path.relative(dir, f.file), f.module]),
    [
      ['examples/go.lua', 'prelude'],
      ['examples/rust.lua', 'prelude'],
    ],
  );
  const message = unresolved[0].message;
  assert.match(message, /luakit's stdlib was not found \(\$LUAKIT_STDLIB_DIR is not set; no luakit on PATH; no lua\/stdlib or stdlib folder with prelude\.lua from the build context up to /);
  assert.match(message, /set "stdlib" in resty-build\.json, \$LUAKIT_STDLIB_DIR, or the restyBuild\.luakitStdlibDir setting\.$/);
});

test('a Lua file that only has a table named bk is not a build script', (t) => {
  const { dir, ws } = workspaceOf(t, (d) => {
    fs.rmSync(path.join(d, 'examples'), { recursive: true });
    writeTree(d, { 'app/bookkeeping.lua': 'local bk = { entries = {} }\nbk.entries[1] = 1\nreturn bk\n' });
  });
  assert.equal(ws.projectFor(path.join(dir, 'app', 'bookkeeping.lua')).profile, 'openresty');
});

test('a bk call in a comment or a string makes no build script, and a file is judged the same before and after its facts are known', (t) => {
  const tmp = tempDirFor(t);
  writeTree(tmp, {
    'notes/doc.lua': '-- builds like: bk.image("alpine")\nlocal usage = "bk.local_(\\".\\")"\nlocal f = io.open("x")\nreturn f, usage\n',
    'tools/go.lua': 'local img = bk.image("golang")\nlocal f = io.open("x")\nreturn img, f\n',
  });
  const ws = new Workspace(new NodeFileSystem(), { roots: [tmp], env: { PATH: '' } });
  const verdict = () => ({
    doc: ws.projectFor(path.join(tmp, 'notes', 'doc.lua')).profile,
    go: ws.projectFor(path.join(tmp, 'tools', 'go.lua')).profile,
    findings: findings(tmp, ws),
  });
  const expected = { doc: 'openresty', go: 'luakit', findings: [['tools/go.lua', 'luakit-sandbox', null]] };
  // First from the text alone, then (a refresh, as a file event causes) from the facts the analysis stored.
  assert.deepEqual(verdict(), expected);
  ws.refresh();
  assert.deepEqual(verdict(), expected);
});
