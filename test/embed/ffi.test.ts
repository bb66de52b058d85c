import assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { test } from 'node:test';
import { checkAll } from '../../server/src/core/checks/fileChecks';
import { undefinedSymbolFindings } from '../../server/src/core/embed/ffi';
import { NodeFileSystem } from '../../server/src/core/nodeFileSystem';
import { scanFfi } from '../../server/src/core/lua/ffiScan';
import { LineIndex } from '../../server/src/core/types';
import { Workspace } from '../../server/src/core/workspace/workspace';
import { brief, MEM_ROOT, memWorkspace, rangeOn } from '../helpers/core';
import { tempDirFor, writeTree } from '../helpers/paths';

const fixtures = path.join(__dirname, '..', 'fixtures');

test('check: ffi.C reads no cdef of the closure declares are errors at load time and warnings in functions', () => {
  const dir = path.join(fixtures, 'ffi-declarations');
  const ws = new Workspace(new NodeFileSystem(), { roots: [dir], env: {} });
  const file = path.join(dir, 'lib', 'app', 'native.lua');
  const source = fs.readFileSync(file, 'utf8');
  const findings = checkAll(ws).get(file) ?? [];
  assert.deepEqual(findings.map(brief), [
    { code: 'ffi-missing-declaration', severity: 'error', range: rangeOn(source, 11, 'app_not_declared_at_load') },
    { code: 'ffi-missing-declaration', severity: 'warning', range: rangeOn(source, 16, 'app_not_declared_in_function') },
  ]);
  assert.match(findings[0].message, /missing declaration for symbol 'app_not_declared_at_load'.*the module fails to load/);
  assert.match(findings[1].message, /when _M\.uptime runs/);
  assert.deepEqual(checkAll(ws).get(path.join(dir, 'lib', 'app', 'decls.lua')) ?? [], []);
});

test('check: an edit that adds the missing cdef in another module clears the finding', () => {
  const dir = path.join(fixtures, 'ffi-declarations');
  const ws = new Workspace(new NodeFileSystem(), { roots: [dir], env: {} });
  const native = path.join(dir, 'lib', 'app', 'native.lua');
  const decls = path.join(dir, 'lib', 'app', 'decls.lua');
  assert.equal(ws.closureState().byFile.get(native)?.length, 2);
  ws.setDocument(decls, fs.readFileSync(decls, 'utf8').replace('int getpid(void);', 'int getpid(void);\nint app_not_declared_at_load;\nint app_not_declared_in_function(void);'));
  assert.deepEqual(ws.closureState().byFile.get(native) ?? [], []);
});

test("Debian's lua-resty-core: every ffi.C read is declared in its closure", () => {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'rb-ffi-'));
  try {
    fs.writeFileSync(path.join(dir, 'resty-build.json'), JSON.stringify({ profile: 'openresty', path: ['/usr/share/lua/5.1/?.lua'], embed: ['resty.core', 'ngx.ssl', 'ngx.pipe', 'ngx.process', 'ngx.re'] }));
    const ws = new Workspace(new NodeFileSystem(), { roots: [dir], env: {} });
    const all = [...checkAll(ws).values()].flat();
    assert.deepEqual(all.filter((f) => f.code.startsWith('ffi-')), []);
    const closure = ws.embedding(ws.allProjects()[0])!.closure;
    assert.ok(closure.ffiFiles().reduce((n, f) => n + f.ffi.uses.length, 0) > 100, 'lua-resty-core reads well over 100 C functions');
  } finally {
    fs.rmSync(dir, { recursive: true, force: true });
  }
});

