// Sites in the embed closure: a guarded require is a warning that says what
// the binary does; a module the project registers in package.loaded or
// package.preload resolves; a name built from constants is judged like a
// literal; a require the loader would answer with another embedded module is
// a collision; ffi.load names the file that must ship.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { checkAll } from '../../server/src/core/checks/fileChecks';
import { Finding } from '../../server/src/core/types';
import { memWorkspace } from '../helpers/core';

const manifest = JSON.stringify({ profile: 'openresty', path: ['lib/?.lua'], cpath: [], embed: ['app.main', 'app.exporter'] });

function findings(files: Record<string, string>): Finding[] {
  return [...checkAll(memWorkspace({ 'resty-build.json': manifest, ...files })).values()].flat();
}

test('in the closure, every guarded form is a warning that says the binary takes the guarded branch', () => {
  const all = findings({
    'lib/app/main.lua': [
      'local ok1, a = pcall(require, "app.missing")',
      'local ok2, b = pcall(function() return require "app.util" end)',
      'local ok3, c = xpcall(require, debug.traceback, "app.other")',
      'return {}',
    ].join('\n'),
    'lib/app/util.lua': 'return {}',
    'lib/app/other.lua': 'return {}',
    'lib/app/exporter.lua': 'return {}',
  });
  assert.deepEqual(
    all.map((f) => [f.module, f.code, f.severity]),
    [
      ['app.missing', 'unresolved-module', 'warning'],
      ['app.util', 'not-in-mapping', 'warning'],
      ['app.other', 'not-in-mapping', 'warning'],
    ],
  );
  for (const f of all) {
    assert.match(f.message, /guarded by pcall\/xpcall: an embedded binary that cannot find the module takes the guarded branch/);
  }
});

test('a module put into package.loaded or package.preload by the project resolves; others are still missing', () => {
  const all = findings({
    'lib/app/main.lua': 'local counter = require "prometheus_resty_counter"\nlocal lazy = require "app.lazy"\nlocal gone = require "app.gone"\nreturn {}',
    'lib/app/exporter.lua': 'package.loaded["prometheus_resty_counter"] = {}\npackage.preload["app.lazy"] = function() return {} end\nreturn {}',
  });
  assert.deepEqual(
    all.map((f) => [f.module, f.code]),
    [['app.gone', 'unresolved-module']],
  );
});

test('ffi.load: an absolute path is named as written, a computed name is reported too', () => {
  const all = findings({
    'lib/app/main.lua': 'local ffi = require "ffi"\nlocal a = ffi.load("/opt/foo/libfoo.so")\nlocal b = ffi.load("qjson")\nlocal c = ffi.load(package.searchpath("chash", package.cpath))\nreturn {}',
    'lib/app/exporter.lua': 'return {}',
  });
  assert.deepEqual(
    all.map((f) => [f.code, f.severity, f.range.start.line]),
    [
      ['native-module', 'warning', 1],
      ['native-module', 'warning', 2],
      ['native-module', 'warning', 3],
    ],
  );
  assert.match(all[0].message, /but \/opt\/foo\/libfoo\.so must ship/);
  assert.match(all[1].message, /but libqjson\.so must ship/);
  assert.match(all[2].message, /computed at run time/);
});

test('a name built from constants is judged in the closure like a literal: mapping, hyphen rules, and the files it reaches', () => {
  const all = findings({
    'lib/app/main.lua': 'local PREFIX = "app."\nlocal util = require(PREFIX .. "util")\nlocal trailing = require(PREFIX .. "x-")\nreturn {}',
    'lib/app/util.lua': 'local deep = require "app.deep"\nreturn {}',
    'lib/app/deep.lua': 'return {}',
    'lib/app/x-.lua': 'return {}',
    'lib/app/exporter.lua': 'return {}',
  });
  assert.deepEqual(
    all.map((f) => [f.module, f.code, f.severity, f.range.start.line]),
    [
      ['app.util', 'not-in-mapping', 'error', 1],
      ['app.x-', 'hyphen-name', 'error', 2],
      ['app.deep', 'not-in-mapping', 'error', 0],
    ],
  );
});

test('a require the loader would answer with another embedded module (same loader symbol) is a symbol-collision at the require', () => {
  const all = [
    ...checkAll(
      memWorkspace({
        'resty-build.json': JSON.stringify({ profile: 'openresty', path: ['?.lua'], cpath: [], embed: ['app', 'kong.plugins.basic-auth.handler'] }),
        'app.lua': 'local key = require "kong.plugins.key-auth.handler"\nreturn {}',
        'kong/plugins/basic-auth/handler.lua': 'return {}',
        'kong/plugins/key-auth/handler.lua': 'return {}',
      }),
    ).values(),
  ].flat();
  assert.deepEqual(
    all.map((f) => [f.module, f.code, f.severity]),
    [['kong.plugins.key-auth.handler', 'symbol-collision', 'error']],
  );
  assert.match(all[0].message, /looked up as luaJIT_BC_auth_handler, the symbol of the embedded 'kong\.plugins\.basic-auth\.handler'.*the binary would run 'kong\.plugins\.basic-auth\.handler' for it/);
});
