// What the runtime and the package manager bring: `provided` presets for an
// OpenResty release, OpenResty's install prefix in the default path, a project's
// LuaRocks tree searched like `luarocks path` sets it up (checked against the real
// luarocks), and the rockspec dependency that explains a module not found.
import { describe, test } from 'node:test';
import * as assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { checkAll } from '../../server/src/core/checks/fileChecks';
import { MemoryFileSystem } from '../../server/src/core/memoryFileSystem';
import { parseManifest } from '../../server/src/core/manifest/manifest';
import { readRockspecDependencies } from '../../server/src/core/manifest/rockspec';
import { rockModulePrefixes, rocksTreeCTemplates, rocksTreeLuaTemplates } from '../../server/src/core/resolve/luarocks';
import { createProject, LUAJIT_DEFAULT_PATH, OPENRESTY_PREFIX } from '../../server/src/core/resolve/project';
import { resolveModule } from '../../server/src/core/resolve/resolver';
import { RUNTIME_PRESETS } from '../../server/src/core/resolve/runtimePresets';
import { Workspace } from '../../server/src/core/workspace/workspace';
import { findCodeActions } from '../../server/src/features/codeActions';
import { requireCapability } from '../e2e/capability';
import { MEM_ROOT, memWorkspace } from '../helpers/core';

const mem = (files: Record<string, string>) => new MemoryFileSystem(files);

describe('provided presets', () => {
  test('@openresty-1.27.1.2 declares the lualib of that release: resty.lock, resty.core.*, ngx.*, cjson …', () => {
    const ws = memWorkspace({
      'resty-build.json': JSON.stringify({ profile: 'openresty', path: ['lib/?.lua'], embed: ['app'], provided: ['@openresty-1.27.1.2', 'ngx.custom'] }),
      'lib/app.lua': ['require "resty.lock"', 'require "resty.core.base"', 'require "ngx.ssl"', 'require "cjson.safe"', 'require "ngx.custom"', 'require "resty.http"', ''].join('\n'),
    });
    const project = ws.allProjects()[0];
    for (const name of ['resty.lock', 'resty.core.base', 'ngx.ssl', 'cjson.safe', 'resty.limit.req', 'resty.websocket.server', 'ngx.custom']) {
      assert.equal(ws.resolve(project, name).status, 'provided', name);
    }
    assert.deepEqual(project.manifest!.providedPresets, ['@openresty-1.27.1.2']);
    assert.deepEqual(
      [...checkAll(ws).values()].flat().map((f) => [f.code, f.module]),
      [['unresolved-module', 'resty.http']],
      'resty.http is not part of OpenResty',
    );
    const modules = RUNTIME_PRESETS['@openresty-1.27.1.2'].modules;
    assert.equal(new Set(modules).size, modules.length, 'each module once');
  });

  test('the preset covers what Debian packages of the same libraries install', () => {
    const installed = ['/usr/share/lua/5.1/resty', '/usr/share/lua/5.1/ngx']
      .filter((dir) => fs.existsSync(dir))
      .flatMap((dir) => fs.readdirSync(dir, { recursive: true, encoding: 'utf8' }).map((f) => path.join(dir, f)))
      .filter((f) => f.endsWith('.lua') && /\/(resty\/(core|lrucache)|ngx)\b/.test(f))
      .map((f) => path.relative('/usr/share/lua/5.1', f).replace(/\.lua$/, '').split(path.sep).join('.'));
    assert.ok(installed.length >= 30, `Debian's lua-resty-core and lua-resty-lrucache are installed (.ci/run): ${installed.length}`);
    const preset = new Set(RUNTIME_PRESETS['@openresty-1.27.1.2'].modules);
    assert.deepEqual(
      installed.filter((m) => !preset.has(m)),
      [],
    );
  });

  test('the editor offers the preset for a module OpenResty bundles, until the manifest names it', () => {
    const files = { 'resty-build.json': '{ "profile": "openresty", "path": ["lib/?.lua"], "embed": ["app"] }', 'lib/app.lua': 'return require "resty.lock"\n' };
    const diagnostic = { range: { start: { line: 0, character: 15 }, end: { line: 0, character: 27 } }, message: 'x', source: 'resty-build', code: 'unresolved-module', data: { module: 'resty.lock' } };
    const titles = (ws: Workspace) => findCodeActions(ws, path.join(MEM_ROOT, 'lib', 'app.lua'), [diagnostic]).map((a) => a.title);
    const offered = titles(memWorkspace(files));
    assert.ok(offered.includes('Declare the Lua libraries OpenResty 1.27.1.2 bundles as provided (@openresty-1.27.1.2)'), offered.join(', '));
    const withPreset = memWorkspace({ ...files, 'resty-build.json': files['resty-build.json'].replace('"embed"', '"provided": ["@openresty-1.27.1.2"], "embed"') });
    assert.ok(!titles(withPreset).some((t) => t.includes('@openresty')));
  });

  test('a module OpenResty bundles, not found, says so and how to declare it; another module does not', () => {
    const ws = memWorkspace({ 'resty-build.json': '{ "profile": "openresty", "path": ["lib/?.lua"], "embed": ["app"] }', 'lib/app.lua': 'require "resty.lock"\nrequire "resty.nothing"\nreturn {}\n' });
    const [lock, nothing] = [...checkAll(ws).values()].flat();
    assert.equal(lock.module, 'resty.lock');
    assert.equal(lock.trail!.at(-1), '(OpenResty 1.27.1.2 bundles it: if the binary is OpenResty\'s, declare it in "provided" (or "@openresty-1.27.1.2" for all it bundles); resty-build fix adds it)');
    assert.equal(nothing.module, 'resty.nothing');
    assert.doesNotMatch(nothing.message, /bundles/);
  });

  test('an unknown preset is an error at its entry, with a did-you-mean', () => {
    const text = '{ "provided": ["ngx.upstream", "@openresty-1.27.1"] }';
    const { manifest, findings } = parseManifest('/p/resty-build.json', text);
    assert.deepEqual(
      findings.map((f) => [f.code, f.range.start.character, f.message]),
      [['manifest-invalid', 31, "Unknown runtime preset '@openresty-1.27.1': the presets are @openresty-1.27.1.2. Did you mean '@openresty-1.27.1.2'?"]],
    );
    assert.deepEqual(manifest!.provided, ['ngx.upstream']);
  });
});

