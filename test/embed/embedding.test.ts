import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { test } from 'node:test';
import { checkAll, checkFile } from '../../server/src/core/checks/fileChecks';
import { NodeFileSystem } from '../../server/src/core/nodeFileSystem';
import { buildModuleMap, formatModuleMapMarkdown, formatModuleMapText } from '../../server/src/core/embed/moduleMap';
import { compileNaming, flatFileName, loaderSymbol, symbolForModule } from '../../server/src/core/embed/mapping';
import { Workspace } from '../../server/src/core/workspace/workspace';
import { findCodeActions } from '../../server/src/features/codeActions';
import { requireCapability } from '../e2e/capability';
import { MEM_ROOT, memWorkspace } from '../helpers/core';
import { runLuajit } from '../helpers/luajit';
import { tempDirFor, writeTree } from '../helpers/paths';

const fixtures = path.join(__dirname, '..', 'fixtures');

/** [file, line, column, endColumn, severity, code, module], 1-based like the CLI. */
type Row = [string, number, number, number, string, string, string | null];

function findings(dir: string): Row[] {
  const ws = new Workspace(new NodeFileSystem(), { roots: [dir], env: {} });
  return [...checkAll(ws).values()]
    .flat()
    .map((f): Row => [
      path.relative(dir, f.file),
      f.range.start.line + 1,
      f.range.start.character + 1,
      f.range.end.character + 1,
      f.severity,
      f.code,
      f.module ?? null,
    ])
    .sort((a, b) => a[0].localeCompare(b[0]) || a[1] - b[1] || a[2] - b[2]);
}

test('a project whose closure is fully embedded yields no findings', () => {
  assert.deepEqual(findings(path.join(fixtures, 'embed-clean')), []);
});

test('every embedding problem is reported with its exact code, severity and range', () => {
  const main = path.join('lib', 'app', 'main.lua');
  assert.deepEqual(findings(path.join(fixtures, 'embed-problems')), [
    [main, 1, 22, 32, 'error', 'not-in-mapping', 'app.util'],
    [main, 2, 32, 46, 'warning', 'not-in-mapping', 'app.optional'],
    [main, 3, 22, 32, 'error', 'unresolved-module', 'app.gone'],
    [main, 4, 21, 30, 'warning', 'dynamic-require', null],
    [main, 5, 23, 30, 'error', 'native-module', 'cjson'],
    [main, 6, 24, 33, 'error', 'not-in-mapping', 'foo-bar'],
    [main, 8, 24, 31, 'warning', 'native-module', null],
    [main, 10, 26, 37, 'error', 'hyphen-name', 'trailing-'],
    [path.join('lib', 'app', 'newer.lua'), 3, 12, 13, 'error', 'luajit-syntax', null],
    ['resty-build.json', 8, 5, 15, 'warning', 'duplicate-mapping', 'app.main'],
    ['resty-build.json', 9, 5, 12, 'error', 'symbol-collision', 'a.b_c'],
    ['resty-build.json', 10, 5, 12, 'error', 'symbol-collision', 'a_b.c'],
    ['resty-build.json', 11, 5, 64, 'info', 'mapping-name-mismatch', 'app.vendored'],
    ['resty-build.json', 12, 5, 58, 'error', 'mapping-file-missing', 'app.nofile'],
    ['resty-build.json', 13, 5, 13, 'error', 'symbol-collision', 'my-mod'],
    ['resty-build.json', 14, 5, 16, 'error', 'symbol-collision', 'other-mod'],
  ]);
});

test("the module map shows a source in a folder named '..x' relative to the project, one outside it absolute", () => {
  const ws = memWorkspace({
    'resty-build.json': JSON.stringify({ profile: 'openresty', path: ['..x/?.lua', '../shared/?.lua'], embed: ['gen', 'dep'] }),
    '..x/gen.lua': 'return 1\n',
    '../shared/dep.lua': 'return 2\n',
  });
  const rows = buildModuleMap(ws.embedding(ws.allProjects()[0])!);
  const sources = formatModuleMapText(MEM_ROOT, rows)
    .split('\n')
    .filter((l) => /^(gen|dep) /.test(l))
    .map((l) => l.split(/\s+/).at(-1));
  assert.deepEqual(sources, ['..x/gen.lua', path.resolve(MEM_ROOT, '..', 'shared', 'dep.lua')]);
});

test('a system library loaded through ffi is not reported', () => {
  const rows = findings(path.join(fixtures, 'embed-problems'));
  assert.equal(rows.filter((r) => r[1] === 9 && r[0].endsWith('main.lua')).length, 0);
});

