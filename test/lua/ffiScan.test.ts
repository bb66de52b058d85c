import assert from 'node:assert/strict';
import { test } from 'node:test';
import { missingDeclarationFindings } from '../../server/src/core/embed/ffi';
import { parseCdef } from '../../server/src/core/lua/cdef';
import { canRun } from '../../server/src/core/lua/ffiEnvironment';
import { scanFfi } from '../../server/src/core/lua/ffiScan';
import { analyzeLua } from '../../server/src/core/lua/luaFile';
import { LineIndex } from '../../server/src/core/types';
import { brief, rangeOn } from '../helpers/core';

test('cdef: functions, variables, constants; types, comments and preprocessor lines declare nothing', () => {
  const names = parseCdef(`
    typedef struct { int len; const unsigned char *data; } ngx_str_t;  /* int hidden(void); */
    // int also_hidden(void);
    #define NOT_A_NAME 1
    const char *ngx_http_lua_ffi_pcre_version(void);
    size_t ngx_http_lua_ffi_shdict_free_space(void *zone);
    ngx_str_t *get_name(void), *other_name(int);
    int (*callback)(void);
    extern int errno;
    static const int FLAG = 4;
    enum { MODE_A = 1, MODE_B };
    typedef enum { KIND_X, KIND_Y } kind_t;
    struct point { int x; int y; } origin;
    struct timeval;
    int renamed(void) asm("real_symbol");
    void __attribute__((noinline)) with_attribute(void);
  `);
  assert.deepEqual(
    names.map((n) => `${n.kind} ${n.name}${n.symbol === n.name ? '' : ` -> ${n.symbol}`}`),
    [
      'function ngx_http_lua_ffi_pcre_version',
      'function ngx_http_lua_ffi_shdict_free_space',
      'function get_name',
      'function other_name',
      'variable callback',
      'variable errno',
      'constant FLAG',
      'constant MODE_A',
      'constant MODE_B',
      'constant KIND_X',
      'constant KIND_Y',
      'variable origin',
      'function renamed -> real_symbol',
      'function with_attribute',
    ],
  );
});

const SCAN = `local ffi = require "ffi"
local C = ffi.C
local subsystem = ngx.config.subsystem
local MACOS = jit and jit.os == "OSX"
ffi.cdef[[
int at_load(void);
]]
local f = C.at_load
if subsystem == 'http' then
    local g = C.http_only
elseif subsystem == 'stream' then
    local g = C.stream_only
else
    error("unknown subsystem")
end
if MACOS then
    local h = C.macos_only
end
local _M = {}
function _M.later()
    return C.in_function(1)
end
local helper = function () return ffi.C["by_index"] end
if not pcall(function () return C.probed end) then end
return _M
`;

test('scanFfi: each C read with its place (load time or function), pcall guard and branch conditions', () => {
  const facts = scanFfi(SCAN);
  const summary = facts.uses.map((u) => ({ name: u.name, loadTime: u.loadTime, fn: u.functionName, guarded: u.guarded, call: u.call }));
  assert.deepEqual(summary, [
    { name: 'at_load', loadTime: true, fn: undefined, guarded: false, call: false },
    { name: 'http_only', loadTime: true, fn: undefined, guarded: false, call: false },
    { name: 'stream_only', loadTime: true, fn: undefined, guarded: false, call: false },
    { name: 'macos_only', loadTime: true, fn: undefined, guarded: false, call: false },
    { name: 'in_function', loadTime: false, fn: '_M.later', guarded: false, call: true },
    { name: 'by_index', loadTime: false, fn: 'helper', guarded: false, call: false },
    { name: 'probed', loadTime: true, fn: undefined, guarded: true, call: false },
  ]);
  const lines = new LineIndex(SCAN);
  const atLoad = facts.uses[0];
  assert.deepEqual(lines.range(atLoad.start, atLoad.end), rangeOn(SCAN, 7, 'at_load'));
  assert.deepEqual(
    facts.declarations.map((d) => [d.name, d.kind, lines.range(d.start, d.end)]),
    [['at_load', 'function', rangeOn(SCAN, 5, 'at_load')]],
  );

  const runs = (name: string, env: Parameters<typeof canRun>[1]) => canRun(facts.uses.find((u) => u.name === name)!.conditions, env);
  const linuxHttp = { subsystems: ['http'], os: 'Linux' };
  assert.equal(runs('http_only', linuxHttp), true);
  assert.equal(runs('stream_only', linuxHttp), false, 'the stream branch cannot run in an http-only binary');
  assert.equal(runs('stream_only', { subsystems: ['http', 'stream'], os: 'Linux' }), true);
  assert.equal(runs('macos_only', linuxHttp), false, 'jit.os is "Linux" here');
  assert.equal(runs('macos_only', { subsystems: ['http'] }), true, 'an unknown OS may be macOS');
  assert.equal(runs('in_function', linuxHttp), true);
});

test('scanFfi: nothing for files without ffi, with a syntax error, or using a local named ffi for something else', () => {
  assert.deepEqual(scanFfi('local C = {}\nreturn C.x').uses, []);
  assert.deepEqual(scanFfi('local ffi = require "ffi"\nlocal C = ffi.C\nreturn C.x(').uses, []);
  assert.deepEqual(scanFfi('local ffi = { C = {} }\nreturn ffi.C.x').uses, []);
  assert.equal(scanFfi('local ffi = require "ffi"\nffi.cdef(make_decls())').opaqueCdef, true);
});

test('facts.ffi is parsed only for files that require ffi', () => {
  assert.equal(analyzeLua('local x = 1 -- mentions ffi.C.x only in a comment').ffi.uses.length, 0);
  assert.equal(analyzeLua('local ffi = require("ffi")\nreturn ffi.C.getpid()').ffi.uses[0].name, 'getpid');
});

test('cdef through a local alias, in .. chains and string.format templates: the names they can declare', () => {
  const text = `local ffi = require "ffi"
local ffi_cdef = ffi.cdef
local C = ffi.C
local ULONG = ffi.abi("64bit") and "unsigned long long" or "unsigned int"
ffi_cdef[[ int aliased(void); ]]
ffi.cdef([[ int BN_set_word(void *a, ]] .. ULONG .. [[ w);
  ]] .. ULONG .. [[ BN_get_word(void *a); ]])
local function declare(typ)
  ffi.cdef(string.format([[
    %s *%s_new(void);
    void %s_free(%s *a);
  ]], typ, typ, typ, typ))
end
local a, b, c = C.aliased, C.BN_set_word, C.BN_get_word
local d, e = C.ASN1_INTEGER_new, C.ASN1_STRING_free
local f = C.ASN1_INTEGER_dup
`;
  const facts = scanFfi(text);
  assert.equal(facts.opaqueCdef, false);
  assert.deepEqual(
    facts.declarations.map((d) => [d.name.replaceAll('__resty_build_hole__', '%'), d.kind, d.pattern ?? null]),
    [
      ['aliased', 'function', null],
      ['BN_set_word', 'function', null],
      ['BN_get_word', 'function', null],
      ['%_new', 'function', '^[A-Za-z0-9_]*_new$'],
      ['%_free', 'function', '^[A-Za-z0-9_]*_free$'],
    ],
  );
  const lines = new LineIndex(text);
  const missing = missingDeclarationFindings([{ file: '/x/asn1.lua', ffi: facts, toFile: (s, e) => lines.range(s, e) }]);
  assert.deepEqual(missing.map(brief), [{ code: 'ffi-missing-declaration', severity: 'error', range: rangeOn(text, 15, 'ASN1_INTEGER_dup') }]);
});
