// The real file system and a hostile one: link loops, unreadable folders and
// files, files deleted mid-scan, case-only clashes, spaces and non-ASCII in
// paths. The walk ends, nothing throws, and what cannot be read is absent.
import assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { describe, test } from 'node:test';
import { DirEntry, FileSystem, MemoryFileSystem, NodeFileSystem } from '../../server/src/core/fs';
import { Workspace } from '../../server/src/core/workspace/workspace';
import { MEM_ROOT } from '../helpers/core';
import { runLuajit } from '../helpers/luajit';
import { tempDirFor as tempDir, writeTree } from '../helpers/paths';

describe('bad paths and unreadable files', () => {
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
    const all = ws.checkAll();
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
    assert.deepEqual(ws.checkFile(path.join(dir, 'main.lua')).map((f) => [f.code, f.module]), [['unresolved-module', 'FOO']]);
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
    const findings = ws.checkFile(path.join(dir, 'main.lua'));
    assert.deepEqual(findings.map((f) => [f.code, f.module]), [
      ['suspicious-module-name', 'app.ök'],
      ['unresolved-module', 'app.missing'],
    ]);
    assert.match(findings[1].message, /\tno file '\.\/lib\/app\/missing\.lua'/);
  });
});
