// Modules the runtime provides are never "missing" (DOMAIN.md section 6),
// per profile, plus the manifest's "provided" list.
import { before, describe, test } from 'node:test';
import * as assert from 'node:assert/strict';
import { builtinModules } from '../../server/src/core/resolve/builtins';
import { brief, checkSource, rangeOn } from '../helpers/core';
import { requireLuajit, runLuajit } from '../helpers/luajit';

const requireAll = (names: string[]) => names.map((n) => `local _ = require "${n}"`).join('\n') + '\n';

const LUA51 = ['_G', 'string', 'table', 'math', 'io', 'os', 'coroutine', 'debug', 'package'];
const LUAJIT = ['bit', 'jit', 'jit.opt', 'ffi', 'jit.util', 'jit.profile', 'string.buffer', 'table.new', 'table.clear'];
const OPENRESTY = ['table.clone', 'table.isarray', 'table.nkeys', 'table.isempty', 'thread.exdata', 'thread.exdata2', 'ngx', 'ndk'];
const luakitManifest = { profile: 'luakit', buildScript: 'build.lua' };

describe('built-in modules', () => {
  test('openresty: Lua 5.1, LuaJIT, OpenResty LuaJIT and ngx_lua modules are never missing', () => {
    assert.deepEqual(checkSource(requireAll([...LUA51, ...LUAJIT, ...OPENRESTY])), []);
  });

  test('openresty: pcall(require, "table.new") is fine too', () => {
    assert.deepEqual(checkSource('local ok, new_tab = pcall(require, "table.new")\n'), []);
  });

  test('openresty: a near miss of a built-in is still missing', () => {
    const src = 'local u = require "jit.nope"\n';
    assert.deepEqual(checkSource(src).map(brief), [
      { code: 'unresolved-module', severity: 'error', range: rangeOn(src, 0, '"jit.nope"'), module: 'jit.nope' },
    ]);
  });

  test('luakit: Lua 5.1 libraries are there', () => {
    assert.deepEqual(checkSource(requireAll(LUA51), { manifest: luakitManifest }), []);
  });

  for (const name of ['ffi', 'jit', 'bit', 'table.new', 'ngx']) {
    test(`luakit (gopher-lua): '${name}' is missing`, () => {
      const src = requireAll([name]);
      assert.deepEqual(checkSource(src, { manifest: luakitManifest }).map(brief), [
        { code: 'unresolved-module', severity: 'error', range: rangeOn(src, 0, `"${name}"`), module: name },
      ]);
    });
  }

  test('the manifest\'s "provided" modules are never missing (both profiles)', () => {
    const src = 'local up = require "ngx.upstream"\n';
    const missing = [{ code: 'unresolved-module', severity: 'error', range: rangeOn(src, 0, '"ngx.upstream"'), module: 'ngx.upstream' }];
    assert.deepEqual(checkSource(src).map(brief), missing, 'ngx.upstream is not a built-in: it depends on how nginx was built');
    assert.deepEqual(checkSource(src, { manifest: { profile: 'openresty', provided: ['ngx.upstream'] } }), []);
    assert.deepEqual(checkSource(src, { manifest: { ...luakitManifest, provided: ['ngx.upstream'] } }), []);
  });
});

describe('built-in modules against the real luajit', () => {
  before(requireLuajit);

  test("openresty: the Lua and LuaJIT part of the list is exactly what luajit has in package.loaded and package.preload at start-up", () => {
    const run = runLuajit(['-e', 'for _, t in ipairs({ package.loaded, package.preload }) do for k in pairs(t) do print(k) end end']);
    assert.equal(run.status, 0, run.stderr);
    const real = [...new Set(run.stdout.trim().split('\n'))].sort();
    assert.ok(real.includes('jit.opt'), 'luajit preloads jit.opt');
    const ours = builtinModules('openresty').filter((m) => m !== 'ngx' && m !== 'ndk').sort();
    assert.deepEqual(ours, real);
  });
});

