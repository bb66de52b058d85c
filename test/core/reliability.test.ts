// Issue 9: bad source, bad names and paths, bad graphs. The core never
// throws, never hangs, and says what it skipped.
import assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { describe, test } from 'node:test';
import { checkAll, checkFile } from '../../server/src/core/checks/fileChecks';
import { DirEntry, FileSystem, MemoryFileSystem, NodeFileSystem } from '../../server/src/core/fs';
import { analyzeLua, PARSE_SIZE_LIMIT } from '../../server/src/core/lua/luaFile';
import { tokenize } from '../../server/src/core/lua/luaLexer';
import { suspiciousNameReason } from '../../server/src/core/resolve/moduleNames';
import { Workspace } from '../../server/src/core/workspace/workspace';
import { checkSource, MEM_ROOT, rangeOn } from '../helpers/core';
import { runLuajit } from '../helpers/luajit';
import { tempCopy, writeTree } from '../helpers/paths';

const TOO_COMPLEX =
  'This file is nested too deeply to be parsed (the parser ran out of stack), so its syntax was not checked; its requires are still found. ' +
  "LuaJIT itself rejects more than 200 nested levels ('chunk has too many syntax levels').";

function memWorkspace(files: Record<string, string>): Workspace {
  const tree: Record<string, string> = {};
  for (const [name, text] of Object.entries(files)) {
    tree[path.join(MEM_ROOT, name)] = text;
  }
  return new Workspace(new MemoryFileSystem(tree), { roots: [MEM_ROOT], env: { PATH: '' } });
}

