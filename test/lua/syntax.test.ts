// Syntax errors: positioned like LuaJIT's, requires still found in broken
// text, and the verdict on each snippet equal to `luajit -bl`'s exit status.
import { after, before, describe, test } from 'node:test';
import * as assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { analyzeLua, parseSyntax } from '../../server/src/core/lua/luaFile';
import { scanLua } from '../../server/src/core/lua/luaScan';
import { requireLuajit, runLuajit } from '../helpers/luajit';
import { brief, checkSource, rangeOn } from '../helpers/core';
import { tempCopy } from '../helpers/paths';

describe('syntax errors', () => {
  const broken = ['local a = require "missing.one"', 'local x = = 1', 'local b = require("missing.two")', ''].join('\n');

  test('syntax-error at the parser position, and the requires of the broken file are still reported', () => {
    const findings = checkSource(broken);
    assert.deepEqual(findings.map(brief), [
      { code: 'syntax-error', severity: 'error', range: { start: { line: 1, character: 10 }, end: { line: 1, character: 11 } } },
      { code: 'unresolved-module', severity: 'error', range: rangeOn(broken, 0, '"missing.one"'), module: 'missing.one' },
      { code: 'unresolved-module', severity: 'error', range: rangeOn(broken, 2, '"missing.two"'), module: 'missing.two' },
    ]);
    assert.doesNotMatch(findings[0].message, /^\[\d+:\d+\]/, 'no luaparse position prefix: LuaJIT has none');
  });

  test('an unfinished string is reported on its own line, and the next line\'s require still counts', () => {
    const src = 'local s = "abc\nlocal m = require "after.it"\n';
    const findings = checkSource(src);
    assert.deepEqual(findings.map(brief), [
      { code: 'syntax-error', severity: 'error', range: rangeOn(src, 0, '"abc') },
      { code: 'unresolved-module', severity: 'error', range: rangeOn(src, 1, '"after.it"'), module: 'after.it' },
    ]);
    assert.match(findings[0].message, /^unfinished string/);
  });

  test('an unfinished require string in half-typed code is still a require site', () => {
    const sites = analyzeLua('local m = require "half.typ\n').requires;
    assert.deepEqual(sites.map((s) => s.name), ['half.typ']);
  });
});

/** Snippets and whether LuaJIT (OpenResty's luajit2) accepts them. */
const SNIPPETS: { name: string; text: string; valid: boolean }[] = [
  { name: 'binary literal', text: 'local x = 0b101\nreturn x\n', valid: true },
  { name: 'BOM first', text: '\ufeffreturn 1\n', valid: true },
  { name: 'BOM then #! line', text: '\ufeff#!/usr/bin/env luajit\nreturn 1\n', valid: true },
  { name: '#! first line', text: '#!/usr/bin/env luajit\nreturn 1\n', valid: true },
  { name: 'goto and labels', text: 'for i = 1, 3 do\n  if i == 2 then goto continue end\n  ::continue::\nend\n', valid: true },
  { name: '64-bit and imaginary literals', text: 'local x = 1ULL\nlocal y = 0x10LL\nlocal z = 12i\n', valid: true },
  { name: 'hex float, \\u{} and \\z escapes', text: 'local x = 0x1p4\nlocal s = "\\u{48}\\z\n   x"\n', valid: true },
  { name: 'nested long brackets', text: 'local s = [==[ ]] ]==]\n', valid: true },
  { name: 'integer division //', text: 'local x = 7 // 2\n', valid: false },
  { name: 'bitwise &', text: 'local x = 1 & 2\n', valid: false },
  { name: '<const> attribute', text: 'local x <const> = 1\n', valid: false },
  { name: 'unfinished string', text: 'local s = "abc\nreturn s\n', valid: false },
  { name: 'invalid escape', text: 'local s = "\\q"\n', valid: false },
  { name: 'undefined goto label', text: 'goto nowhere\n', valid: false },
  { name: 'duplicate label', text: '::a::\n::a::\n', valid: false },
  { name: 'ambiguous call', text: 'local a = f\n(g)(x)\n', valid: false },
  { name: 'break outside a loop', text: 'break\n', valid: false },
  { name: "break; (Lua 5.1's optional ';' after a last statement)", text: 'for i = 1, 3 do\n  if i == 2 then break; end\nend\nwhile true do\n  break -- done\n  ;\nend\n', valid: true },
  { name: 'a second ; after break', text: 'while true do\n  break;;\nend\n', valid: false },
  { name: 'a statement after break;', text: 'while true do\n  break; local x\nend\n', valid: false },
  { name: 'lone \\r line ends, comments included', text: '-- settings\rlocal x = 1 -- one\rreturn x\r', valid: true },
  { name: 'code after a comment ended by a lone \\r', text: '-- the value of pi\r function math.pi end\n', valid: false },
  { name: 'UTF-8 identifiers', text: 'local café = 1\nlocal 名前 = café + 1\nreturn 名前\n', valid: true },
  { name: 'a no-break space inside a name', text: 'local a\u00a0b = 1\nreturn a\u00a0b\n', valid: true },
  { name: 'goto as a name', text: 'local goto = 1\nreturn goto\n', valid: true },
];

/** Where luaparse's position is known to differ from LuaJIT's line (the verdict still agrees). */
const LINE_DIFFERS = new Set(['break outside a loop']);

describe('syntax verdicts agree with luajit -bl', () => {
  before(requireLuajit);
  const tmp = tempCopy();
  after(tmp.cleanup);

  for (const [i, snippet] of SNIPPETS.entries()) {
    test(`${snippet.valid ? 'valid' : 'invalid'}: ${snippet.name}`, () => {
      const file = path.join(tmp.dir, `snippet${i}.lua`);
      fs.writeFileSync(file, snippet.text);
      const run = runLuajit(['-bl', file]);
      assert.equal(run.status === 0, snippet.valid, `luajit itself: ${run.stderr}`);
      // Lua 5.3/5.4 syntax is reported as luajit-syntax (at its token) instead of a generic syntax error.
      const facts = analyzeLua(snippet.text);
      const error = facts.syntaxError ?? facts.luajitSyntax[0];
      assert.equal(error === undefined, snippet.valid, `ours: ${error?.message}`);
      // The judge itself, not only the fast recogniser that decides most files before it.
      const judged = parseSyntax(snippet.text, scanLua(snippet.text).binaryNumbers, false);
      assert.equal(judged === undefined && facts.luajitSyntax.length === 0, snippet.valid, `luaparse, corrected: ${judged?.message}`);
      if (error && !LINE_DIFFERS.has(snippet.name)) {
        const line = Number(/:(\d+): /.exec(run.stderr)?.[1]);
        assert.equal(error.range.start.line + 1, line, `same line as luajit: ${run.stderr.trim()} / ours: ${error.message}`);
      }
    });
  }
});
