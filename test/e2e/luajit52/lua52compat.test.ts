// Syntax verdicts follow the target LuaJIT (DOMAIN 9): OpenResty builds its
// LuaJIT with LUAJIT_ENABLE_LUA52COMPAT, Debian does not. Each verdict of the
// analysis is compared with the real binary of its dialect: Debian's luajit
// and one built here from Debian's luajit2 sources with the 5.2 flag.
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { before, describe, test } from 'node:test';
import { analyzeLua } from '../../../server/src/core/lua/luaFile';
import { LuaDialect } from '../../../server/src/core/lua/luaparseInput';
import { detectLua52Compat } from '../../../server/src/toolchain/luajitDialect';
import { checkJson, runCli } from '../../helpers/cli';
import { tempCopy, writeTree } from '../../helpers/paths';
import { capabilityOptions } from '../capability';
import { Luajit52, luajit52UnavailableReason, obtainLuajit52 } from './build';

const suite = capabilityOptions('5.2-compatible LuaJIT', luajit52UnavailableReason());
const BUILD_TIMEOUT_MS = 15 * 60_000;

let luajit52: Luajit52;
const tmp = tempCopy();

/** Whether each file parses, as the given LuaJIT's loadfile says (one process for many files). */
function verdicts(binary: string, luaPath: string | undefined, files: string[]): boolean[] {
  const list = path.join(tmp.dir, `list-${Math.random().toString(36).slice(2)}.txt`);
  fs.writeFileSync(list, files.join('\n') + '\n');
  const driver = `for f in io.lines(${JSON.stringify(list)}) do io.write(loadfile(f) and "1" or "0") end`;
  const run = spawnSync(binary, ['-e', driver], { encoding: 'utf8', env: { PATH: process.env.PATH ?? '', ...(luaPath ? { LUA_PATH: `${luaPath};;` } : {}) } });
  assert.equal(run.status, 0, run.stderr);
  return [...run.stdout].map((c) => c === '1');
}

function ours(text: string, dialect: LuaDialect): boolean {
  const facts = analyzeLua(text);
  return facts.syntaxErrorFor(dialect) === undefined && facts.luajitSyntax.length === 0;
}

/** What the two LuaJITs disagree on, and LuaJIT's own lexemes both must keep accepting. */
const SNIPPETS: { name: string; text: string | Buffer; plain: boolean; lua52: boolean }[] = [
  { name: 'a call on a new line (ambiguous syntax)', text: 'local a = f\n(g)(x)\n', plain: false, lua52: true },
  { name: 'an empty statement', text: 'local a = 1;;\nreturn a\n', plain: false, lua52: true },
  { name: 'break before another statement', text: 'while true do break local x = 1 end\n', plain: false, lua52: true },
  { name: 'break;', text: 'while true do break; end\n', plain: true, lua52: true },
  { name: 'break; before another statement', text: 'while true do break; local x = 1 end\n', plain: false, lua52: true },
  { name: 'goto as a local name', text: 'local goto = 1\nreturn goto\n', plain: true, lua52: false },
  { name: 'goto as a field name', text: 'local t = {}\nt.goto = 1\n', plain: true, lua52: false },
  { name: 'goto and labels', text: 'for i = 1, 3 do\n  if i == 2 then goto continue end\n  ::continue::\nend\n', plain: true, lua52: true },
  { name: '64-bit and imaginary literals', text: 'local x = 1ULL\nlocal y = 0x10LL\nlocal z = 12i\n', plain: true, lua52: true },
  { name: 'a malformed 64-bit literal', text: 'local x = 1.5LL\n', plain: false, lua52: false },
  { name: '\\u{} and \\z escapes', text: 'local s = "\\u{48}\\u{10FFFF}\\z\n   x"\n', plain: true, lua52: true },
  { name: 'a \\u{} escape out of range', text: 'local s = "\\u{110000}"\n', plain: false, lua52: false },
  { name: 'binary literal', text: 'local x = 0b101\nreturn x\n', plain: true, lua52: true },
  { name: 'UTF-8 identifiers', text: 'local café = 1\nlocal 名前 = café + 1\nreturn 名前\n', plain: true, lua52: true },
  { name: 'a Latin-1 byte in an identifier', text: Buffer.from('local caf\xe9 = 1\nreturn caf\xe9\n', 'latin1'), plain: true, lua52: true },
  { name: 'integer division', text: 'local x = 7 // 2\n', plain: false, lua52: false },
];