test('the module map lists mapping entries, then what the closure reaches', () => {
  const dir = path.join(fixtures, 'embed-problems');
  const ws = new Workspace(new NodeFileSystem(), { roots: [dir], env: {} });
  const project = ws.allProjects()[0];
  const rows = buildModuleMap(ws.embedding(project)!, (f) => checkFile(ws, f));
  const status = Object.fromEntries(rows.map((r) => [r.module, r.status]));
  assert.deepEqual(status, {
    'app.main': 'embedded',
    'a.b_c': 'error',
    'a_b.c': 'error',
    'app.vendored': 'embedded',
    'app.nofile': 'error',
    'my-mod': 'error',
    'other-mod': 'error',
    'app.newer': 'error',
    'app.gone': 'unresolved',
    'app.optional': 'not-in-mapping',
    'app.util': 'not-in-mapping',
    cjson: 'native',
    ffi: 'builtin',
    'foo-bar': 'not-in-mapping',
    'trailing-': 'hyphen-name',
  });
  // A hyphenated module is listed under the symbol the loader looks up, not the one -n would write.
  assert.equal(rows.find((r) => r.module === 'my-mod')!.symbol, 'luaJIT_BC_mod');
  assert.equal(rows.find((r) => r.module === 'foo-bar')!.symbol, 'luaJIT_BC_bar');
  const main = rows.find((r) => r.module === 'app.main')!;
  assert.equal(main.flatName, 'app_main.lua');
  assert.equal(main.symbol, 'luaJIT_BC_app_main');
  assert.equal(main.object, path.join(dir, 'build', 'bytecode', 'app_main.o'));
  assert.equal(main.origin, 'workspace');
  // A module reached by the closure but not embedded: its origin too (inside the project).
  assert.equal(rows.find((r) => r.module === 'app.util')!.origin, 'workspace');
});

const luaRestyCore = '/usr/share/lua/5.1/resty/core.lua';
const RESTY_CORE_CLOSURE = [
  'resty.core.base',
  'resty.core.base64',
  'resty.core.coroutine',
  'resty.core.ctx',
  'resty.core.exit',
  'resty.core.hash',
  'resty.core.misc',
  'resty.core.ndk',
  'resty.core.param',
  'resty.core.phase',
  'resty.core.regex',
  'resty.core.request',
  'resty.core.response',
  'resty.core.shdict',
  'resty.core.socket',
  'resty.core.time',
  'resty.core.uri',
  'resty.core.utils',
  'resty.core.var',
  'resty.core.worker',
  'resty.lrucache',
];

function restyCoreProject(embed: string[]): string {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'resty-core-'));
  fs.writeFileSync(path.join(dir, 'resty-build.json'), JSON.stringify({ profile: 'openresty', path: ['/usr/share/lua/5.1/?.lua'], embed }));
  return dir;
}

