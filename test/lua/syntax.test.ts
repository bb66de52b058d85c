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

describe("syntax errors are worded as LuaJIT words them", () => {
  before(requireLuajit);
  const tmp = tempCopy();
  after(tmp.cleanup);

  // Each of luaparse's wordings that LuaJIT puts otherwise, the closers LuaJIT names the opener of, and what luaparse lets pass.
  const BROKEN = [
    'local function f(a, b) return a end\nlocal = 1\n',
    'local t = { a = 1 }\nt. = 2\n',
    'local x = 1 +\nthen\n',
    'if x then\n  y = (1\n  +)\nend\n',
    'local s = f("a" "b")\n',
    'local t = {\n  a = 1,\n  b = 2\n  c = 3\n}\n',
    'local ok = pcall(function()\n  return 1\n',
    'for i = 1, 3 do\n  print(i)\n',
    'while true do\n  break\nuntil x\n',
    'repeat\n  local a = 1\nend\n',
    'do\n  local a = 1\n',
    'if a then\n  b()\nelse\n  c()\n',
    'local v = f(1,\n  2\n  3)\n',
    'local t = { [1 = 2 }\n',
    'local function g(a, b\n  return a\nend\n',
    'local y = x[1\n',
    'f(, x)\n',
    'return , 1\n',
    'x = 3y = 4\n',
    'local n = 30000if\n',
    'local a = nil nil\n',
    'local b = ...\n...\n',
  ];

  test(`${BROKEN.length} broken texts: the message and line luajit -bl prints`, () => {
    const differ: string[] = [];
    BROKEN.forEach((text, i) => {
      const file = path.join(tmp.dir, `broken${i}.lua`);
      fs.writeFileSync(file, text);
      const run = runLuajit(['-bl', file]);
      const m = /:(\d+): (.*)$/m.exec(run.stderr);
      assert.ok(m, `luajit accepts ${JSON.stringify(text)}: ${run.stderr}`);
      const ours = analyzeLua(text).syntaxError;
      const got = ours ? `${ours.range.start.line + 1}: ${ours.message}` : 'none';
      if (got !== `${m[1]}: ${m[2]}`) {
        differ.push(`${JSON.stringify(text)}: luajit "${m[1]}: ${m[2]}", ours "${got}"`);
      }
    });
    assert.deepEqual(differ, []);
  });
});

test('the token an error quotes is cut: a number or a string can be megabytes long', () => {
  const number = analyzeLua(`local x = ${'9'.repeat(100_000)}LL\n`).syntaxError!;
  assert.equal(number.message, `malformed number near '${'9'.repeat(80)}…'`);
  const text = analyzeLua(`local s = "${'é'.repeat(5000)}\n`).syntaxError!;
  assert.equal(text.message, `unfinished string near '"${'é'.repeat(79)}…'`);
  // A surrogate pair is kept whole or left out, never split.
  const emoji = analyzeLua(`local s = "${'😀'.repeat(100)}\n`).syntaxError!;
  assert.equal(emoji.message, `unfinished string near '"${'😀'.repeat(39)}…'`);
});

describe('numbers are read as LuaJIT reads them', () => {
  before(requireLuajit);
  const tmp = tempCopy();
  after(tmp.cleanup);

  // Number forms, with and without LuaJIT's suffixes, and numbers run into names (one token to LuaJIT's lexer).
  const NUMBERS = [
    '1', '1.', '.5', '1.5', '1e5', '1E+5', '1e-5', '1e', '1e+', '3.e', '1..2', '0.5.5', '1e5.5', '1e5e', '08', '00', '1_0',
    '0x', '0x1', '0xA.8', '0x.8', '0x1p4', '0x1P-4', '0x1.8p1', '0x1.p1', '0x.p1', '0xp1', '0x1e', '0xg', '0x1_0',
    '0b101', '0B11', '0b', '0b2', '0b1.1', '0b11e2', '0b101LL', '0b101ULL', '0b101LLU', '0b101i',
    '1LL', '1ll', '1Ll', '1ULL', '1uLL', '1LLU', '1LLu', '1U', '1L', '1LUL', '1ULLU', '1.5LL', '1e2LL', '1e+5LL',
    '0x10LL', '0x10ULL', '0x1p4LL', '0x1.8LL', '18446744073709551615ULL', '18446744073709551616ULL', '0x1ffffffffffffffffLL',
    '12i', '12I', '1.5i', '1.i', '.5i', '1e3i', '0x10i', '0x1p4i', '12ii', '1LLi', '1iLL', '1ULLi',
    '3y', '30000if', '8local', '1end', '0x1e+5', '0x1p+4', '1e+5+1', '0b1e+1',
  ];

  test(`${NUMBERS.length} number forms: accepted or rejected with LuaJIT's own message`, () => {
    const texts = NUMBERS.map((n) => `local x = ${n}\nlocal y = 2\n`);
    const files = texts.map((text, i) => {
      const file = path.join(tmp.dir, `number${i}.lua`);
      fs.writeFileSync(file, text);
      return file;
    });
    const list = path.join(tmp.dir, 'numbers.txt');
    fs.writeFileSync(list, files.join('\n') + '\n');
    // One process for all: each file's error message without its "file:line: " prefix, or OK.
    const driver = `for f in io.lines(${JSON.stringify(list)}) do local _, e = loadfile(f); io.write((e and e:gsub("^[^:]*:%d+: ", "") or "OK"), "\\n") end`;
    const run = runLuajit(['-e', driver]);
    assert.equal(run.status, 0, run.stderr);
    const luajit = run.stdout.split('\n').slice(0, NUMBERS.length);
    const ours = texts.map((text) => analyzeLua(text).syntaxError?.message ?? 'OK');
    const differ = NUMBERS.flatMap((n, i) => (ours[i] === luajit[i] ? [] : [`${n}: luajit "${luajit[i]}", ours "${ours[i]}"`]));
    assert.deepEqual(differ, []);
    assert.ok(luajit.filter((m) => m.startsWith('malformed number')).length > 30, 'many forms are malformed');
  });
});