describe('syntax verdicts follow the target LuaJIT', suite, () => {
  before(async () => {
    luajit52 = await obtainLuajit52();
  }, { timeout: BUILD_TIMEOUT_MS });

  test('the dialect is detected from the binary: table.pack exists only with LUAJIT_ENABLE_LUA52COMPAT', () => {
    assert.equal(detectLua52Compat(luajit52.binary, tmp.dir), true);
    assert.equal(detectLua52Compat('luajit', tmp.dir), false);
    assert.equal(detectLua52Compat(path.join(tmp.dir, 'no-such-luajit'), tmp.dir), undefined);
  });

  for (const [i, snippet] of SNIPPETS.entries()) {
    test(`${snippet.name}: plain ${snippet.plain ? 'accepts' : 'rejects'}, 5.2-compatible ${snippet.lua52 ? 'accepts' : 'rejects'}, as luajit -bl says`, () => {
      const file = path.join(tmp.dir, `snippet${i}.lua`);
      fs.writeFileSync(file, snippet.text);
      const plainRun = spawnSync('luajit', ['-bl', file], { encoding: 'utf8' });
      const lua52Run = spawnSync(luajit52.binary, ['-bl', file], { encoding: 'utf8', env: { PATH: process.env.PATH ?? '', LUA_PATH: `${luajit52.luaPath};;` } });
      assert.equal(plainRun.status === 0, snippet.plain, `Debian's luajit: ${plainRun.stderr}`);
      assert.equal(lua52Run.status === 0, snippet.lua52, `the 5.2-compatible luajit: ${lua52Run.stderr}`);
      const text = typeof snippet.text === 'string' ? snippet.text : snippet.text.toString('utf8');
      assert.equal(ours(text, { lua52compat: false }), snippet.plain, 'our plain verdict');
      assert.equal(ours(text, { lua52compat: true }), snippet.lua52, 'our 5.2 verdict');
      // The dialect hint asks the 5.2 parser only when the plain verdict says it may accept the text.
      assert.ok(analyzeLua(text).lua52MayAccept || !snippet.lua52, 'the plain verdict says a 5.2-compatible LuaJIT surely rejects it');
    });
  }

  test('on 400 mutations of files with non-ASCII names, calls on new lines, goto and `;`, both verdicts agree with both LuaJITs', () => {
    const base = fs.readFileSync(path.join(__dirname, 'fixtures', 'mutation-base.lua'), 'utf8');
    const pieces = ['\n(', ';', ';;', 'break', 'goto', 'goto x', '::x::', 'local', '=', 'é', 'ñame', '(', ')', 'end', 'do', '\n', '1LL', '"\\u{48}"', ',', '..'];
    let seed = 20240601;
    const random = () => {
      seed = (seed * 1103515245 + 12345) % 2147483648;
      return seed / 2147483648;
    };
    const files: string[] = [];
    const texts: string[] = [];
    for (let i = 0; i < 400; i++) {
      const at = Math.floor(random() * (base.length + 1));
      const piece = pieces[Math.floor(random() * pieces.length)];
      const text = base.slice(0, at) + ' ' + piece + ' ' + base.slice(at);
      const file = path.join(tmp.dir, `mutation${i}.lua`);
      fs.writeFileSync(file, text);
      files.push(file);
      texts.push(text);
    }
    const plain = verdicts('luajit', undefined, files);
    const lua52 = verdicts(luajit52.binary, luajit52.luaPath, files);
    const disagreements = texts.flatMap((text, i) => [
      ...(ours(text, { lua52compat: false }) !== plain[i] ? [`plain, ${files[i]}: luajit ${plain[i] ? 'accepts' : 'rejects'}`] : []),
      ...(ours(text, { lua52compat: true }) !== lua52[i] ? [`5.2, ${files[i]}: luajit ${lua52[i] ? 'accepts' : 'rejects'}`] : []),
    ]);
    assert.deepEqual(disagreements, []);
    assert.ok(plain.some((ok, i) => ok !== lua52[i]), 'some mutations are judged differently by the two LuaJITs');
    // The plain verdict's own word that a 5.2-compatible LuaJIT rejects the text too (the dialect hint then parses nothing more).
    const surelyRejected = texts.flatMap((text, i) => (analyzeLua(text).lua52MayAccept ? [] : [i]));
    assert.ok(surelyRejected.length > 50, `${surelyRejected.length} mutations are surely rejected by both`);
    assert.deepEqual(surelyRejected.filter((i) => lua52[i]).map((i) => files[i]), [], 'the 5.2-compatible luajit accepts these');
  });

  test('check: a file only a 5.2-compatible LuaJIT accepts is clean when the runtime is one, an error with the reason otherwise', () => {
    const dir = path.join(tmp.dir, 'project');
    writeTree(dir, {
      'lib/app/ambiguous.lua': 'local f = print\nlocal g = f\n(f)("x")\nreturn {}\n',
      'resty-build.json': JSON.stringify({ profile: 'openresty', path: ['lib/?.lua'], embed: ['app.ambiguous'] }),
    });
    const plainCheck = runCli(['check', dir, '--format', 'json']);
    const errors = checkJson(plainCheck.stdout).diagnostics;
    assert.deepEqual(errors.map((d) => d.code), ['syntax-error']);
    assert.match(errors[0].message, /ambiguous syntax/);
    assert.match(errors[0].message, /the compiler LuaJIT is not 5\.2-compatible.*"luajit\.lua52compat": true/s);

    fs.writeFileSync(path.join(dir, 'resty-build.json'), JSON.stringify({ profile: 'openresty', path: ['lib/?.lua'], embed: ['app.ambiguous'], luajit: { runtime: luajit52.binary } }));
    const runtimeCheck = runCli(['check', dir]);
    assert.equal(runtimeCheck.status, 0, runtimeCheck.stdout + runtimeCheck.stderr);

    fs.writeFileSync(path.join(dir, 'resty-build.json'), JSON.stringify({ profile: 'openresty', path: ['lib/?.lua'], embed: ['app.ambiguous'], luajit: { lua52compat: true } }));
    assert.equal(runCli(['check', dir]).status, 0);
  });
});
