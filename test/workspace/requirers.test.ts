// The reverse require index behind references: built once, then updated for
// exactly the files whose text changed.
import { test } from 'node:test';
import * as assert from 'node:assert/strict';
import * as path from 'node:path';
import { MemoryFileSystem } from '../../server/src/core/memoryFileSystem';
import { scanLua } from '../../server/src/core/lua/luaScan';
import { RequirersIndex } from '../../server/src/core/workspace/requirers';
import { Workspace } from '../../server/src/core/workspace/workspace';

test('requirersOf follows edits of the requiring files', () => {
  const root = path.resolve('/mem/requirers');
  const file = (name: string) => path.join(root, name);
  const fs = new MemoryFileSystem({
    [file('m.lua')]: 'return {}\n',
    [file('a.lua')]: 'local m = require "m"\n',
    [file('b.lua')]: 'return 1\n',
  });
  const ws = new Workspace(fs, { roots: [root], env: {} });
  assert.deepEqual(ws.requirersOf(file('m.lua')), [file('a.lua')]);
  ws.setDocument(file('b.lua'), 'local m = require("m")\n');
  assert.deepEqual(ws.requirersOf(file('m.lua')), [file('a.lua'), file('b.lua')]);
  ws.setDocument(file('a.lua'), '-- no longer requires m\n');
  assert.deepEqual(ws.requirersOf(file('m.lua')), [file('b.lua')]);
  assert.deepEqual(ws.requirersOf(file('a.lua')), []);
});

test('after the first query only the files whose facts changed are read again', () => {
  const root = path.resolve('/mem/requirers-dirty');
  const file = (name: string) => path.join(root, name);
  const tree: Record<string, string> = { [file('m.lua')]: 'return {}\n' };
  for (let i = 0; i < 50; i++) {
    tree[file(`f${i}.lua`)] = i % 2 === 0 ? 'local m = require "m"\n' : 'return 1\n';
  }
  const ws = new Workspace(new MemoryFileSystem(tree), { roots: [root], env: {} });
  let asked = 0;
  const index = new RequirersIndex({
    files: () => ws.files(),
    facts: (f) => {
      asked++;
      return ws.facts(f);
    },
    projectFor: (f) => ws.projectFor(f),
    resolve: (p, name) => ws.resolve(p, name),
  });
  assert.equal(index.requirersOf(file('m.lua')).length, 25);
  assert.equal(asked, 51, 'every file, once');
  asked = 0;
  assert.equal(index.requirersOf(file('m.lua')).length, 25);
  assert.equal(asked, 0, 'nothing changed: nothing read');
  ws.setDocument(file('f1.lua'), 'local m = require "m"\n');
  index.changed(file('f1.lua'));
  assert.deepEqual(index.requirersOf(file('m.lua')).slice(0, 3), [file('f0.lua'), file('f1.lua'), file('f10.lua')]);
  assert.equal(asked, 1, 'the changed file only');
});

test('the workspace tells the index of edits, closes and primed facts', () => {
  const root = path.resolve('/mem/requirers-told');
  const file = (name: string) => path.join(root, name);
  // Stamped (one version of every file), so that facts primed for that stamp stand in for the text.
  const disk = Object.assign(new MemoryFileSystem({ [file('m.lua')]: 'return {}\n', [file('a.lua')]: 'return 1\n', [file('b.lua')]: 'return 2\n' }), {
    stamp: (f: string) => (disk.isFile(f) ? 'v1' : undefined),
  });
  const ws = new Workspace(disk, { roots: [root], env: {} });
  assert.deepEqual(ws.requirersOf(file('m.lua')), []);
  ws.setDocument(file('a.lua'), 'local m = require "m"\n');
  assert.deepEqual(ws.requirersOf(file('m.lua')), [file('a.lua')]);
  ws.closeDocument(file('a.lua'));
  assert.deepEqual(ws.requirersOf(file('m.lua')), [], 'back to the text on disk');
  ws.primeFacts(file('b.lua'), 'v1', { scan: scanLua('local m = require "m"\n'), syntax: null });
  assert.deepEqual(ws.requirersOf(file('m.lua')), [file('b.lua')], 'primed facts count');
});
