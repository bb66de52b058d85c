// The tree-less syntax recogniser may only ever say "valid" when luaparse
// (the judge, corrected for LuaJIT) agrees, or, where luaparse rejects what
// LuaJIT accepts, LuaJIT itself does: checked on real files and on
// thousands of deterministic mutations of them.
import { test } from 'node:test';
import * as assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as path from 'node:path';
import * as luaparse from 'luaparse';
import { luaparseOptions, PLAIN_LUAJIT, prepareForLuaparse } from '../../server/src/core/lua/luaFile';
import { scanLua } from '../../server/src/core/lua/luaScan';
import { isSurelyValid, scanAndCheck } from '../../server/src/core/lua/syntaxCheck';
import { LUAJIT } from '../helpers/luajit';
import { repoRoot } from '../helpers/paths';

function luaFiles(dir: string, out: string[] = []): string[] {
  if (!fs.existsSync(dir)) {
    return out;
  }
  for (const e of fs.readdirSync(dir, { withFileTypes: true })) {
    const p = path.join(dir, e.name);
    if (e.isDirectory()) {
      luaFiles(p, out);
    } else if (e.name.endsWith('.lua')) {
      out.push(p);
    }
  }
  return out;
}

function luaparseAccepts(text: string): boolean {
  try {
    luaparse.parse(prepareForLuaparse(text, scanLua(text).binaryNumbers), { ...luaparseOptions(PLAIN_LUAJIT), locations: false, ranges: false, comments: false, scope: false });
    return true;
  } catch {
    return false;
  }
}

/**
 * Where the tool and LuaJIT disagree, LuaJIT is right: luaparse rejects
 * `break;` before `end` (found in lua-ldoc and lua-lgi), which LuaJIT
 * accepts. Asked only when luaparse rejects, so rarely.
 */
function judgeAccepts(text: string): boolean {
  return luaparseAccepts(text) || luajitAccepts(text);
}

function luajitAccepts(text: string): boolean {
  return spawnSync(LUAJIT, ['-bl', '-'], { input: text, stdio: ['pipe', 'ignore', 'ignore'], timeout: 10_000 }).status === 0;
}

const corpus = [
  ...luaFiles(path.join(repoRoot, 'examples')),
  ...luaFiles(path.join(repoRoot, 'test', 'fixtures')),
  ...luaFiles('/usr/share/lua/5.1'),
].map((f) => fs.readFileSync(f, 'utf8'));

/** Pieces that break Lua in the ways the recogniser must notice (or leave to luaparse). */
const PIECES = ['end', 'do', '(', ')', '=', '==', '..', '...', 'goto x', '::a::', 'break', '\n(', '"', "'", '[[', ']]', '--[[', '0x', '1e', '3..4', '\\q', 'local', 'function', ',', 'return', 'then', '{', '}', '[', ']', ';', ':', '.', 'x.y', 'f()', '<const>', '//', '&', 'not', '#', 'if', 'else', 'until', 'repeat', 'in', 'for i=1', '0b101', '1LL', 'é'];

function mutations(seed: number, count: number): string[] {
  let a = seed >>> 0;
  const random = () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
  const out: string[] = [];
  for (let i = 0; i < count; i++) {
    const base = corpus[Math.floor(random() * corpus.length)];
    const at = Math.floor(random() * (base.length + 1));
    const kind = random();
    if (kind < 0.3) {
      out.push(base.slice(0, at));
    } else if (kind < 0.6) {
      out.push(base.slice(0, at) + base.slice(at + 1 + Math.floor(random() * 8)));
    } else {
      const piece = PIECES[Math.floor(random() * PIECES.length)];
      out.push(base.slice(0, at) + ' ' + piece + ' ' + base.slice(at));
    }
  }
  return out;
}

test('on real files, "surely valid" agrees with luaparse and covers almost all of them', () => {
  assert.ok(corpus.length > 30, `a corpus of real files (${corpus.length})`);
  let sure = 0;
  for (const text of corpus) {
    if (isSurelyValid(text)) {
      sure++;
      assert.ok(judgeAccepts(text), `recogniser said valid, luaparse and luajit reject:\n${text.slice(0, 300)}`);
    }
  }
  const valid = corpus.filter(luaparseAccepts).length;
  assert.ok(sure >= valid * 0.9, `the fast path decides most valid files (${sure} of ${valid})`);
});

test('on 4000 mutated files, "surely valid" never contradicts luaparse (or LuaJIT, where the two disagree)', () => {
  let sure = 0;
  for (const text of mutations(20261122, 4000)) {
    if (isSurelyValid(text)) {
      sure++;
      assert.ok(judgeAccepts(text), `recogniser said valid, luaparse and luajit reject:\n${text}`);
    }
  }
  assert.ok(sure > 100, `some mutations stay valid and are decided fast (${sure})`);
});

test('one tokenization for both passes: scanAndCheck finds exactly what scanLua and isSurelyValid find', () => {
  for (const text of [...corpus, ...mutations(7, 2000)]) {
    const both = scanAndCheck(text);
    assert.deepEqual(both.scan, scanLua(text));
    assert.equal(both.surelyValid, isSurelyValid(text));
  }
});

test('break ends its block, as in LuaJIT: a statement after it is never "surely valid"; `break;` before end is', () => {
  const after = 'while true do\n  break\n  return 1\nend\n';
  assert.equal(luajitAccepts(after), false, 'luajit rejects a statement after break');
  assert.equal(isSurelyValid(after), false);
  const semicolon = 'for i = 1, 2 do\n  if i then break; end\nend\n';
  assert.equal(luajitAccepts(semicolon), true, 'luajit accepts break;');
  assert.equal(luaparseAccepts(semicolon), true, 'luaparse does once the text is prepared for it (the `;` blanked)');
  assert.equal(isSurelyValid(semicolon), true);
});