test("Debian's lua-resty-core: with only resty.core embedded, exactly its closure is not-in-mapping, reported at the embed entry", (t) => {
  if (!fs.existsSync(luaRestyCore)) {
    assert.fail(`${luaRestyCore} is missing: apt-get install lua-resty-core lua-resty-lrucache (.ci/run does)`);
  }
  const dir = restyCoreProject(['resty.core']);
  t.after(() => fs.rmSync(dir, { recursive: true, force: true }));
  // The requires that miss are in /usr/share/lua/5.1, which the user does not own: one finding at the
  // entry point that reaches them (the manifest's "resty.core"), each site as related information.
  assert.deepEqual(findings(dir), [['resty-build.json', 1, 69, 81, 'error', 'not-in-mapping', null]]);
  const ws = new Workspace(new NodeFileSystem(), { roots: [dir], env: {} });
  const [finding] = [...checkAll(ws).values()].flat();
  assert.match(finding.message, /^21 not-in-mapping findings in files outside the project, reached through the embed entry 'resty\.core':\n\t\/usr\/share\/lua\/5\.1\/resty\/core\.lua:\d+: 'resty\.core\./);
  assert.ok(finding.related!.every((r) => r.file.startsWith('/usr/share/lua/5.1/resty/')));
  const named = new Set(finding.related!.map((r) => /'([^']+)'/.exec(r.message)![1]));
  assert.deepEqual([...named].sort(), RESTY_CORE_CLOSURE);
  // Its quick fix (preferred: the finding names no single module) adds them all to embed.
  const diagnostic = { range: finding.range, message: finding.message, source: 'resty-build', code: finding.code };
  const [addAll] = findCodeActions(ws, finding.file, [diagnostic]);
  assert.deepEqual([addAll.title, addAll.isPreferred], [`Add all ${RESTY_CORE_CLOSURE.length} modules missing from the closure to embed`, true]);
});

test("Debian's lua-resty-core: with the whole closure embedded, nothing is reported", (t) => {
  const dir = restyCoreProject(['resty.core', ...RESTY_CORE_CLOSURE]);
  t.after(() => fs.rmSync(dir, { recursive: true, force: true }));
  assert.deepEqual(findings(dir), []);
});

test("Debian's lua-cjson: require \"cjson\" is the C module LuaJIT's default cpath finds, a native-module error in the closure", (t) => {
  // The judge is plain luajit: where its default package.cpath finds cjson (Debian: /usr/lib/<triplet>/lua/5.1/cjson.so).
  const searched = runLuajit(['-e', 'io.write(package.searchpath("cjson", package.cpath) or "")']);
  assert.equal(searched.status, 0, searched.stderr);
  const cjsonSo = searched.stdout;
  const missing = cjsonSo === '' ? "luajit's default cpath finds no cjson: apt-get install lua-cjson (.ci/run does)" : undefined;
  if (!requireCapability(t, 'lua-cjson', missing)) {
    return;
  }
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'resty-cjson-'));
  t.after(() => fs.rmSync(dir, { recursive: true, force: true }));
  // No "cpath" in the manifest: LuaJIT's defaults apply, as in an OpenResty image.
  fs.writeFileSync(path.join(dir, 'resty-build.json'), JSON.stringify({ profile: 'openresty', path: ['lib/?.lua'], embed: ['app'] }));
  fs.mkdirSync(path.join(dir, 'lib'));
  fs.writeFileSync(path.join(dir, 'lib', 'app.lua'), 'local cjson = require "cjson"\nreturn cjson\n');
  assert.deepEqual(findings(dir), [[path.join('lib', 'app.lua'), 1, 23, 30, 'error', 'native-module', 'cjson']]);
  const ws = new Workspace(new NodeFileSystem(), { roots: [dir], env: {} });
  const project = ws.allProjects()[0];
  const resolved = ws.resolve(project, 'cjson');
  assert.deepEqual([resolved.status, resolved.file], ['native', cjsonSo]);
  const row = buildModuleMap(ws.embedding(project)!, (f) => checkFile(ws, f)).find((r) => r.module === 'cjson');
  assert.deepEqual([row?.status, row?.file], ['native', cjsonSo]);
});

/** Reads the defined symbols of an object file with binutils' nm. */
function nmSymbols(object: string): string[] {
  const result = spawnSync('nm', ['--defined-only', object], { encoding: 'utf8' });
  assert.equal(result.status, 0, result.stderr);
  return result.stdout
    .split('\n')
    .filter(Boolean)
    .map((line) => line.trim().split(/\s+/).pop()!);
}

test('the map symbol equals what luajit -bg -n writes, for every name shape', (t) => {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'resty-sym-'));
  t.after(() => fs.rmSync(dir, { recursive: true, force: true }));
  const source = path.join(dir, 'm.lua');
  fs.writeFileSync(source, 'return 1\n');
  for (const name of ['resty.upstream.healthcheck', 'resty.core', 'a_b.c', 'foo-bar', 'x', 'ngx.ssl.session']) {
    const object = path.join(dir, `${name}.o`);
    const result = spawnSync('luajit', ['-bg', '-n', name, '-t', 'o', source, object], { encoding: 'utf8' });
    assert.equal(result.status, 0, `luajit failed for ${name}: ${result.stderr}`);
    assert.deepEqual(nmSymbols(object), [symbolForModule(name)], name);
  }
});

test('a hyphenated name is looked up under the part after its first hyphen, later hyphens kept', () => {
  assert.equal(loaderSymbol('foo-bar'), 'luaJIT_BC_bar');
  assert.equal(loaderSymbol('a.b-c.d'), 'luaJIT_BC_c_d');
  assert.equal(loaderSymbol('resty.jit-uuid'), 'luaJIT_BC_uuid');
  assert.equal(loaderSymbol('app.limit-count.sliding-window'), 'luaJIT_BC_count_sliding-window');
  assert.equal(loaderSymbol('plain.name'), 'luaJIT_BC_plain_name');
  assert.deepEqual(compileNaming('resty.jit-uuid'), { name: 'uuid', compiledSymbol: 'luaJIT_BC_uuid', symbol: 'luaJIT_BC_uuid' });
  assert.deepEqual(compileNaming('app.limit-count.sliding-window'), {
    name: 'count.sliding-window',
    compiledSymbol: 'luaJIT_BC_count_sliding_window',
    symbol: 'luaJIT_BC_count_sliding-window',
  });
  assert.equal(flatFileName('resty.jit-uuid'), 'uuid.lua');
});

