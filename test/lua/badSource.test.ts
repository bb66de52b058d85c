// Source no parser should choke on: deep nesting, huge and minified files,
// malformed escapes, binary bytes, BOMs, CRLF and #! lines. The analysis never
// throws, never hangs, and says what it skipped.
import assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { describe, test } from 'node:test';
import { NodeFileSystem } from '../../server/src/core/nodeFileSystem';
import { analyzeLua, PARSE_SIZE_LIMIT } from '../../server/src/core/lua/luaFile';
import { MAX_REQUIRES_PER_FILE } from '../../server/src/core/lua/luaScan';
import { tokenize } from '../../server/src/core/lua/luaLexer';
import { Workspace } from '../../server/src/core/workspace/workspace';
import { checkSource } from '../helpers/core';
import { runLuajit } from '../helpers/luajit';
import { tempDirFor as tempDir, writeTree } from '../helpers/paths';
import { checkFile } from '../../server/src/core/checks/fileChecks';

const TOO_COMPLEX =
  'This file is nested too deeply to be parsed (the parser ran out of stack), so its syntax was not checked; its requires are still found. ' +
  "LuaJIT itself rejects more than 200 nested levels ('chunk has too many syntax levels').";

describe('bad source', () => {
  test('nesting deep enough to overflow the parser: a too-complex warning, requires still found and checked', () => {
    const source = `local x = ${'('.repeat(20_000)}1${')'.repeat(20_000)}\nlocal m = require "nowhere"\n`;
    const findings = checkSource(source);
    assert.deepEqual(
      findings.map((f) => [f.code, f.severity]),
      [
        ['too-complex', 'warning'],
        ['unresolved-module', 'error'],
      ],
    );
    assert.equal(findings[0].message, TOO_COMPLEX);
    assert.deepEqual(findings[0].range, { start: { line: 0, character: 0 }, end: { line: 0, character: 0 } });
    // LuaJIT agrees that such a file is not loadable, with its own words.
    const tmp = path.join(fs.mkdtempSync(path.join(os.tmpdir(), 'rb-deep-')), 'deep.lua');
    fs.writeFileSync(tmp, source);
    assert.match(runLuajit(['-bl', tmp]).stderr, /chunk has too many syntax levels/);
    fs.rmSync(path.dirname(tmp), { recursive: true });
  });

  test('malformed \\u{…} escapes (found by the fuzzer: "\\u{-f}" threw in the lexer) decode to nothing', () => {
    for (const escape of ['\\u{-f}', '\\u{zz}', '\\u{}', '\\u{110000}', '\\u{ffffffffff}', '\\u{+1}']) {
      const facts = analyzeLua(`local s = "${escape}"\nlocal m = require "a"\n`);
      assert.equal(facts.skipped, undefined, escape);
      assert.equal(facts.requires[0]?.name, 'a', escape);
    }
    assert.equal(tokenize('"\\u{48}\\u{1F600}"')[0].value, 'H\u{1F600}');
  });

  test('every kind of deep nesting (tables, functions, blocks, calls, unclosed) is analysed without throwing', () => {
    // (`[[` would open a long string, so brackets nest as `t[`.)
    for (const [open, close] of [['{', '}'], ['function() ', ' end'], ['do ', ' end'], ['f(', ')'], ['t[', ']'], ['-(', ')']]) {
      for (const closeIt of [true, false]) {
        const facts = analyzeLua(`local x = ${open.repeat(30_000)}1${closeIt ? close.repeat(30_000) : ''}\nrequire "a"`);
        assert.equal(facts.requires.at(-1)?.name, 'a', open);
      }
    }
  });

  test(`a 20 MB file: file-too-large (info) above ${PARSE_SIZE_LIMIT} characters, syntax skipped, requires found, fast`, () => {
    const source = 'local x = require "app.mod"\n'.repeat(760_000) + 'this is not Lua (\n';
    assert.ok(source.length > 20 * 1024 * 1024);
    const started = Date.now();
    const findings = checkSource(source, { files: { 'app/mod.lua': 'return {}' } });
    const elapsed = Date.now() - started;
    assert.deepEqual(findings.map((f) => [f.code, f.severity, f.range.start.line]), [['file-too-large', 'info', 0], ['too-many-requires', 'warning', MAX_REQUIRES_PER_FILE]]);
    assert.equal(
      findings[0].message,
      'This file has 20.3 MB, more than the 5 MB resty-build parses: its syntax was not checked. Its requires are still found and resolved.',
    );
    assert.equal(findings[1].message, `This file has 760000 requires; only the first ${MAX_REQUIRES_PER_FILE} are resolved and checked, from here on they are not.`);
    const facts = analyzeLua(source);
    assert.equal(facts.requires.length, MAX_REQUIRES_PER_FILE);
    assert.equal(facts.requiresCut?.total, 760_000);
    // Bounded (about 2 s on an idle machine), not a hang; generous for a loaded CI box.
    assert.ok(elapsed < 30_000, `took ${elapsed} ms`);
  });

  test('a one-line minified file below the limit is parsed in full', () => {
    const source = 'local a=require("app.mod");local b={1,2,3};'.repeat(50_000);
    const facts = analyzeLua(source);
    assert.equal(facts.syntaxError, undefined);
    assert.equal(facts.skipped, undefined);
    assert.equal(facts.lines.lineCount, 1);
    assert.equal(facts.requires.length, MAX_REQUIRES_PER_FILE);
    assert.equal(facts.requiresCut?.total, 50_000);
    assert.deepEqual(facts.lines.range(facts.requires[1].start, facts.requires[1].end), rangeOfNth(source, '"app.mod"', 1));
  });

  test('binary and invalid UTF-8 read from disk: a syntax error, no crash', (t) => {
    const dir = tempDir(t);
    const file = path.join(dir, 'bin.lua');
    fs.writeFileSync(file, Buffer.from([0xff, 0xfe, 0x00, 0x41, 0xc3, 0x28, 0x80, 0x0a, 0xed, 0xa0, 0x80, 0x72, 0x65, 0x71]));
    const ws = new Workspace(new NodeFileSystem(), { roots: [dir], env: {} });
    const findings = checkFile(ws, file);
    assert.deepEqual(findings.map((f) => f.code), ['syntax-error']);
    assert.equal(runLuajit(['-bl', file]).status, 1, 'LuaJIT rejects it too');
  });

  test('a BOM, CRLF or CR line ends, a #! first line and an empty file are all fine, as LuaJIT finds them', (t) => {
    const dir = tempDir(t);
    const cases: Record<string, string> = {
      'bom.lua': '\uFEFFlocal m = require "app.mod"\nreturn m\n',
      'crlf.lua': 'local a = 1\r\nlocal m = require "app.mod"\r\nreturn m\r\n',
      'shebang.lua': '#!/usr/bin/env luajit\nlocal m = require "app.mod"\nreturn m\n',
      'bom-shebang.lua': '\uFEFF#!/usr/bin/luajit\r\nreturn require "app.mod"\r\n',
      // Old Mac line ends: a lone '\r' ends a line, and the comment on it.
      'cr.lua': '-- settings\rlocal m = require "app.mod" -- the module\rreturn m\r',
      'empty.lua': '',
    };
    writeTree(dir, cases);
    for (const [name, text] of Object.entries(cases)) {
      assert.equal(runLuajit(['-bl', path.join(dir, name)]).status, 0, `luajit accepts ${name}`);
      const facts = analyzeLua(text);
      assert.equal(facts.syntaxError, undefined, name);
      assert.equal(facts.skipped, undefined, name);
      assert.equal(facts.requires.length, name === 'empty.lua' ? 0 : 1, name);
    }
    const crlf = analyzeLua(cases['crlf.lua']);
    assert.deepEqual(crlf.lines.range(crlf.requires[0].start, crlf.requires[0].end), { start: { line: 1, character: 18 }, end: { line: 1, character: 27 } });
    const bom = analyzeLua(cases['bom.lua']);
    assert.deepEqual(bom.lines.range(bom.requires[0].start, bom.requires[0].end), { start: { line: 0, character: 19 }, end: { line: 0, character: 28 } });
  });

  test('a line comment ends at a lone \\r as in LuaJIT: the code after it is code, its require is found and its syntax checked', (t) => {
    const dir = tempDir(t);
    writeTree(dir, {
      'lone-cr.lua': '-- a comment\r local m = require "app.after_cr"\n-- another\r\nreturn m\n',
      'lone-cr-broken.lua': '-- the value of pi\r function math.pi end\n',
    });
    const loaded = runLuajit(['-e', 'package.path = "./?.lua"; dofile("lone-cr.lua")'], { cwd: dir });
    assert.match(loaded.stderr, /module 'app\.after_cr' not found/, 'luajit runs the require after the \\r');
    const facts = analyzeLua(fs.readFileSync(path.join(dir, 'lone-cr.lua'), 'utf8'));
    assert.deepEqual(facts.requires.map((r) => r.name), ['app.after_cr']);
    assert.equal(facts.syntaxError, undefined);

    assert.equal(runLuajit(['-bl', path.join(dir, 'lone-cr-broken.lua')]).status, 1, 'luajit rejects the function after the \\r');
    const broken = analyzeLua(fs.readFileSync(path.join(dir, 'lone-cr-broken.lua'), 'utf8'));
    assert.match(broken.syntaxError?.message ?? '', /'\(' expected near 'end'/);
  });
});

function rangeOfNth(text: string, needle: string, n: number) {
  let at = -1;
  for (let i = 0; i <= n; i++) {
    at = text.indexOf(needle, at + 1);
  }
  return { start: { line: 0, character: at }, end: { line: 0, character: at + needle.length } };
}