function tempDir(t: { after: (fn: () => void) => void }): string {
  const tmp = tempCopy();
  t.after(tmp.cleanup);
  return tmp.dir;
}

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
    assert.deepEqual(findings.map((f) => [f.code, f.severity]), [['file-too-large', 'info']]);
    assert.equal(
      findings[0].message,
      'This file has 20.3 MB, more than the 5 MB resty-build parses: its syntax was not checked. Its requires are still found and resolved.',
    );
    assert.equal(analyzeLua(source).requires.length, 760_000);
    // Bounded (about 2 s on an idle machine), not a hang; generous for a loaded CI box.
    assert.ok(elapsed < 30_000, `took ${elapsed} ms`);
  });

  test('a one-line minified file below the limit is parsed in full', () => {
    const source = 'local a=require("app.mod");local b={1,2,3};'.repeat(50_000);
    const facts = analyzeLua(source);
    assert.equal(facts.syntaxError, undefined);
    assert.equal(facts.skipped, undefined);
    assert.equal(facts.lines.lineCount, 1);
    assert.equal(facts.requires.length, 50_000);
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

  test('a BOM, CRLF line ends, a #! first line and an empty file are all fine, as LuaJIT finds them', (t) => {
    const dir = tempDir(t);
    const cases: Record<string, string> = {
      'bom.lua': '\uFEFFlocal m = require "app.mod"\nreturn m\n',
      'crlf.lua': 'local a = 1\r\nlocal m = require "app.mod"\r\nreturn m\r\n',
      'shebang.lua': '#!/usr/bin/env luajit\nlocal m = require "app.mod"\nreturn m\n',
      'bom-shebang.lua': '\uFEFF#!/usr/bin/luajit\r\nreturn require "app.mod"\r\n',
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
});

function rangeOfNth(text: string, needle: string, n: number) {
  let at = -1;
  for (let i = 0; i <= n; i++) {
    at = text.indexOf(needle, at + 1);
  }
  return { start: { line: 0, character: at }, end: { line: 0, character: at + needle.length } };
}

describe('bad names and paths', () => {
  test('require "spec/helpers" resolves by template substitution, with a suspicious-module-name warning', () => {
    const source = 'local h = require "spec/helpers"\n';
    const findings = checkSource(source, { files: { 'spec/helpers.lua': 'return {}' } });
    assert.deepEqual(findings, [
      {
        file: path.join(MEM_ROOT, 'main.lua'),
        range: rangeOn(source, 0, '"spec/helpers"'),
        severity: 'warning',
        code: 'suspicious-module-name',
        message: `Suspicious module name 'spec/helpers': the module name contains characters outside [A-Za-z0-9_.-] ("/"). Lua substitutes it into the search templates as is; it cannot be embedded as bytecode.`,
        module: 'spec/helpers',
      },
    ]);
  });

  test('each kind of odd name has its own reason', () => {
    assert.equal(suspiciousNameReason(''), 'the module name is empty');
    assert.equal(suspiciousNameReason('/etc/passwd'), 'the module name is an absolute path');
    assert.equal(suspiciousNameReason('C:\\x'), 'the module name is an absolute path');
    assert.equal(suspiciousNameReason('..secret'), "the module name contains '..'");
    assert.equal(suspiciousNameReason('a..b'), "the module name contains '..'");
    assert.equal(suspiciousNameReason('.a'), 'the module name has an empty segment');
    assert.equal(suspiciousNameReason('a.'), 'the module name has an empty segment');
    assert.equal(suspiciousNameReason('a//b'), 'the module name has an empty segment');
    assert.equal(suspiciousNameReason('a b'), 'the module name contains characters outside [A-Za-z0-9_.-] (" ")');
    assert.equal(suspiciousNameReason('ü'), 'the module name contains characters outside [A-Za-z0-9_.-] ("ü")');
    assert.equal(suspiciousNameReason('resty.core-x_1'), undefined);
    // A name escaping the project is flagged and, unresolved, reported with Lua's trail.
    const findings = checkSource('require "../../etc/x"\n');
    assert.deepEqual(findings.map((f) => f.code), ['suspicious-module-name', 'unresolved-module']);
  });

  test('in the embed closure and in the mapping an odd name is an error: it cannot be embedded', () => {
    const ws = memWorkspace({
      'resty-build.json': JSON.stringify({ profile: 'openresty', path: ['lib/?.lua'], embed: ['app', 'spec/helpers'] }),
      'lib/app.lua': 'return require "spec/helpers"\n',
      'lib/spec/helpers.lua': 'return {}\n',
    });
    const app = checkFile(ws, path.join(MEM_ROOT, 'lib', 'app.lua'));
    assert.deepEqual(
      app.map((f) => [f.code, f.severity, f.message]),
      [['suspicious-module-name', 'error', `'spec/helpers' cannot be embedded: the module name contains characters outside [A-Za-z0-9_.-] ("/"), and luajit -n rejects such names.`]],
    );
    const manifest = checkFile(ws, path.join(MEM_ROOT, 'resty-build.json'));
    assert.deepEqual(
      manifest.map((f) => [f.code, f.severity, f.module]),
      [['suspicious-module-name', 'error', 'spec/helpers']],
    );
  });

  test('a symlink loop among the search roots: the walk ends and lists every file once', (t) => {
    const dir = tempDir(t);
    writeTree(dir, { 'lib/a.lua': 'return require "b"\n', 'lib/b.lua': 'return 1\n' });
    fs.symlinkSync('.', path.join(dir, 'lib', 'self'));
    fs.symlinkSync('..', path.join(dir, 'lib', 'up'));
    fs.mkdirSync(path.join(dir, 'x'));
    fs.symlinkSync(path.join(dir, 'x', 'y'), path.join(dir, 'x', 'z'));
    fs.symlinkSync(path.join(dir, 'x', 'z'), path.join(dir, 'x', 'y'));
    const started = Date.now();
    const ws = new Workspace(new NodeFileSystem(), { roots: [dir, path.join(dir, 'lib')], env: {} });
    assert.deepEqual(ws.files(), [path.join(dir, 'lib', 'a.lua'), path.join(dir, 'lib', 'b.lua')]);
    assert.ok(Date.now() - started < 5_000);
    // The real file system's answers on a link loop (ELOOP), a file as a folder (ENOTDIR) and a folder as a file (EISDIR).
    const node = new NodeFileSystem();
    const loop = path.join(dir, 'x', 'y');
    assert.equal(node.readFile(loop), undefined);
    assert.equal(node.isFile(loop), false);
    assert.equal(node.isDirectory(loop), false);
    assert.equal(node.realPath(loop), undefined);
    assert.deepEqual(node.readDir(path.join(dir, 'lib', 'a.lua')), []);
    assert.equal(node.readFile(path.join(dir, 'lib')), undefined);
    assert.deepEqual(
      node.readDir(path.join(dir, 'x')).sort((a, b) => a.name.localeCompare(b.name)),
      [
        { name: 'y', kind: 'other' },
        { name: 'z', kind: 'other' },
      ],
    );
  });

  test('unreadable folders and files (EACCES) and files deleted mid-scan: analysed as absent, never a crash', () => {
    const files: Record<string, string> = {
      [path.join(MEM_ROOT, 'main.lua')]: 'local a = require "locked.mod"\nlocal b = require "gone"\nlocal c = require "ok"\n',
      [path.join(MEM_ROOT, 'locked', 'mod.lua')]: 'return 1\n',
      [path.join(MEM_ROOT, 'gone.lua')]: 'return 2\n',
      [path.join(MEM_ROOT, 'ok.lua')]: 'return 3\n',
    };
    const mem = new MemoryFileSystem(files);
    const eacces = (p: string) => Object.assign(new Error(`EACCES: permission denied, open '${p}'`), { code: 'EACCES' });
    // Tests run as root, where chmod 000 changes nothing: a file system that throws like a locked-down disk.
    const hostile: FileSystem = {
      readFile: (f) => {
        if (f.includes(`${path.sep}locked`)) {
          throw eacces(f);
        }
        if (f.endsWith('gone.lua')) {
          throw Object.assign(new Error('ENOENT'), { code: 'ENOENT' });
        }
        return mem.readFile(f);
      },
      isFile: (f) => {
        if (f.includes(`${path.sep}locked`)) {
          throw eacces(f);
        }
        if (f.endsWith('gone.lua')) {
          // Listed by readDir, deleted before it is read.
          throw Object.assign(new Error('ENOENT'), { code: 'ENOENT' });
        }
        return mem.isFile(f);
      },
      isDirectory: (d) => mem.isDirectory(d),
      readDir: (d): DirEntry[] => {
        if (d.endsWith(`${path.sep}locked`)) {
          throw eacces(d);
        }
        return mem.readDir(d);
      },
    };
    const ws = new Workspace(hostile, { roots: [MEM_ROOT], env: { PATH: '' } });
    const all = checkAll(ws);
    const main = all.get(path.join(MEM_ROOT, 'main.lua'))!;
    assert.deepEqual(main.map((f) => [f.code, f.module]), [
      ['unresolved-module', 'locked.mod'],
      ['unresolved-module', 'gone'],
    ]);
    assert.equal(ws.facts(path.join(MEM_ROOT, 'gone.lua')), undefined);
    // As in Lua's own trail: a file that cannot be opened is "no file".
    assert.match(main[0].message, /\tno file '\.\/locked\/mod\.lua'/);
  });

  test('the real file system: a file that exists but cannot be read is not a candidate, as for fopen in Lua\'s loader', (t) => {
    const dir = tempDir(t);
    writeTree(dir, { 'secret.lua': 'return 1\n' });
    const file = path.join(dir, 'secret.lua');
    fs.chmodSync(file, 0o000);
    const node = new NodeFileSystem();
    // As root, access(R_OK) still succeeds (so does fopen): both agree either way.
    const readable = (() => {
      try {
        fs.accessSync(file, fs.constants.R_OK);
        return true;
      } catch {
        return false;
      }
    })();
    assert.equal(node.isFile(file), readable);
    assert.equal(node.readFile(file) !== undefined, readable);
  });

  test('case-only name clashes (Foo.lua and foo.lua): require resolves to the exact-case file', (t) => {
    const dir = tempDir(t);
    writeTree(dir, { 'Foo.lua': 'return "upper"\n', 'foo.lua': 'return "lower"\n', 'main.lua': 'local a = require "foo"\nlocal b = require "Foo"\nlocal c = require "FOO"\n' });
    const ws = new Workspace(new NodeFileSystem(), { roots: [dir], env: {} });
    const project = ws.projectFor(path.join(dir, 'main.lua'));
    assert.equal(ws.resolve(project, 'foo').file, path.join(dir, 'foo.lua'));
    assert.equal(ws.resolve(project, 'Foo').file, path.join(dir, 'Foo.lua'));
    assert.deepEqual(checkFile(ws, path.join(dir, 'main.lua')).map((f) => [f.code, f.module]), [['unresolved-module', 'FOO']]);
    // LuaJIT agrees.
    assert.equal(runLuajit(['-e', 'assert(require("foo") == "lower" and require("Foo") == "upper")'], { cwd: dir, env: { LUA_PATH: './?.lua' } }).status, 0);
  });

  test('spaces and non-ASCII in paths: files found, requires resolved, trails spelled exactly', (t) => {
    const dir = path.join(tempDir(t), 'my project', 'ünïcødé 名前');
    writeTree(dir, { 'lib/app/ök.lua': 'return 1\n', 'main.lua': 'local a = require "app.ök"\nlocal b = require "app.missing"\n' });
    const ws = new Workspace(new NodeFileSystem(), { roots: [dir], env: {} });
    assert.ok(ws.files().includes(path.join(dir, 'lib', 'app', 'ök.lua')));
    const project = ws.projectFor(path.join(dir, 'main.lua'));
    assert.equal(ws.resolve(project, 'app.ök').file, path.join(dir, 'lib', 'app', 'ök.lua'));
    const findings = checkFile(ws, path.join(dir, 'main.lua'));
    assert.deepEqual(findings.map((f) => [f.code, f.module]), [
      ['suspicious-module-name', 'app.ök'],
      ['unresolved-module', 'app.missing'],
    ]);
    assert.match(findings[1].message, /\tno file '\.\/lib\/app\/missing\.lua'/);
  });
});

describe('bad graphs', () => {
  const cycle = {
    'resty-build.json': JSON.stringify({ profile: 'openresty', path: ['lib/?.lua'], embed: ['a'] }),
    'lib/a.lua': 'local b = require "b"\nreturn {}\n',
    'lib/b.lua': 'local c = require "c"\nreturn {}\n',
    'lib/c.lua': 'local x = 1\nlocal a = require "a"\nreturn {}\n',
  };

  test('a require cycle terminates the closure and is reported once, at the require that closes it, naming the cycle', () => {
    const ws = memWorkspace(cycle);
    const project = ws.allProjects()[0];
    const closure = ws.embedding(project)!.closure;
    assert.deepEqual([...closure.files].map((f) => path.basename(f)), ['a.lua', 'b.lua', 'c.lua']);
    const all = [...checkAll(ws).values()].flat().filter((f) => f.code === 'require-cycle');
    assert.deepEqual(all, [
      {
        file: path.join(MEM_ROOT, 'lib', 'c.lua'),
        range: rangeOn(cycle['lib/c.lua'], 1, '"a"'),
        severity: 'warning',
        code: 'require-cycle',
        message: `Require cycle: a -> b -> c -> a. 'a' is still loading when this require runs, so LuaJIT raises "loop or previous error loading module 'a'". Move one of these requires into the function that uses it, or break the cycle.`,
        module: 'a',
      },
    ]);
  });

  test('LuaJIT fails on that cycle exactly as the message says', (t) => {
    const dir = tempDir(t);
    writeTree(dir, cycle);
    const run = runLuajit(['-e', 'require "a"'], { cwd: dir, env: { LUA_PATH: './lib/?.lua' } });
    assert.match(run.stderr, /loop or previous error loading module 'a'/);
  });

  test('a module requiring itself; a cycle broken by a require inside a function is not reported', () => {
    const self = memWorkspace({ 'me.lua': 'local me = require "me"\nreturn {}\n' });
    assert.deepEqual(
      checkFile(self, path.join(MEM_ROOT, 'me.lua')).map((f) => [f.code, f.message.split('.')[0]]),
      [['require-cycle', 'Require cycle: me -> me']],
    );
    const lazy = memWorkspace({
      'a.lua': 'local b = require "b"\nreturn {}\n',
      'b.lua': 'local M = {}\nfunction M.f()\n  if x then return require("a") end\nend\nreturn M\n',
    });
    assert.deepEqual([...checkAll(lazy).values()].flat(), []);
  });
});