test('mapping-name-mismatch: the file name it suggests gives the loader symbol without -n; where a later - stays it asks for the rename instead', (t) => {
  const tmp = tempDirFor(t);
  writeTree(tmp, {
    'vendor/u.lua': 'return 1\n',
    'vendor/sw.lua': 'return 1\n',
    'resty-build.json': JSON.stringify({
      profile: 'openresty',
      path: ['lib/?.lua'],
      embed: [
        { module: 'resty.jit-uuid', file: 'vendor/u.lua' },
        { module: 'app.limit-count.sliding-window', file: 'vendor/sw.lua' },
      ],
    }),
  });
  const ws = new Workspace(new NodeFileSystem(), { roots: [tmp], env: {} });
  const messages = Object.fromEntries([...checkAll(ws).values()].flat().filter((f) => f.code === 'mapping-name-mismatch').map((f) => [f.module, f.message]));
  assert.deepEqual(Object.keys(messages).sort(), ['app.limit-count.sliding-window', 'resty.jit-uuid']);

  const suggested = /or name the file ([^)]+)\)/.exec(messages['resty.jit-uuid'])?.[1];
  assert.equal(suggested, 'uuid.lua');
  const renamed = path.join(tmp, suggested);
  fs.copyFileSync(path.join(tmp, 'vendor', 'u.lua'), renamed);
  const object = path.join(tmp, 'uuid.o');
  assert.equal(runLuajit(['-b', renamed, object]).status, 0);
  assert.deepEqual(nmSymbols(object), [loaderSymbol('resty.jit-uuid')]);

  // No file name gives luaJIT_BC_count_sliding-window: luajit writes '_' for its '-'.
  const window = messages['app.limit-count.sliding-window'];
  assert.doesNotMatch(window, /name the file/);
  assert.match(window, /passes -n count\.sliding-window and renames the luaJIT_BC_count_sliding_window luajit writes to luaJIT_BC_count_sliding-window \(objcopy --redefine-sym\)/);
  fs.copyFileSync(path.join(tmp, 'vendor', 'sw.lua'), path.join(tmp, 'count_sliding-window.lua'));
  const plain = path.join(tmp, 'window.o');
  assert.equal(runLuajit(['-b', path.join(tmp, 'count_sliding-window.lua'), plain]).status, 0);
  assert.deepEqual(nmSymbols(plain), ['luaJIT_BC_count_sliding_window']);
});

test("the module map's problems are one line each, at the first site that names the module, without the search trail", () => {
  const ws = memWorkspace({
    'resty-build.json': JSON.stringify({ profile: 'openresty', path: ['lib/?.lua'], embed: ['app'] }),
    'lib/app.lua': 'local x = 1\nlocal gone = require "app.gone"\nlocal dep = require "app.dep"\nreturn x\n',
    'lib/app/dep.lua': 'return 2\n',
  });
  const rows = buildModuleMap(ws.embedding(ws.allProjects()[0])!);
  // After the table, a blank line, then the problems.
  const problems = (text: string) => text.split('\n\n').at(-1)!.split('\n');
  assert.deepEqual(problems(formatModuleMapText(MEM_ROOT, rows)), [
    `app.dep: not-in-mapping at lib/app.lua:3:21: 'app.dep' is required here but not embedded: the nginx binary will say "module 'app.dep' not found". Add it to "embed" in resty-build.json.`,
    "app.gone: unresolved-module at lib/app.lua:2:22: module 'app.gone' not found (part of the embed closure)",
  ]);
  assert.equal(problems(formatModuleMapMarkdown(MEM_ROOT, rows)).at(-1), "- `app.gone`: unresolved-module at lib/app.lua:2:22: module 'app.gone' not found (part of the embed closure)");
  // The JSON keeps the whole message (the trail too) and says where, as check does.
  const gone = rows.find((r) => r.module === 'app.gone')!.reasons[0];
  assert.deepEqual({ ...gone, message: gone.message.split('\n')[1] }, {
    code: 'unresolved-module',
    message: "\tno field package.preload['app.gone']",
    file: path.join(MEM_ROOT, 'lib', 'app.lua'),
    line: 2,
    column: 22,
  });
});
