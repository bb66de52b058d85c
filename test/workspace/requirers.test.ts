// The reverse require index behind references: built once, then updated for
// exactly the files whose text changed.
import { test } from 'node:test';
import * as assert from 'node:assert/strict';
import * as path from 'node:path';
import { MemoryFileSystem } from '../../server/src/core/memoryFileSystem';
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