test('audit: declared reads nothing exports are errors at load, warnings in functions; guarded, other-branch and constant reads are not', () => {
  const text = `local ffi = require "ffi"
local C = ffi.C
local subsystem = ngx.config.subsystem
ffi.cdef[[
int present(void);
int absent_at_load(void);
int absent_in_function(void);
int absent_in_stream(void);
int absent_probe(void);
enum { A_CONSTANT = 1 };
]]
local p = C.present
local a = C.absent_at_load
local k = C.A_CONSTANT
local function ssl_thing() return C.absent_in_function() end
if subsystem == "stream" then local s = C.absent_in_stream end
pcall(function () return C.absent_probe end)
`;
  const facts = scanFfi(text);
  const lines = new LineIndex(text);
  const findings = undefinedSymbolFindings({
    files: [{ file: '/x/mod.lua', ffi: facts, toFile: (s, e) => lines.range(s, e) }],
    env: { subsystems: ['http'], os: 'Linux' },
    owner: (symbol) => (symbol === 'present' ? '/usr/sbin/nginx' : undefined),
    likelyCause: () => 'Likely cause: a test.',
    binary: '/usr/sbin/nginx',
  });
  assert.deepEqual(findings.map(brief), [
    { code: 'ffi-undefined-symbol', severity: 'error', range: rangeOn(text, 12, 'absent_at_load') },
    { code: 'ffi-undefined-symbol', severity: 'warning', range: rangeOn(text, 14, 'absent_in_function') },
  ]);
  assert.match(findings[0].message, /undefined symbol: absent_at_load" when the module loads, so the module fails to load\. Likely cause: a test\./);
  assert.match(findings[1].message, /when ssl_thing runs, so that function fails/);
});

test('check: edits of a closure module keep, clear and add ffi.C findings as its FFI text changes', () => {
  const ws = memWorkspace({
    'resty-build.json': JSON.stringify({ profile: 'openresty', path: ['lib/?.lua'], embed: ['app.native', 'app.plain'] }),
    'lib/app/native.lua': 'local ffi = require "ffi"\nrequire "app.plain"\nlocal f = ffi.C.app_undeclared\nreturn {}\n',
    'lib/app/plain.lua': 'return {}\n',
  });
  const native = path.join(MEM_ROOT, 'lib', 'app', 'native.lua');
  const plain = path.join(MEM_ROOT, 'lib', 'app', 'plain.lua');
  const codes = (file: string) => (ws.closureState().byFile.get(file) ?? []).map((f) => f.code);
  assert.deepEqual(codes(native), ['ffi-missing-declaration']);
  // No FFI before or after: the closure is patched and its FFI findings stand.
  ws.setDocument(plain, 'local x = 1\nreturn {}\n');
  assert.deepEqual(codes(native), ['ffi-missing-declaration']);
  // A cdef appears in the edited module: the declaration now exists for the whole closure.
  ws.setDocument(plain, 'local ffi = require "ffi"\nffi.cdef[[int app_undeclared(void);]]\nreturn {}\n');
  assert.deepEqual(codes(native), []);
  // The edited module reads an undeclared symbol itself, and the cdef is gone again.
  ws.setDocument(plain, 'local ffi = require "ffi"\nlocal g = ffi.C.app_other\nreturn {}\n');
  assert.deepEqual(codes(native), ['ffi-missing-declaration']);
  assert.deepEqual(codes(plain), ['ffi-missing-declaration']);
});

test('check: in the openresty profile, what resty.core (loaded at VM start) and the modules it requires declare is declared for the closure', () => {
  const files = {
    'resty-build.json': JSON.stringify({ profile: 'openresty', path: ['lib/?.lua'], embed: ['app'] }),
    'lib/app.lua': 'local C = require("ffi").C\nlocal _M = {}\nfunction _M.free(p) C.free(p) end\nfunction _M.other() return C.app_nowhere() end\nreturn _M\n',
    'lib/resty/core.lua': 'require "resty.core.shdict"\nreturn {}\n',
    'lib/resty/core/shdict.lua': 'local ffi = require "ffi"\nffi.cdef[[\nvoid free(void *ptr);\n]]\nlocal x = ffi.C.core_reads_this_undeclared\nreturn {}\n',
  };
  const app = path.join(MEM_ROOT, 'lib', 'app.lua');
  const undeclared = (ws: Workspace) =>
    (ws.closureState().byFile.get(app) ?? []).filter((f) => f.code === 'ffi-missing-declaration').map((f) => f.message.match(/ffi\.C\.(\w+)/)![1]);
  assert.deepEqual(undeclared(memWorkspace(files)), ['app_nowhere']);
  // resty.core's own reads are not the closure's: nothing is reported in its files.
  assert.deepEqual([...memWorkspace(files).closureState().byFile.keys()], [app]);
  // No resty.core on the path: nothing is assumed declared.
  const { 'lib/resty/core.lua': _core, ...withoutCore } = files;
  assert.deepEqual(undeclared(memWorkspace(withoutCore)), ['free', 'app_nowhere']);
  // A luakit build runs no resty.core.
  assert.deepEqual(undeclared(memWorkspace({ ...files, 'resty-build.json': JSON.stringify({ profile: 'luakit', path: ['lib/?.lua'], embed: ['app'] }) })), [
    'free',
    'app_nowhere',
  ]);
});

test("check: C.free in a function is declared by Debian's lua-resty-core, which OpenResty loads first (lua-resty-radixtree's _M.free)", (t) => {
  const dir = tempDirFor(t);
  writeTree(dir, {
    'resty-build.json': JSON.stringify({ profile: 'openresty', path: ['lib/?.lua', ';;'], embed: ['app'] }),
    'lib/app.lua': 'local C = require("ffi").C\nlocal _M = {}\nfunction _M.free(it) C.free(it) end\nreturn _M\n',
  });
  const ws = new Workspace(new NodeFileSystem(), { roots: [dir], env: {} });
  assert.deepEqual([...checkAll(ws).values()].flat().filter((f) => f.code.startsWith('ffi-')), []);
  assert.ok(ws.embedding(ws.allProjects()[0])!.closure.runtimeFfi().some((f) => f.file === '/usr/share/lua/5.1/resty/core/shdict.lua'));
});
