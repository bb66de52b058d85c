// The OpenResty profile: LuaJIT's loaders (lib_package.c) in order — preload,
// package.path, package.cpath, the all-in-one loader — with the templates of
// resty-build.json and of the nginx.conf's lua_package_path/cpath. The real
// luajit is the judge: the last tests run it on the same templates.
import { before, describe, test } from 'node:test';
import * as assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { checkFile } from '../../server/src/core/checks/fileChecks';
import { NodeFileSystem } from '../../server/src/core/nodeFileSystem';
import { MANIFEST_NAME, parseManifest } from '../../server/src/core/manifest/manifest';
import { createProject, LUAJIT_DEFAULT_CPATH, LUAJIT_DEFAULT_PATH } from '../../server/src/core/resolve/project';
import { resolveModule } from '../../server/src/core/resolve/resolver';
import { Workspace } from '../../server/src/core/workspace/workspace';
import { notFoundTrail, requireLuajit, runLuajit } from '../helpers/luajit';
import { fixture, tempDirFor, writeTree } from '../helpers/paths';

const disk = new NodeFileSystem();

function projectAt(root: string) {
  const file = path.join(root, MANIFEST_NAME);
  const { manifest, findings } = parseManifest(file, fs.readFileSync(file, 'utf8'));
  assert.deepEqual(findings, [], `${file} is a valid manifest`);
  return createProject(disk, { PATH: '' }, root, manifest);
}

const searchRoot = fixture('openresty-search-order');
const search = projectAt(searchRoot);
const resolve = (name: string) => resolveModule(name, search.resolver, disk);
const rel = (root: string, file: string | undefined) => (file === undefined ? undefined : path.relative(root, file));

/** Lua's way of naming a default template's candidate: './x' stays relative to the working folder. */
const defaults = (list: string[], slashed: string) => list.map((t) => `no file '${t.split('?').join(slashed)}'`);

describe('OpenResty search order (resty-build.json path/cpath)', () => {
  test('the first matching template wins', () => {
    const r = resolve('first');
    assert.equal(r.status, 'file');
    assert.equal(rel(searchRoot, r.file), path.join('lib', 'first.lua'));
    assert.deepEqual(r.trail, ["no field package.preload['first']"]);
  });

  test('?.lua before ?/init.lua (template order)', () => {
    assert.equal(rel(searchRoot, resolve('pkg').file), path.join('lib', 'pkg.lua'));
    const r = resolve('onlyinit');
    assert.equal(rel(searchRoot, r.file), path.join('lib', 'onlyinit', 'init.lua'));
    assert.deepEqual(r.trail, ["no field package.preload['onlyinit']", "no file 'lib/onlyinit.lua'"]);
  });

  test('dots in the name become folders', () => {
    assert.equal(rel(searchRoot, resolve('resty.deep.mod').file), path.join('lib', 'resty', 'deep', 'mod.lua'));
  });

  test('templates are relative to the manifest folder and ";;" puts the LuaJIT defaults at its position', () => {
    const r = resolve('late');
    assert.equal(rel(searchRoot, r.file), path.join('vendor', 'late.lua'));
    assert.deepEqual(r.trail, [
      "no field package.preload['late']",
      "no file 'lib/late.lua'",
      "no file 'lib/late/init.lua'",
      ...defaults(LUAJIT_DEFAULT_PATH, 'late'),
    ]);
  });

  test('a Lua file wins over a C module of the same name (package.path before package.cpath)', () => {
    const r = resolve('both');
    assert.equal(r.status, 'file');
    assert.equal(rel(searchRoot, r.file), path.join('lib', 'both.lua'));
  });

  test('a package.cpath hit is status native', () => {
    const r = resolve('cmod');
    assert.equal(r.status, 'native');
    assert.equal(r.origin, 'native');
    assert.equal(rel(searchRoot, r.file), path.join('clib', 'cmod.so'));
  });

  test('the all-in-one loader finds a.b in the C library a', () => {
    const r = resolve('aio.sub');
    assert.equal(r.status, 'native');
    assert.equal(rel(searchRoot, r.file), path.join('clib', 'aio.so'));
    assert.equal(r.trail.at(-1), "no file '/usr/local/lib/lua/5.1/loadall.so'", 'the all-in-one loader runs after the whole cpath');
    assert.ok(r.trail.includes("no file 'clib/aio/sub.so'"));
  });

  test('a missing module: preload, package.path, package.cpath, then the all-in-one loader', () => {
    const r = resolve('nothere.mod');
    assert.equal(r.status, 'unresolved');
    assert.deepEqual(r.trail, [
      "no field package.preload['nothere.mod']",
      "no file 'lib/nothere/mod.lua'",
      "no file 'lib/nothere/mod/init.lua'",
      ...defaults(LUAJIT_DEFAULT_PATH, 'nothere/mod'),
      "no file 'vendor/nothere/mod.lua'",
      "no file 'clib/nothere/mod.so'",
      ...defaults(LUAJIT_DEFAULT_CPATH, 'nothere/mod'),
      "no file 'clib/nothere.so'",
      ...defaults(LUAJIT_DEFAULT_CPATH, 'nothere'),
    ]);
  });

  test('without a manifest path, the defaults alone (no cpath given: LuaJIT default cpath)', () => {
    const project = createProject(disk, {}, searchRoot, { ...search.manifest!, path: undefined, cpath: undefined });
    const r = resolveModule('zzz', project.resolver, disk);
    assert.ok(r.trail.includes(defaults(LUAJIT_DEFAULT_CPATH, 'zzz')[1]), r.trail.join('\n'));
  });
});

