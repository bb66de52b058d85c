// What a module returns, in every common shape: from the AST when the file
// parses and from tokens when it does not, plus the doc comments above members.
import { describe, test } from 'node:test';
import * as assert from 'node:assert/strict';
import { docCommentAbove } from '../../server/src/core/navigate/docComments';
import { analyzeExports, ModuleExports } from '../../server/src/core/navigate/exports';
import { tokenize } from '../../server/src/core/lua/luaLexer';

function exportsOf(text: string): ModuleExports {
  return analyzeExports(text, tokenize(text));
}

/** name -> [kind, params, method] for compact comparisons. */
function shape(e: ModuleExports) {
  return Object.fromEntries(e.members.map((m) => [m.name, [m.kind, m.params?.join(',') ?? null, m.method ?? false]]));
}

describe('module exports', () => {
  test('local M = {} with function M.f, M.x = …, function M:method, return M', () => {
    const text = ['local M = {}', 'function M.f(a, b) end', 'M.x = 1', 'M.g = function(...) end', 'function M:method(c) end', 'local function helper() end', 'return M', ''].join('\n');
    const e = exportsOf(text);
    assert.equal(e.source, 'ast');
    assert.equal(e.tableName, 'M');
    assert.deepEqual(shape(e), {
      f: ['function', 'a,b', false],
      x: ['field', null, false],
      g: ['function', '...', false],
      method: ['function', 'c', true],
    });
    const f = e.members[0];
    assert.equal(text.slice(f.nameStart, f.nameEnd), 'f');
    assert.equal(text.slice(f.declStart, f.declStart + 8), 'function');
  });

  test('return { f = function() end, g = g } points g at the local function', () => {
    const text = ['local function g(x, y) end', 'return {', '  f = function(a) end,', '  g = g,', '  ["h"] = 3,', '}', ''].join('\n');
    const e = exportsOf(text);
    assert.equal(e.tableName, undefined);
    assert.deepEqual(shape(e), { f: ['function', 'a', false], g: ['function', 'x,y', false], h: ['field', null, false] });
  });

  test('return setmetatable(M, mt) and local _M = { _VERSION = … }', () => {
    const text = ['local _M = { _VERSION = "0.1", new = function(opts) end }', 'function _M.run(self) end', 'return setmetatable(_M, { __index = _M })', ''].join('\n');
    const e = exportsOf(text);
    assert.equal(e.tableName, '_M');
    assert.deepEqual(shape(e), { _VERSION: ['field', null, false], new: ['function', 'opts', false], run: ['function', 'self', false] });
  });

  test('a file with a syntax error falls back to tokens and finds the same members', () => {
    const text = ['local M = { version = 1 }', 'function M.build(src, opts)', '  return src +', 'end', 'function M:clean(', 'return M', ''].join('\n');
    const e = exportsOf(text);
    assert.equal(e.source, 'tokens');
    assert.equal(e.tableName, 'M');
    assert.deepEqual(shape(e), { version: ['field', null, false], build: ['function', 'src,opts', false], clean: ['function', '', true] });
  });

  test('a module without return yet: the table most functions extend', () => {
    const e = exportsOf(['local M = {}', 'function M.a() end', 'function M.b(x) end', ''].join('\n'));
    assert.equal(e.tableName, 'M');
    assert.deepEqual(Object.keys(shape(e)), ['a', 'b']);
  });
});

describe('doc comments', () => {
  test('LDoc --- lines with tags become Markdown', () => {
    const text = ['--- Builds a Go binary.', '-- Uses a cache mount.', '-- @param src the source state', '-- @return State', 'function M.build(src) end'].join('\n');
    assert.equal(
      docCommentAbove(text, text.indexOf('function')),
      ['Builds a Go binary.', 'Uses a cache mount.', '', '- *@param* `src` the source state', '- *@return* State'].join('\n'),
    );
  });

  test('a --[[ ]] block right above', () => {
    const text = ['--[[', '  Cleans the output folder.', '  Safe to call twice.', ']]', 'function M.clean() end'].join('\n');
    assert.equal(docCommentAbove(text, text.indexOf('function')), 'Cleans the output folder.\nSafe to call twice.');
    const levelled = '--[==[ One line. ]==]\nM.x = 1';
    assert.equal(docCommentAbove(levelled, levelled.indexOf('M.x')), 'One line.');
  });

  test('plain -- comments, blank lines and code on the line do not count', () => {
    assert.equal(docCommentAbove('-- just a note\nfunction f() end', 15), undefined);
    assert.equal(docCommentAbove('--- doc\n\nfunction f() end', 9), undefined);
    const text = 'local x = 1 function f() end';
    assert.equal(docCommentAbove(text, text.indexOf('function')), undefined);
  });
});
