import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { test } from 'node:test';
import { ElfImage } from '../../server/src/toolchain/elfImage';
import { binarySignature, builtWith, nginxVersionNumber, parseLdd, parseNginxV, readDynamicModule } from '../../server/src/toolchain/nginxBinary';
import { loadTestConfig, parseLoadTestResults, parseStartupErrors } from '../../server/src/toolchain/nginxLoadTest';
import { likelyCause } from '../../server/src/toolchain/nginxSymbols';
import { tempDir } from '../helpers/toolchain';

const NGINX_V = `nginx version: nginx/1.22.1
built by gcc 12.2.0 (Debian 12.2.0-14+deb12u1)
built with OpenSSL 3.0.11 19 Sep 2023
TLS SNI support enabled
configure arguments: --with-cc-opt='-g -O2 -fPIC' --with-ld-opt='-Wl,-z,relro -Wl,-E' --with-compat --with-http_ssl_module --with-stream=dynamic --add-module=/src/lua-nginx-module
`;

test('nginx -V: version, version number, configure arguments split like a shell, --with-compat', () => {
  const info = parseNginxV(NGINX_V)!;
  assert.equal(info.version, '1.22.1');
  assert.equal(info.versionNumber, 1022001);
  assert.equal(nginxVersionNumber('1.19.5'), 1019005);
  assert.deepEqual(info.configureArgs, ['--with-cc-opt=-g -O2 -fPIC', '--with-ld-opt=-Wl,-z,relro -Wl,-E', '--with-compat', '--with-http_ssl_module', '--with-stream=dynamic', '--add-module=/src/lua-nginx-module']);
  assert.equal(info.compat, true);
  assert.equal(builtWith(info, 'http_ssl_module'), true);
  assert.equal(builtWith(info, 'stream'), true);
  assert.equal(builtWith(info, 'stream_ssl_module'), false);
  assert.equal(parseNginxV('nginx version: nginx/1.22.1\n')!.compat, false);
  assert.equal(parseNginxV('LuaJIT 2.1.0-beta3 -- Copyright (C) 2005-2022 Mike Pall.'), undefined);
});

test('ldd: resolved, not found, and the loader itself', () => {
  const libs = parseLdd(`\tlinux-vdso.so.1 (0x00007ffc5b7e1000)
\tlibluajit-5.1.so.2 => /lib/x86_64-linux-gnu/libluajit-5.1.so.2 (0x00007f5a2c2a0000)
\tlibx.so => /opt/with space/libx.so (0x00007f5a2c2a0000)
\tlibgone.so.1 => not found
\t/lib64/ld-linux-x86-64.so.2 (0x00007f5a2c6b2000)
`);
  assert.deepEqual(libs, [
    { name: 'libluajit-5.1.so.2', path: '/lib/x86_64-linux-gnu/libluajit-5.1.so.2' },
    { name: 'libx.so', path: '/opt/with space/libx.so' },
    { name: 'libgone.so.1', path: undefined },
    { name: 'ld-linux-x86-64.so.2', path: '/lib64/ld-linux-x86-64.so.2' },
  ]);
});

/** A shared object laid out like an nginx dynamic module: ngx_modules, ngx_module_names and the ngx_module_t head. */
const FAKE_MODULE = `#include <stdint.h>
typedef struct {
  uintptr_t ctx_index, index; char *name; uintptr_t spare0, spare1, version; const char *signature;
  void *ctx, *commands; uintptr_t type; void *hooks[7]; uintptr_t spare_hooks[8];
} ngx_module_t;
ngx_module_t ngx_http_fake_module = { (uintptr_t) -1, (uintptr_t) -1, 0, 0, 0, VERSION, SIGNATURE, 0, 0, 0x50545448 };
ngx_module_t *ngx_modules[] = { &ngx_http_fake_module, 0 };
char *ngx_module_names[] = { "ngx_http_fake_module", 0 };
`;

function buildSharedObject(dir: string, name: string, source: string, defines: string[] = []): string {
  const c = path.join(dir, `${name}.c`);
  const so = path.join(dir, `${name}.so`);
  fs.writeFileSync(c, source);
  const r = spawnSync('gcc', ['-shared', '-fPIC', '-O1', ...defines, '-o', so, c], { encoding: 'utf8' });
  assert.equal(r.status, 0, r.stderr);
  return so;
}