describe('OpenResty search order (nginx.conf lua_package_path/cpath)', () => {
  const root = fixture('openresty-nginx-conf');
  const project = projectAt(root);
  const prefix = path.join(root, 'nginx');

  test('$prefix is the folder holding conf/, not the manifest folder', () => {
    const r = resolveModule('a', project.resolver, disk);
    assert.equal(r.file, path.join(prefix, 'app', 'a.lua'));
  });

  test('${prefix} is substituted too', () => {
    const r = resolveModule('b', project.resolver, disk);
    assert.equal(r.file, path.join(prefix, 'shared', 'b', 'init.lua'));
  });

  test('lua_package_cpath hits are native', () => {
    const r = resolveModule('c', project.resolver, disk);
    assert.equal(r.status, 'native');
    assert.equal(r.file, path.join(prefix, 'native', 'c.so'));
  });

  test('";;" in lua_package_path expands to the LuaJIT defaults after the conf templates', () => {
    const r = resolveModule('none', project.resolver, disk);
    assert.equal(r.status, 'unresolved');
    assert.deepEqual(r.trail.slice(0, 3 + LUAJIT_DEFAULT_PATH.length), [
      "no field package.preload['none']",
      "no file './nginx/app/none.lua'",
      "no file './nginx/shared/none/init.lua'",
      // './?.lua' of the defaults is taken against the project root.
      ...defaults(LUAJIT_DEFAULT_PATH, 'none'),
    ]);
    assert.equal(r.trail[3 + LUAJIT_DEFAULT_PATH.length], "no file './nginx/native/none.so'");
  });
});

describe('nginx.conf templates in the trail', () => {
  test('an entry written relative is shown as written; one built from $prefix (a guessed folder) relative to the project', (t) => {
    const tmp = tempDirFor(t);
    writeTree(tmp, {
      [MANIFEST_NAME]: JSON.stringify({ profile: 'openresty', nginxConf: 'nginx/conf/nginx.conf' }),
      'nginx/conf/nginx.conf': 'http {\n    lua_package_path "lualib/?.lua;$prefix/app/?.lua;";\n    lua_package_cpath "clib/?.so;";\n}\n',
    });
    const trail = resolveModule('x', projectAt(tmp).resolver, disk).trail;
    assert.deepEqual(trail, ["no field package.preload['x']", "no file 'lualib/x.lua'", "no file './nginx/app/x.lua'", "no file 'clib/x.so'"]);
  });
});

