// The real file system and a hostile one: link loops, unreadable folders and
// files, files deleted mid-scan, case-only clashes, spaces and non-ASCII in
// paths. The walk ends, nothing throws, and what cannot be read is absent.
import assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { describe, test } from 'node:test';
import { CachedFileSystem } from '../../server/src/core/fileSystemLayers';
import { DirEntry, FileSystem } from '../../server/src/core/fs';
import { MemoryFileSystem } from '../../server/src/core/memoryFileSystem';
import { NodeFileSystem } from '../../server/src/core/nodeFileSystem';
import { Workspace } from '../../server/src/core/workspace/workspace';
import { requireCapability } from '../e2e/capability';
import { MEM_ROOT } from '../helpers/core';
import { LUAJIT, notFoundTrail, runLuajit } from '../helpers/luajit';
import { distFile, tempDirFor as tempDir, writeTree } from '../helpers/paths';
import { unprivileged } from '../helpers/unprivileged';
import { checkAll, checkFile } from '../../server/src/core/checks/fileChecks';
import { checkJson } from '../helpers/cli';

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

  test('links out of the workspace (to /, /proc, a folder elsewhere) are not walked: the machine is not the workspace; a module required through one still resolves', (t) => {
    const dir = tempDir(t);
    writeTree(dir, { 'ws/resty-build.json': '{ "path": ["lib/?.lua"], "embed": ["app", "ext.mod"] }', 'ws/lib/app.lua': 'return require "ext.mod"\n', 'elsewhere/mod.lua': 'return 1\n', 'elsewhere/unrequired.lua': 'return 2\n' });
    const ws = path.join(dir, 'ws');
    fs.symlinkSync('/', path.join(ws, 'root'));
    fs.symlinkSync('/proc', path.join(ws, 'lib', 'proc'));
    fs.symlinkSync(path.join(dir, 'elsewhere'), path.join(ws, 'lib', 'ext'));
    // A root reached through a link is walked by its real path.
    fs.symlinkSync(ws, path.join(dir, 'ws-link'));
    for (const root of [ws, path.join(dir, 'ws-link')]) {
      const workspace = new Workspace(new NodeFileSystem(), { roots: [root], env: {} });
      assert.deepEqual(workspace.files(), [path.join(root, 'lib', 'app.lua')]);
    }
    const workspace = new Workspace(new NodeFileSystem(), { roots: [ws], env: {} });
    assert.deepEqual(checkFile(workspace, path.join(ws, 'lib', 'app.lua')).map((f) => f.code), []);
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
    // A file deleted between listing and reading cannot be staged on a real disk on cue: a file system that
    // throws as a disk does then, and as a locked-down one does (the real EACCES is the unprivileged test below).
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

  test('the real file system, unprivileged: a file or folder of mode 000 is "no file", as for fopen in Lua\'s loader, and luajit agrees', (t) => {
    const runner = unprivileged();
    if (typeof runner === 'string') {
      requireCapability(t, 'an unprivileged user', runner);
      return;
    }
    const dir = tempDir(t);
    writeTree(dir, {
      // Only LuaJIT's defaults, so that the trail can be compared with plain luajit's.
      'resty-build.json': JSON.stringify({ profile: 'openresty', path: ';;', cpath: ';;' }),
      'main.lua': 'local s = require "secret"\nlocal l = require "locked.mod"\nlocal o = require "open"\nreturn { s, l, o }\n',
      'open.lua': 'return 1\n',
      'secret.lua': 'return 2\n',
      'locked/mod.lua': 'return 3\n',
    });
    // The CLI (its launcher, launch.js and the self-contained bundle): a copy beside the tree is reachable wherever the repository lies.
    const cli = path.join(dir, 'tools', 'cli.js');
    fs.mkdirSync(path.dirname(cli));
    for (const name of ['cli.js', 'launch.js', 'cli-bundle.js']) {
      fs.copyFileSync(path.join(path.dirname(distFile('cli.js')), name), path.join(dir, 'tools', name));
    }
    for (const folder of [dir, path.join(dir, 'tools'), path.join(dir, 'locked')]) {
      fs.chmodSync(folder, 0o755);
    }
    for (const file of ['resty-build.json', 'main.lua', 'open.lua', 'secret.lua', 'locked/mod.lua', 'tools/cli.js', 'tools/launch.js', 'tools/cli-bundle.js']) {
      fs.chmodSync(path.join(dir, file), 0o644);
    }
    const readable = runner.run('cat', ['open.lua'], { cwd: dir });
    assert.equal(readable.status, 0, `${runner.user} must reach ${dir} (is TMPDIR a folder others can traverse?): ${readable.stderr}`);
    fs.chmodSync(path.join(dir, 'secret.lua'), 0o000);
    fs.chmodSync(path.join(dir, 'locked'), 0o000);
    try {
      const run = runner.run(process.execPath, [cli, 'check', dir, '--format', 'json'], { cwd: dir });
      assert.equal(run.status, 1, run.stdout + run.stderr);
      const { diagnostics } = checkJson(run.stdout);
      assert.deepEqual(
        diagnostics.map((d) => [d.file, d.line, d.code, d.module]),
        [
          ['main.lua', 1, 'unresolved-module', 'secret'],
          ['main.lua', 2, 'unresolved-module', 'locked.mod'],
        ],
      );
      assert.match(diagnostics[0].message, /\n\tno file '\.\/secret\.lua'\n/);
      assert.match(diagnostics[1].message, /\n\tno file '\.\/locked\/mod\.lua'\n/);
      for (const d of diagnostics) {
        const lua = runner.run(LUAJIT, ['-e', `require ${JSON.stringify(d.module)}`], { cwd: dir });
        assert.match(lua.stderr, new RegExp(`module '${d.module!.replace('.', '\\.')}' not found`), `luajit as ${runner.user} cannot load ${d.module} either`);
        assert.deepEqual(notFoundTrail(d.message), notFoundTrail(lua.stderr), d.module!);
      }
    } finally {
      // Removable again, also when the tests do not run as root.
      fs.chmodSync(path.join(dir, 'locked'), 0o755);
      fs.chmodSync(path.join(dir, 'secret.lua'), 0o644);
    }
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

  test('file and folder names that are not UTF-8: not counted, each a positioned finding at its folder naming its bytes; LuaJIT loads such a file', (t) => {
    const dir = tempDir(t);
    writeTree(dir, { 'main.lua': 'return 1\n', 'sub/ok.lua': 'return 1\n' });
    const bytesPath = (...parts: (string | number[])[]) => Buffer.concat([Buffer.from(dir), ...parts.map((p) => Buffer.concat([Buffer.from('/'), Buffer.from(p as string)]))]);
    // Latin-1 'lé.lua' and a file in a Latin-1 folder 'dé': never valid UTF-8.
    fs.writeFileSync(bytesPath([0x6c, 0xe9, 0x2e, 0x6c, 0x75, 0x61]), 'return "loaded"\n');
    fs.writeFileSync(bytesPath('sub', [0x78, 0xff, 0xfe, 0x2e, 0x6c, 0x75, 0x61]), 'return 1\n');
    fs.mkdirSync(bytesPath([0x64, 0xe9]));
    fs.writeFileSync(Buffer.concat([bytesPath([0x64, 0xe9]), Buffer.from('/inner.lua')]), 'return 1\n');
    fs.writeFileSync(bytesPath([0x6e, 0xe9, 0x2e, 0x74, 0x78, 0x74]), 'not Lua\n');

    const entries = new NodeFileSystem().readDir(dir).filter((e) => e.undecodable !== undefined);
    assert.deepEqual(entries.map((e) => [e.undecodable, e.kind]).sort(), [['d\\xe9', 'directory'], ['l\\xe9.lua', 'file'], ['n\\xe9.txt', 'file']]);
    const ws = new Workspace(new NodeFileSystem(), { roots: [dir], env: {} });
    assert.deepEqual(ws.files(), [path.join(dir, 'main.lua'), path.join(dir, 'sub', 'ok.lua')]);
    const reported = [...checkAll(ws)].flatMap(([file, findings]) => findings.map((f) => [path.relative(dir, file), f.code, f.severity, f.range.start.line, f.message.split(':')[0]]));
    assert.deepEqual(reported.sort(), [
      ['', 'non-utf8-file-name', 'warning', 0, "Folder 'd\\xe9' not walked, its Lua files not analysed"],
      ['', 'non-utf8-file-name', 'warning', 0, "Lua file 'l\\xe9.lua' not analysed"],
      ['sub', 'non-utf8-file-name', 'warning', 0, "Lua file 'x\\xff\\xfe.lua' not analysed"],
    ]);
    // What the finding says: LuaJIT's package.path search builds the same bytes from the module name.
    const load = runLuajit(['-e', 'package.path = "./?.lua"; io.write(require("l\\233"))'], { cwd: dir });
    assert.equal(load.stdout, 'loaded', load.stderr);
  });
});

describe('the cached file system', () => {
  test('a candidate in a folder that does not exist is "no file" without asking for it; one look per folder', () => {
    const mem = new MemoryFileSystem({ '/p/lib/app/a.lua': 'return 1\n', '/p/lib/app/b/init.lua': 'return 2\n' });
    const asked: string[] = [];
    const spy: FileSystem = {
      readFile: (f) => mem.readFile(f),
      isFile: (f) => (asked.push(`file ${f}`), mem.isFile(f)),
      isDirectory: (d) => (asked.push(`dir ${d}`), mem.isDirectory(d)),
      readDir: (d) => mem.readDir(d),
    };
    const cached = new CachedFileSystem(spy);
    // What a failed search of `pl.utils` and `pl.compat` probes under two templates.
    for (const f of ['/p/pl/utils.lua', '/p/pl/utils/init.lua', '/p/lib/pl/utils.lua', '/p/pl/compat.lua', '/p/lib/pl/compat.lua']) {
      assert.equal(cached.isFile(f), false, f);
    }
    assert.deepEqual(asked, ['dir /', 'dir /p', 'dir /p/pl', 'dir /p/lib', 'dir /p/lib/pl']);
    asked.length = 0;
    assert.equal(cached.isFile('/p/lib/app/a.lua'), true);
    assert.equal(cached.isFile('/p/lib/app/b/init.lua'), true);
    assert.equal(cached.isDirectory('/p/lib/app/b'), true);
    assert.equal(cached.isFile('/p/lib/app/b'), false);
    assert.deepEqual(asked, ['dir /p/lib/app', 'file /p/lib/app/a.lua', 'dir /p/lib/app/b', 'file /p/lib/app/b/init.lua', 'file /p/lib/app/b']);
    // A folder created later is seen once the cache is told the disk changed.
    mem.write('/p/pl/utils.lua', 'return 3\n');
    assert.equal(cached.isFile('/p/pl/utils.lua'), false, 'cached until invalidated');
    cached.invalidate();
    assert.equal(cached.isFile('/p/pl/utils.lua'), true);
  });
});
