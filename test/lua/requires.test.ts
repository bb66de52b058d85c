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
    assert.match(findings[4].message, /\(optional: required through pcall\)$/);
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
