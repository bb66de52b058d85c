// Require cycles: the closure terminates, the cycle is reported once where it
// closes, as LuaJIT fails on it; requires inside functions break cycles.
import assert from 'node:assert/strict';
import * as path from 'node:path';
import { describe, test } from 'node:test';
import { MEM_ROOT, memWorkspace, rangeOn } from '../helpers/core';
import { runLuajit } from '../helpers/luajit';
import { tempDirFor as tempDir, writeTree } from '../helpers/paths';
import { checkAll, checkFile } from '../../server/src/core/checks/fileChecks';

describe('bad graphs', () => {
  const cycle = {
    'resty-build.json': JSON.stringify({ profile: 'openresty', path: ['lib/?.lua'], embed: ['a'] }),
    'lib/a.lua': 'local b = require "b"\nreturn {}\n',
    'lib/b.lua': 'local c = require "c"\nreturn {}\n',
    'lib/c.lua': 'local x = 1\nlocal a = require "a"\nreturn {}\n',
  };

  test('a require cycle terminates the closure and is reported once, at the require that closes it, naming the cycle', () => {
    const ws = memWorkspace(cycle);
    const project = ws.allProjects()[0];
    const closure = ws.embedding(project)!.closure;
    assert.deepEqual([...closure.files].map((f) => path.basename(f)), ['a.lua', 'b.lua', 'c.lua']);
    const all = [...checkAll(ws).values()].flat().filter((f) => f.code === 'require-cycle');
    assert.deepEqual(all, [
      {
        file: path.join(MEM_ROOT, 'lib', 'c.lua'),
        range: rangeOn(cycle['lib/c.lua'], 1, '"a"'),
        severity: 'warning',
        code: 'require-cycle',
        message: `Require cycle: a -> b -> c -> a. 'a' is still loading when this require runs, so LuaJIT raises "loop or previous error loading module 'a'". Move one of these requires into the function that uses it, or break the cycle.`,
        module: 'a',
      },
    ]);
  });

  test('LuaJIT fails on that cycle exactly as the message says', (t) => {
    const dir = tempDir(t);
    writeTree(dir, cycle);
    const run = runLuajit(['-e', 'require "a"'], { cwd: dir, env: { LUA_PATH: './lib/?.lua' } });
    assert.match(run.stderr, /loop or previous error loading module 'a'/);
  });

  test('a module requiring itself; a cycle broken by a require inside a function is not reported', () => {
    const self = memWorkspace({ 'me.lua': 'local me = require "me"\nreturn {}\n' });
    assert.deepEqual(
      checkFile(self, path.join(MEM_ROOT, 'me.lua')).map((f) => [f.code, f.message.split('.')[0]]),
      [['require-cycle', 'Require cycle: me -> me']],
    );
    const lazy = memWorkspace({
      'a.lua': 'local b = require "b"\nreturn {}\n',
      'b.lua': 'local M = {}\nfunction M.f()\n  if x then return require("a") end\nend\nreturn M\n',
    });
    assert.deepEqual([...checkAll(lazy).values()].flat(), []);
  });
});
