// Every require form of DOMAIN.md section 7, found by the lexer with the
// exact range of the string literal (quotes included).
import { describe, test } from 'node:test';
import * as assert from 'node:assert/strict';
import { analyzeLua } from '../../server/src/core/lua/luaFile';
import { brief, checkSource, rangeOn } from '../helpers/core';

const source = [
  'local a = require "m.one"', // 0
  'local b = require("m.two")', // 1
  'local c = require [[m.three]]', // 2
  'local d = require [==[m.four]==]', // 3
  'local ok, e = pcall(require, "m.five")', // 4
  'local r = require', // 5
  'local f = r "m.six"', // 6
  'local g = require(name)', // 7
  'local h = require("m." .. suffix)', // 8
  'obj:require("m.seven")', // 9
  'obj.require("m.eight")', // 10
  '-- require "m.comment"', // 11
  'local s = \'require "m.instring"\'', // 12
  "local i = require'm.nine'", // 13
  'local j = require(', // 14
  '  "m.ten"', // 15
  ')', // 16
  'local k = r("m.eleven")', // 17
].join('\n');

describe('require forms', () => {
  const findings = checkSource(source);

  test('each form is found with its exact range, severity and code', () => {
    assert.deepEqual(findings.map(brief), [
      { code: 'unresolved-module', severity: 'error', range: rangeOn(source, 0, '"m.one"'), module: 'm.one' },
      { code: 'unresolved-module', severity: 'error', range: rangeOn(source, 1, '"m.two"'), module: 'm.two' },
      { code: 'unresolved-module', severity: 'error', range: rangeOn(source, 2, '[[m.three]]'), module: 'm.three' },
      { code: 'unresolved-module', severity: 'error', range: rangeOn(source, 3, '[==[m.four]==]'), module: 'm.four' },
      // pcall(require, …) is an optional dependency: a warning, not an error.
      { code: 'unresolved-module', severity: 'warning', range: rangeOn(source, 4, '"m.five"'), module: 'm.five' },
      { code: 'unresolved-module', severity: 'error', range: rangeOn(source, 6, '"m.six"'), module: 'm.six' },
      { code: 'dynamic-require', severity: 'info', range: rangeOn(source, 7, 'name') },
      { code: 'dynamic-require', severity: 'info', range: rangeOn(source, 8, '"m." .. suffix') },
      // lines 9-12: method calls, comments and strings are not requires.
      { code: 'unresolved-module', severity: 'error', range: rangeOn(source, 13, "'m.nine'"), module: 'm.nine' },
      { code: 'unresolved-module', severity: 'error', range: rangeOn(source, 15, '"m.ten"'), module: 'm.ten' },
      { code: 'unresolved-module', severity: 'error', range: rangeOn(source, 17, '"m.eleven"'), module: 'm.eleven' },
    ]);
  });

  test('the unresolved message is Lua\'s own, with the search trail', () => {
    const first = findings[0];
    assert.equal(first.message.split('\n')[0], "module 'm.one' not found:");
    assert.equal(first.message.split('\n')[1], "\tno field package.preload['m.one']");
    assert.match(findings[4].message, /\(optional: guarded by pcall\/xpcall\)$/);
  });

  test('the sites carry the form, the name range inside the quotes and the alias', () => {
    const sites = analyzeLua(source).requires;
    assert.deepEqual(
      sites.map((s) => [s.name, s.form, s.optional, s.dynamic]),
      [
        ['m.one', 'string', false, false],
        ['m.two', 'call', false, false],
        ['m.three', 'long-string', false, false],
        ['m.four', 'long-string', false, false],
        ['m.five', 'pcall', true, false],
        ['m.six', 'alias', false, false],
        [undefined, 'call', false, true],
        [undefined, 'call', false, true],
        ['m.nine', 'string', false, false],
        ['m.ten', 'call', false, false],
        ['m.eleven', 'alias', false, false],
      ],
    );
    const lines = analyzeLua(source).lines;
    assert.deepEqual(lines.range(sites[3].nameStart, sites[3].nameEnd), rangeOn(source, 3, 'm.four'));
    assert.deepEqual(lines.range(sites[0].nameStart, sites[0].nameEnd), rangeOn(source, 0, 'm.one'));
    assert.equal(sites[0].alias, 'a');
    assert.equal(sites[4].alias, 'e', 'the second result of pcall is the module');
  });

  test('a resolved require gives no finding', () => {
    assert.deepEqual(checkSource('local m = require "m.one"\n', { files: { 'm/one.lua': 'return {}' } }), []);
  });

  test('a dynamic pcall(require, name) is reported as dynamic', () => {
    const src = 'local ok, m = pcall(require, name)\n';
    assert.deepEqual(checkSource(src).map(brief), [{ code: 'dynamic-require', severity: 'info', range: rangeOn(src, 0, 'name') }]);
  });

  test('a local function named require is not a require', () => {
    assert.deepEqual(checkSource('local function require(x) return x end\n'), []);
  });
});

