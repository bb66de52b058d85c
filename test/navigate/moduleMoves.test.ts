// Moving a module: the edits that keep every literal require (each in its own
// form) and the manifest's embed entries (with their comments) pointing at the
// moved file, computed on in-memory trees; moves that leave the search path or
// collide with another module are refused with the reason.
import { describe, test } from 'node:test';
import * as assert from 'node:assert/strict';
import * as path from 'node:path';
import { planModuleMoves, TextChange } from '../../server/src/core/navigate/moduleMoves';
import { LineIndex } from '../../server/src/core/types';
import { MEM_ROOT } from '../helpers/core';
import { navWorkspace } from '../helpers/nav';

const MANIFEST = `{
  // The gateway: what goes into the binary.
  "profile": "openresty",
  "path": ["lib/?.lua", "lib/?/init.lua"],
  "embed": [
    "app.cache", // the shared cache
    "app.handler",
    { "module": "vendored.cache", "file": "./lib/app/cache.lua" }
  ]
}
`;

const MAIN = [
  'local a = require "app.cache"',
  "local b = require('app.cache')",
  'local c = require [[app.cache]]',
  'local ok, d = pcall(require, "app.cache")',
  'local get = require("app.cache").get',
  'local h = require "app.handler"',
  'local other = require "app.cached"',
  '',
].join('\n');

const files = () => ({
  'resty-build.json': MANIFEST,
  'main.lua': MAIN,
  'lib/app/cache.lua': 'local _M = {}\nfunction _M.get(k) end\nreturn _M\n',
  'lib/app/cached.lua': 'return {}\n',
  'lib/app/handler.lua': 'local cache = require "app.cache"\nreturn {}\n',
  'conf/nginx.conf': 'http {\n    init_by_lua_block {\n        require("app.cache").get("x")\n    }\n}\n',
});

const abs = (rel: string) => path.join(MEM_ROOT, rel);

/** The texts after applying a plan's edits, by relative path (only the edited files). */
function applied(read: (file: string) => string | undefined, edits: Map<string, TextChange[]>): Record<string, string> {
  const out: Record<string, string> = {};
  for (const [file, changes] of edits) {
    const text = read(file) ?? '';
    const lines = new LineIndex(text);
    let result = text;
    for (const c of [...changes].sort((x, y) => lines.offset(y.range.start) - lines.offset(x.range.start))) {
      result = result.slice(0, lines.offset(c.range.start)) + c.newText + result.slice(lines.offset(c.range.end));
    }
    out[path.relative(MEM_ROOT, file)] = result;
  }
  return out;
}

describe('moving a module rewrites its requires and embed entries', () => {
  test('a file: every require form keeps its quotes and call style; the manifest keeps its comments', () => {
    const n = navWorkspace(files());
    const plan = planModuleMoves(n.ws, [{ from: abs('lib/app/cache.lua'), to: abs('lib/app/store.lua') }]);
    assert.equal(plan.refusal, undefined);
    const after = applied((f) => n.ws.readText(f), plan.edits);
    assert.deepEqual(Object.keys(after).sort(), ['conf/nginx.conf', 'lib/app/handler.lua', 'main.lua', 'resty-build.json']);
    assert.equal(after['main.lua'], MAIN.replace(/app\.cache(?!d)/g, 'app.store'));
    assert.match(after['main.lua'], /^local c = require \[\[app\.store\]\]$/m);
    assert.match(after['main.lua'], /^local ok, d = pcall\(require, "app\.store"\)$/m);
    assert.equal(after['lib/app/handler.lua'], 'local cache = require "app.store"\nreturn {}\n');
    assert.equal(after['conf/nginx.conf'], 'http {\n    init_by_lua_block {\n        require("app.store").get("x")\n    }\n}\n');
    assert.equal(after['resty-build.json'], MANIFEST.replace('"app.cache", // the shared cache', '"app.store", // the shared cache').replace('"./lib/app/cache.lua"', '"./lib/app/store.lua"'));
  });

  test('a folder: every module under it, including an init.lua module and requires inside the folder', () => {
    const tree = { ...files(), 'lib/app/cache/init.lua': 'return {}\n' };
    delete (tree as Record<string, string>)['lib/app/cache.lua'];
    const n = navWorkspace(tree);
    const plan = planModuleMoves(n.ws, [{ from: abs('lib/app'), to: abs('lib/web') }]);
    assert.equal(plan.refusal, undefined);
    const after = applied((f) => n.ws.readText(f), plan.edits);
    assert.equal(after['main.lua'], MAIN.replace(/app\.cache/g, 'web.cache').replace('app.handler', 'web.handler'));
    assert.equal(after['lib/app/handler.lua'], 'local cache = require "web.cache"\nreturn {}\n', 'edited at its old path: the edit applies before the move');
    assert.match(after['resty-build.json'], /"web\.cache", \/\/ the shared cache\n {4}"web\.handler",/);
  });

  test('the same template keeps naming: a ./?.lua name stays one', () => {
    const n = navWorkspace({
      'resty-build.json': JSON.stringify({ profile: 'openresty', path: ['lib/?.lua', '?.lua'] }),
      'main.lua': 'local a = require "app.x"\nlocal b = require "lib.app.x"\n',
      'lib/app/x.lua': 'return {}\n',
    });
    const plan = planModuleMoves(n.ws, [{ from: abs('lib/app/x.lua'), to: abs('lib/app/y.lua') }]);
    assert.deepEqual(applied((f) => n.ws.readText(f), plan.edits), { 'main.lua': 'local a = require "app.y"\nlocal b = require "lib.app.y"\n' });
  });

  test('a move that keeps the name (a.lua to a/init.lua) changes only a file path, one of a module nothing requires nothing', () => {
    const n = navWorkspace(files());
    const plan = planModuleMoves(n.ws, [{ from: abs('lib/app/cache.lua'), to: abs('lib/app/cache/init.lua') }]);
    assert.deepEqual(applied((f) => n.ws.readText(f), plan.edits), { 'resty-build.json': MANIFEST.replace('"./lib/app/cache.lua"', '"./lib/app/cache/init.lua"') });
    const lone = navWorkspace({ ...files(), 'lib/app/lonely.lua': 'return 1\n' });
    assert.deepEqual(planModuleMoves(lone.ws, [{ from: abs('lib/app/lonely.lua'), to: abs('lib/app/alone.lua') }]), { edits: new Map() });
  });

  test('a luakit build: the build script requires libs.go from its folder', () => {
    const n = navWorkspace({ 'build.lua': 'local go = require "libs.go"\nbk.image("x")\n', 'libs/go.lua': 'return {}\n' });
    const plan = planModuleMoves(n.ws, [{ from: abs('libs/go.lua'), to: abs('libs/golang.lua') }]);
    assert.deepEqual(applied((f) => n.ws.readText(f), plan.edits), { 'build.lua': 'local go = require "libs.golang"\nbk.image("x")\n' });
  });

  test('a project moved as a whole keeps its names', () => {
    const n = navWorkspace(Object.fromEntries(Object.entries(files()).map(([k, v]) => [`gw/${k}`, v])));
    assert.deepEqual(planModuleMoves(n.ws, [{ from: abs('gw'), to: abs('gateway') }]), { edits: new Map() });
  });
});