test('a dynamic module built with gcc: version and signature read through its relocations, as load_module compares them', () => {
  const dir = tempDir();
  const signature = '8,4,8,0011111111010111001111111111111111';
  const so = buildSharedObject(dir, 'fake', FAKE_MODULE, ['-DVERSION=1022001', `-DSIGNATURE="${signature}"`]);
  const image = new ElfImage(fs.readFileSync(so));
  assert.deepEqual(readDynamicModule(image), { modules: [{ name: 'ngx_http_fake_module', version: 1022001, signature }] });
  assert.equal(binarySignature(image), signature);
  assert.ok(image.exportedNames().has('ngx_http_fake_module'));
  assert.equal(image.arch, process.arch === 'x64' ? 'x64' : image.arch);

  const plain = buildSharedObject(dir, 'plain', 'int plain_function(void) { return 1; }\n');
  assert.match(readDynamicModule(new ElfImage(fs.readFileSync(plain))).error ?? '', /exports no "ngx_modules"/);
});

test('the load test configuration: an empty package path, the load_module lines counted, every module required under pcall', () => {
  const { text, loadModuleLines } = loadTestConfig('/tmp/prefix', ['resty.core', 'app.greeting', 'bad name"'], ['/opt/mods/ndk.so', '/opt/mods/lua.so']);
  assert.match(text, /lua_package_path "\/tmp\/prefix\/no-lua-here\/\?\.lua;\/tmp\/prefix\/no-lua-here\/\?\/init\.lua";/);
  assert.match(text, /for _, name in ipairs\(\{ "resty\.core", "app\.greeting" \}\) do/);
  const lines = text.split('\n');
  assert.deepEqual([...loadModuleLines].map(([n, f]) => [lines[n - 1], f]), [
    ['load_module "/opt/mods/ndk.so";', '/opt/mods/ndk.so'],
    ['load_module "/opt/mods/lua.so";', '/opt/mods/lua.so'],
  ]);
  // The block's Lua parses for LuaJIT itself.
  const lua = text.slice(text.indexOf('init_by_lua_block {') + 'init_by_lua_block {'.length, text.lastIndexOf('}', text.lastIndexOf('}') - 1));
  const r = spawnSync('luajit', ['-bl', '-'], { input: lua, encoding: 'utf8' });
  assert.equal(r.status, 0, r.stderr);
});

test('the load test results: one line per module, escapes undone', () => {
  const parsed = parseLoadTestResults(
    'ngx_lua\t10023\nsubsystem\thttp\njit\tLuaJIT 2.1.0-beta3\tLinux\tx64\nheader\t1b4c4a0208\nok\tresty.core\nfail\tapp.native\t/x/native.lua:12: undefined symbol: x\\n\\tsecond line\ndone\n',
  );
  assert.deepEqual(parsed, {
    completed: true,
    ngxLuaVersion: 10023,
    subsystem: 'http',
    jit: { version: 'LuaJIT 2.1.0-beta3', os: 'Linux', arch: 'x64' },
    headerHex: '1b4c4a0208',
    modules: [
      { module: 'resty.core', ok: true },
      { module: 'app.native', ok: false, message: '/x/native.lua:12: undefined symbol: x\n\tsecond line' },
    ],
  });
  assert.equal(parseLoadTestResults('ngx_lua\t10023\nok\tresty.core\n').completed, false);
});

test("nginx's startup errors: level, the whole message over several lines, the conf line", () => {
  const output = `2024/01/02 03:04:05 [alert] 123#0: failed to load the 'resty.core' module (https://github.com/openresty/lua-resty-core); ensure you are using an OpenResty release from https://openresty.org/en/download.html (reason: module 'resty.core' not found:
\tno field package.preload['resty.core']) in /tmp/p/conf/nginx.conf:36
nginx: [emerg] module "/opt/mods/x.so" is not binary compatible in /tmp/p/conf/nginx.conf:6`;
  assert.deepEqual(parseStartupErrors(output), [
    {
      level: 'alert',
      message:
        "failed to load the 'resty.core' module (https://github.com/openresty/lua-resty-core); ensure you are using an OpenResty release from https://openresty.org/en/download.html (reason: module 'resty.core' not found:\n\tno field package.preload['resty.core'])",
      confLine: 36,
    },
    { level: 'emerg', message: 'module "/opt/mods/x.so" is not binary compatible', confLine: 6 },
  ]);
});

test('the likely cause of a missing FFI symbol, from its name and nginx -V', () => {
  const withoutSsl = parseNginxV('nginx version: nginx/1.22.1\nconfigure arguments: --with-compat\n')!;
  assert.match(likelyCause('ngx_http_lua_ffi_ssl_set_der_certificate', withoutSsl, 10023), /built without SSL \(nginx -V has no --with-http_ssl_module\)/);
  assert.match(likelyCause('ngx_http_lua_ffi_pipe_spawn', withoutSsl, 10023), /socket-cloexec patch/);
  assert.match(likelyCause('ngx_http_lua_ffi_req_something_new', withoutSsl, 10023), /another lua-nginx-module release than this nginx's \(0\.10\.23\)/);
  assert.match(likelyCause('zlibVersion', withoutSsl, 10023), /ffi\.load/);
});