describe('guarded requires (pcall and xpcall in any form)', () => {
  const guarded = [
    'local ok1, a = pcall(require, "g.one")', // 0
    'local ok2, b = xpcall(require, debug.traceback, "g.two")', // 1
    'local ok3, c = xpcall(require, function(e) local x, y = e, 1 return x end, "g.three")', // 2
    'local ok4, d = pcall(function() return require "g.four" end)', // 3
    'local ok5, e = xpcall(function()', // 4
    '  local m = require("g.five")', // 5
    '  return m', // 6
    'end, debug.traceback)', // 7
    'local f = require "g.six"', // 8
  ].join('\n');

  test('every guarded form is optional (a warning), the require after them is not', () => {
    assert.deepEqual(
      analyzeLua(guarded).requires.map((s) => [s.name, s.form, s.optional]),
      [
        ['g.one', 'pcall', true],
        ['g.two', 'xpcall', true],
        ['g.three', 'xpcall', true],
        ['g.four', 'string', true],
        ['g.five', 'call', true],
        ['g.six', 'string', false],
      ],
    );
    assert.deepEqual(
      checkSource(guarded).map((f) => [f.module, f.severity]),
      [
        ['g.one', 'warning'],
        ['g.two', 'warning'],
        ['g.three', 'warning'],
        ['g.four', 'warning'],
        ['g.five', 'warning'],
        ['g.six', 'error'],
      ],
    );
  });

  test('the range of xpcall(require, handler, "x") is the name after the handler', () => {
    const findings = checkSource(guarded);
    assert.deepEqual(findings[1].range, rangeOn(guarded, 1, '"g.two"'));
    assert.deepEqual(findings[2].range, rangeOn(guarded, 2, '"g.three"'));
  });

  test('pcall with another function, or a method named pcall, guards nothing', () => {
    const src = 'local ok = pcall(print, require "n.one")\nlocal v = obj.pcall(function() return require "n.two" end)\n';
    assert.deepEqual(analyzeLua(src).requires.map((s) => [s.name, s.optional]), [
      ['n.one', false],
      ['n.two', false],
    ]);
  });
});

describe('requires whose name is built from constants', () => {
  test('a constant local, and concatenations of literals and constant locals, are followed like literals', () => {
    const src = [
      'local STRATEGY = "kong.plugins.proxy-cache.strategies"', // 0
      'local PLUGIN_NAME = "rate-limiting"', // 1
      'local PREFIX = "kong.plugins." .. PLUGIN_NAME', // 2
      'local s = require(STRATEGY)', // 3
      'local schema = require("kong.plugins." .. PLUGIN_NAME .. ".schema")', // 4
      'local handler = require(PREFIX .. ".handler")', // 5
      'local ok, opt = pcall(require, PREFIX .. ".optional")', // 6
    ].join('\n');
    const sites = analyzeLua(src).requires;
    assert.deepEqual(
      sites.map((s) => [s.name, s.dynamic, s.constant, s.optional]),
      [
        ['kong.plugins.proxy-cache.strategies', false, true, false],
        ['kong.plugins.rate-limiting.schema', false, true, false],
        ['kong.plugins.rate-limiting.handler', false, true, false],
        ['kong.plugins.rate-limiting.optional', false, true, true],
      ],
    );
    // Reported like a literal, at the whole expression.
    const findings = checkSource(src);
    assert.deepEqual(findings.map(brief)[1], {
      code: 'unresolved-module',
      severity: 'error',
      range: rangeOn(src, 4, '"kong.plugins." .. PLUGIN_NAME .. ".schema"'),
      module: 'kong.plugins.rate-limiting.schema',
    });
    assert.ok(checkSource(src, { files: { 'kong/plugins/proxy-cache/strategies.lua': 'return {}' } }).every((f) => f.module !== 'kong.plugins.proxy-cache.strategies'));
  });

  test('a name assigned again, declared twice, a parameter, a loop variable or a call is not a constant', () => {
    const src = [
      'local A = "a.one"', // 0
      'A = "a.two"', // 1
      'local m1 = require(A)', // 2
      'local B = "b.one"', // 3
      'local B = "b.two"', // 4
      'local m2 = require(B)', // 5
      'local C = "c.one"', // 6
      'local function f(C) return require(C) end', // 7
      'local D = "d.one"', // 8
      'for _, D in ipairs(list) do require(D) end', // 9
      'local E = ("e"):upper()', // 10
      'local m3 = require(E)', // 11
      'local F = "f" .. suffix', // 12
      'local m4 = require(F)', // 13
      'local m5 = require(G)', // 14
    ].join('\n');
    assert.deepEqual(
      analyzeLua(src).requires.map((s) => [s.name, s.dynamic]),
      [
        [undefined, true],
        [undefined, true],
        [undefined, true],
        [undefined, true],
        [undefined, true],
        [undefined, true],
        [undefined, true],
      ],
    );
  });
});

describe('modules the code registers', () => {
  test('package.loaded["x"] = …, package.loaded.x = … and package.preload["x"] = … are found; = nil and reads are not', () => {
    const src = [
      'package.loaded["prometheus_resty_counter"] = require("kong.plugins.prometheus.counter")',
      'package.loaded.cjson_compat = {}',
      "package.preload['app.lazy'] = function() return {} end",
      'package.loaded["gone"] = nil',
      'local x = package.loaded["app.read"]',
      'if package.loaded["app.compared"] == nil then end',
    ].join('\n');
    assert.deepEqual(
      analyzeLua(src).registrations.map((r) => [r.name, r.table]),
      [
        ['prometheus_resty_counter', 'loaded'],
        ['cjson_compat', 'loaded'],
        ['app.lazy', 'preload'],
      ],
    );
  });

  test('ffi.load of a constant, a computed and an absolute name', () => {
    const src = 'local ffi = require "ffi"\nlocal LIB = "qjson"\nlocal a = ffi.load(LIB)\nlocal b = ffi.load(path)\nlocal c = ffi.load("/opt/foo/libfoo.so")\n';
    assert.deepEqual(
      analyzeLua(src).ffiLoads.map((l) => l.library ?? null),
      ['qjson', null, '/opt/foo/libfoo.so'],
    );
  });
});