describe("OpenResty's install prefix", () => {
  const prefixed = (rel: string) => path.join(OPENRESTY_PREFIX, rel);

  test('when <prefix>/lualib exists, ";;" searches site/lualib then lualib before LuaJIT\'s defaults, and their .so for C modules', () => {
    const fsWith = mem({ [prefixed('lualib/resty/lrucache.lua')]: 'return {}\n', [path.join(MEM_ROOT, 'main.lua')]: '' });
    const project = createProject(fsWith, { PATH: '' }, MEM_ROOT);
    const found = resolveModule('resty.lrucache', project.resolver, fsWith);
    assert.deepEqual([found.status, found.file], ['file', prefixed('lualib/resty/lrucache.lua')]);
    const missing = resolveModule('x', project.resolver, fsWith);
    const afterInferred = missing.trail.slice(5);
    assert.deepEqual(afterInferred.slice(0, 5), [
      `no file '${prefixed('site/lualib/x.lua')}'`,
      `no file '${prefixed('site/lualib/x/init.lua')}'`,
      `no file '${prefixed('lualib/x.lua')}'`,
      `no file '${prefixed('lualib/x/init.lua')}'`,
      // LuaJIT's first default, './?.lua', is the inferred path's own first template: searched once.
      `no file '${LUAJIT_DEFAULT_PATH[1].replace('?', 'x')}'`,
    ]);
    assert.ok(missing.trail.includes(`no file '${prefixed('lualib/x.so')}'`));
  });

  test('without it, the default path is LuaJIT\'s alone', () => {
    const project = createProject(mem({ [path.join(MEM_ROOT, 'main.lua')]: '' }), { PATH: '' }, MEM_ROOT);
    assert.ok(project.resolver.lua.every((t) => !t.template.startsWith(OPENRESTY_PREFIX)));
  });
});