describe('repeated templates in the trail', () => {
  test('a $prefix entry and a written one for the same folder make one line, not the same line twice', (t) => {
    const tmp = tempDirFor(t);
    writeTree(tmp, {
      [MANIFEST_NAME]: JSON.stringify({ profile: 'openresty', nginxConf: 'conf/nginx.conf' }),
      'conf/nginx.conf': 'http {\n    lua_package_path "$prefix/app/?.lua;./app/?.lua;app/?.lua;";\n    lua_package_cpath "clib/?.so;";\n}\n',
    });
    const trail = resolveModule('x', projectAt(tmp).resolver, disk).trail;
    assert.deepEqual(trail, ["no field package.preload['x']", "no file './app/x.lua'", "no file 'app/x.lua'", "no file 'clib/x.so'"]);
  });
});

describe('manifest path templates inside a workspace', () => {
  test('are relative to the folder of resty-build.json, not the workspace root', () => {
    const root = fixture('openresty-nested-manifest');
    const ws = new Workspace(disk, { roots: [root], env: { PATH: '' } });
    const main = path.join(root, 'service', 'main.lua');
    const project = ws.projectFor(main);
    assert.equal(project.root, path.join(root, 'service'));
    assert.equal(ws.resolve(project, 'util').file, path.join(root, 'service', 'src', 'util.lua'));
    assert.deepEqual(checkFile(ws, main), []);
  });
});