describe('moves that cannot keep the requires working are refused', () => {
  test('out of the search path', () => {
    const n = navWorkspace(files());
    const plan = planModuleMoves(n.ws, [{ from: abs('lib/app/cache.lua'), to: abs('tools/cache.lua') }]);
    assert.equal(plan.edits.size, 0);
    assert.equal(plan.refusal, "Moving lib/app/cache.lua to tools/cache.lua takes it out of the search path: no package.path template of its project finds it there, so the requires of 'app.cache' were left as they are.");
  });

  test('a folder out of the search path, or onto a folder holding a module of the same name', () => {
    const n = navWorkspace(files());
    const out = planModuleMoves(n.ws, [{ from: abs('lib/app'), to: abs('tools/app') }]);
    assert.equal(out.edits.size, 0);
    assert.match(out.refusal ?? '', /^Moving lib\/app\/cache\.lua to tools\/app\/cache\.lua takes it out of the search path: .* \(and 2 more problems\)$/);
    const taken = navWorkspace({ ...files(), 'lib/web/cache.lua': 'return {}\n' });
    const onto = planModuleMoves(taken.ws, [{ from: abs('lib/app'), to: abs('lib/web') }]);
    assert.equal(onto.edits.size, 0);
    assert.equal(onto.refusal, "Moving lib/app/cache.lua to lib/web/cache.lua would collide with module 'web.cache' (lib/web/cache.lua): requires were left as they are.");
  });

  test('onto a name another module has', () => {
    const n = navWorkspace({ ...files(), 'lib/app/store/init.lua': 'return {}\n' });
    const plan = planModuleMoves(n.ws, [{ from: abs('lib/app/cache.lua'), to: abs('lib/app/store.lua') }]);
    assert.equal(plan.edits.size, 0);
    assert.match(plan.refusal ?? '', /^Moving lib\/app\/cache\.lua to lib\/app\/store\.lua would collide with module 'app\.store' \(lib\/app\/store\/init\.lua\)/);
  });

  test('onto a built-in module name, even when nothing requires the module', () => {
    const n = navWorkspace({ ...files(), 'lib/app/lonely.lua': 'return 1\n' });
    const plan = planModuleMoves(n.ws, [{ from: abs('lib/app/lonely.lua'), to: abs('lib/ffi.lua') }]);
    assert.equal(plan.edits.size, 0);
    assert.equal(plan.refusal, "Moving lib/app/lonely.lua to lib/ffi.lua would collide with module 'ffi' (built into the runtime): requires were left as they are.");
  });

  test('behind a file an earlier template finds first', () => {
    const n = navWorkspace({
      'resty-build.json': JSON.stringify({ profile: 'openresty', path: ['src/?.lua', 'lib/?.lua'] }),
      'main.lua': 'local a = require "a"\n',
      'lib/a.lua': 'return {}\n',
      'src/b.lua': 'return {}\n',
    });
    const plan = planModuleMoves(n.ws, [{ from: abs('lib/a.lua'), to: abs('lib/b.lua') }]);
    assert.equal(plan.edits.size, 0);
    assert.match(plan.refusal ?? '', /would collide with module 'b' \(src\/b\.lua\)/);
  });
});