describe('LuaRocks', () => {
  test("a project's lua_modules tree is searched at ';;', before LuaJIT's defaults; its files are not the project's own", () => {
    const ws = memWorkspace({
      'resty-build.json': JSON.stringify({ profile: 'openresty', path: ['lib/?.lua', ';;'], embed: ['app'] }),
      'lib/app.lua': 'local path = require "pl.path"\nreturn path\n',
      'lua_modules/share/lua/5.1/pl/path.lua': 'local x = require "pl.missing"\nreturn x\n',
    });
    const project = ws.allProjects()[0];
    const r = ws.resolve(project, 'pl.path');
    assert.deepEqual([r.status, r.file, r.origin], ['file', path.join(MEM_ROOT, 'lua_modules/share/lua/5.1/pl/path.lua'), 'path']);
    assert.ok(!ws.files().some((f) => f.includes('lua_modules')), 'installed rocks are not walked as sources');
    // pl.path is not embedded (reported at app.lua); what it misses is reported there too, not inside the rocks tree.
    const findings = [...checkAll(ws).entries()].flatMap(([file, list]) => list.map((f) => [path.relative(MEM_ROOT, file), f.code, f.module ?? null]));
    assert.deepEqual(findings, [
      ['lib/app.lua', 'not-in-mapping', 'pl.path'],
      ['lib/app.lua', 'unresolved-module', 'pl.missing'],
    ]);
  });

  test('a .luarocks tree (luarocks --tree .luarocks) is searched the same way, init.lua modules too', () => {
    const ws = memWorkspace({
      'resty-build.json': JSON.stringify({ profile: 'openresty', path: ['lib/?.lua', ';;'], embed: ['app'] }),
      'lib/app.lua': 'local inspect = require "inspect"\nreturn inspect\n',
      '.luarocks/share/lua/5.1/inspect/init.lua': 'return {}\n',
    });
    const r = ws.resolve(ws.allProjects()[0], 'inspect');
    assert.deepEqual([r.status, r.file], ['file', path.join(MEM_ROOT, '.luarocks/share/lua/5.1/inspect/init.lua')]);
    assert.deepEqual(ws.files(), [path.join(MEM_ROOT, 'lib/app.lua')]);
  });

  test('the tree templates are those `luarocks path` prints for the tree', (t) => {
    const which = spawnSync('luarocks', ['--version'], { encoding: 'utf8' });
    if (!requireCapability(t, 'luarocks', which.status === 0 ? undefined : 'luarocks is not installed: apt-get install luarocks (.ci/run does)')) {
      return;
    }
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'resty-rocks-'));
    t.after(() => fs.rmSync(dir, { recursive: true, force: true }));
    const tree = path.join(dir, 'lua_modules');
    fs.mkdirSync(tree);
    const ask = (flag: string) => {
      const run = spawnSync('luarocks', ['--tree', tree, '--lua-version', '5.1', 'path', flag], { encoding: 'utf8', cwd: dir, env: { PATH: process.env.PATH, HOME: dir } });
      assert.equal(run.status, 0, run.stderr);
      return run.stdout.trim().split(';');
    };
    assert.deepEqual(ask('--lr-path').slice(0, 2), rocksTreeLuaTemplates(tree));
    assert.deepEqual(ask('--lr-cpath').slice(0, 1), rocksTreeCTemplates(tree));
  });

  test("an unresolved module that a dependency of the project's rockspec provides says which rock is not installed", () => {
    const ws = memWorkspace({
      'app-1.0-1.rockspec': ['package = "app"', 'dependencies = {', '  "lua >= 5.1",', '  "penlight >= 1.9.2", -- paths', '  "lua-resty-timer ~> 1",', '}', 'build = { type = "builtin", modules = { app = "app.lua" } }', ''].join('\n'),
      'main.lua': 'require "pl.pretty"\nrequire "resty.timer"\nrequire "other.mod"\n',
    });
    const [pretty, timer, other] = [...checkAll(ws).values()].flat();
    assert.match(pretty.message, /\n\t\(the rock 'penlight', a dependency in app-1\.0-1\.rockspec, provides it but is not installed where the loaders look: luarocks install --tree lua_modules --only-deps app-1\.0-1\.rockspec\)$/);
    assert.equal(pretty.trail!.at(-1), "(the rock 'penlight', a dependency in app-1.0-1.rockspec, provides it but is not installed where the loaders look: luarocks install --tree lua_modules --only-deps app-1.0-1.rockspec)");
    assert.match(timer.message, /the rock 'lua-resty-timer'/);
    assert.doesNotMatch(other.message, /rock/);
  });

  test('rockspec dependencies and the modules a rock is taken to provide', () => {
    assert.deepEqual(readRockspecDependencies('dependencies = { "LuaSocket", [[lpeg >= 1]], { "nested" }, "lua ~> 5.1" }\nother = { "x" }'), ['luasocket', 'lpeg']);
    assert.deepEqual(readRockspecDependencies('-- dependencies = { "commented" }\nlocal s = "dependencies = { \\"quoted\\" }"'), []);
    assert.deepEqual(rockModulePrefixes('penlight'), ['pl']);
    assert.deepEqual(rockModulePrefixes('lua-resty-worker-events'), ['resty.worker.events', 'resty.worker-events', 'resty.worker_events']);
    assert.deepEqual(rockModulePrefixes('lua-resty-jit-uuid'), ['resty.jit.uuid', 'resty.jit-uuid', 'resty.jit_uuid']);
    assert.deepEqual(rockModulePrefixes('inspect'), ['inspect']);
  });

  test('a rocks tree on disk: the walk skips lua_modules like node_modules', () => {
    const ws = new Workspace(mem({ [path.join(MEM_ROOT, 'lua_modules', 'x.lua')]: 'return 1\n', [path.join(MEM_ROOT, 'a.lua')]: 'return 1\n' }), { roots: [MEM_ROOT], env: { PATH: '' } });
    assert.deepEqual(ws.files(), [path.join(MEM_ROOT, 'a.lua')]);
  });
});
