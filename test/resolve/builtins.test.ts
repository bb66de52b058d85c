// Modules the runtime provides are never "missing" (DOMAIN.md section 6),
// per profile, plus the manifest's "provided" list.
import { describe, test } from 'node:test';
import * as assert from 'node:assert/strict';
import { brief, checkSource, rangeOn } from '../helpers/core';

const requireAll = (names: string[]) => names.map((n) => `local _ = require "${n}"`).join('\n') + '\n';

const LUA51 = ['_G', 'string', 'table', 'math', 'io', 'os', 'coroutine', 'debug', 'package'];
const LUAJIT = ['bit', 'jit', 'ffi', 'jit.util', 'jit.profile', 'string.buffer', 'table.new', 'table.clear'];
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