describe('agreement with the real luajit', () => {
  before(requireLuajit);
  // The manifest of openresty-search-order, as LUA_PATH/LUA_CPATH spelled as it is, run from its folder.
  const env = { LUA_PATH: 'lib/?.lua;lib/?/init.lua;;vendor/?.lua', LUA_CPATH: 'clib/?.so;;' };

  test('our compiled-in defaults are what this luajit prints for ";;"', () => {
    const run = runLuajit(['-e', 'print(package.path) print(package.cpath)']);
    assert.equal(run.status, 0, run.stderr);
    assert.deepEqual(run.stdout.trim().split('\n'), [LUAJIT_DEFAULT_PATH.join(';'), LUAJIT_DEFAULT_CPATH.join(';')]);
  });

  for (const name of ['nothere', 'nothere.mod', 'a.b.c', 'late.x']) {
    test(`the trail for a missing '${name}' is luajit's 'no file' list`, () => {
      const run = runLuajit(['-e', `require ${JSON.stringify(name)}`], { cwd: searchRoot, env });
      assert.notEqual(run.status, 0);
      assert.match(run.stderr, new RegExp(`module '${name.replace(/\./g, '\\.')}' not found`));
      const r = resolve(name);
      assert.equal(r.status, 'unresolved');
      assert.deepEqual(r.trail, notFoundTrail(run.stderr));
    });
  }

  test('with only the defaults (";;"), in an empty temp dir, the trail is what plain luajit prints', (t) => {
    const tmp = tempDirFor(t);
    writeTree(tmp, { [MANIFEST_NAME]: JSON.stringify({ profile: 'openresty', path: ';;', cpath: ';;' }) });
    const project = projectAt(tmp);
    for (const name of ['x', 'resty.x.y']) {
      const run = runLuajit(['-e', `require ${JSON.stringify(name)}`], { cwd: tmp });
      assert.notEqual(run.status, 0);
      assert.deepEqual(resolveModule(name, project.resolver, disk).trail, notFoundTrail(run.stderr));
    }
  });

  test("a folder named '..x' is inside the project: the trail names it '..x/…' as luajit does", (t) => {
    const tmp = tempDirFor(t);
    writeTree(tmp, {
      [MANIFEST_NAME]: JSON.stringify({ profile: 'openresty', path: ['..x/?.lua', ';;'], cpath: [] }),
      '..x/present.lua': 'return 1\n',
    });
    const file = path.join(tmp, MANIFEST_NAME);
    const { manifest } = parseManifest(file, fs.readFileSync(file, 'utf8'));
    const project = createProject(disk, { PATH: '' }, tmp, manifest);
    const env = { LUA_PATH: '..x/?.lua;;', LUA_CPATH: '' };
    const run = runLuajit(['-e', 'require "nothere"'], { cwd: tmp, env });
    assert.notEqual(run.status, 0);
    const trail = resolveModule('nothere', project.resolver, disk).trail;
    assert.equal(trail[1], "no file '..x/nothere.lua'");
    assert.deepEqual(trail, notFoundTrail(run.stderr));
    assert.equal(resolveModule('present', project.resolver, disk).file, path.join(tmp, '..x', 'present.lua'));
  });

  test('templates spelled any way (./, //, absolute inside the project, ../): each trail line is what luajit prints from the project folder', (t) => {
    const tmp = path.join(tempDirFor(t), 'project');
    const spelled = ['./src/?.lua', 'src//?/init.lua', path.join(tmp, 'ext', '?.lua'), '../up/?.lua', 'lib/?.lua'];
    writeTree(tmp, { [MANIFEST_NAME]: JSON.stringify({ profile: 'openresty', path: spelled, cpath: [] }) });
    const run = runLuajit(['-e', 'require "a.b"'], { cwd: tmp, env: { LUA_PATH: spelled.join(';'), LUA_CPATH: '' } });
    assert.notEqual(run.status, 0);
    const file = path.join(tmp, MANIFEST_NAME);
    // '../up' is outside the project: a warning on the manifest, and still a template LuaJIT searches.
    const project = createProject(disk, { PATH: '' }, tmp, parseManifest(file, fs.readFileSync(file, 'utf8')).manifest);
    const trail = resolveModule('a.b', project.resolver, disk).trail;
    assert.deepEqual(trail.slice(1), ["no file './src/a/b.lua'", "no file 'src//a/b/init.lua'", `no file '${tmp}/ext/a/b.lua'`, "no file '../up/a/b.lua'", "no file 'lib/a/b.lua'"]);
    assert.deepEqual(trail, notFoundTrail(run.stderr));
  });

  test('one folder spelled two ways is two templates to luajit: the trail has a line for each spelling', (t) => {
    const tmp = path.join(tempDirFor(t), 'project');
    const spelled = ['lib/?.lua', './lib/?.lua', 'lib//?.lua', path.join(tmp, 'lib', '?.lua')];
    writeTree(tmp, { [MANIFEST_NAME]: JSON.stringify({ profile: 'openresty', path: spelled, cpath: [] }), 'lib/present.lua': 'return 1\n' });
    const run = runLuajit(['-e', 'require "a.b"'], { cwd: tmp, env: { LUA_PATH: spelled.join(';'), LUA_CPATH: '' } });
    assert.notEqual(run.status, 0);
    const file = path.join(tmp, MANIFEST_NAME);
    const project = createProject(disk, { PATH: '' }, tmp, parseManifest(file, fs.readFileSync(file, 'utf8')).manifest);
    const trail = resolveModule('a.b', project.resolver, disk).trail;
    assert.equal(trail.length, 1 + spelled.length, trail.join('\n'));
    assert.deepEqual(trail, notFoundTrail(run.stderr));
    assert.equal(resolveModule('present', project.resolver, disk).file, path.join(tmp, 'lib', 'present.lua'));
  });

  for (const name of ['first', 'pkg', 'onlyinit', 'resty.deep.mod', 'late', 'both']) {
    test(`'${name}' resolves to the file package.searchpath finds`, () => {
      const run = runLuajit(['-e', `io.write(assert(package.searchpath(${JSON.stringify(name)}, package.path)))`], { cwd: searchRoot, env });
      assert.equal(run.status, 0, run.stderr);
      assert.equal(rel(searchRoot, resolve(name).file)!.split(path.sep).join('/'), run.stdout);
    });
  }

  for (const [name, file] of [
    ['cmod', 'clib/cmod.so'],
    ['aio.sub', 'clib/aio.so'],
  ] as const) {
    test(`'${name}' is the C module luajit tries to load (${file})`, () => {
      // The stand-in .so is not a shared object: luajit names the file it picked when dlopen fails.
      const run = runLuajit(['-e', `require ${JSON.stringify(name)}`], { cwd: searchRoot, env });
      assert.notEqual(run.status, 0);
      assert.match(run.stderr, new RegExp(`error loading module '${name.replace('.', '\\.')}' from file '${file.replace(/\./g, '\\.')}'`));
      const r = resolve(name);
      assert.equal(r.status, 'native');
      assert.equal(rel(searchRoot, r.file)!.split(path.sep).join('/'), file);
    });
  }
});
