// Happy path: resty.core (with its resty.core.* closure and resty.lrucache)
// and a dotted module of the project's own run from bytecode linked into nginx.
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { test } from 'node:test';
import { exportedBytecodeSymbols, httpGet, startNginx } from './harness';
import { auditNginx, runtimeImage } from './product';
import { buildScenario, nginxSuite, SCENARIO_TIMEOUT_MS, withErrorLog } from './scenario';

const serverConfig = `location = /t {
    content_by_lua_block {
        local greeting = require "app.greeting"
        ngx.say(greeting.greet("nginx"))
        ngx.say(greeting.greet("nginx"))
        ngx.say("resty.core: ", type(package.loaded["resty.core"]))
        ngx.say("resty.core.base: ", type(package.loaded["resty.core.base"]))
        ngx.say("resty.lrucache: ", type(package.loaded["resty.lrucache"]))
        ngx.say("app.greeting file: ", tostring(package.searchpath("app.greeting", package.path)))
        ngx.say("resty.core file: ", tostring(package.searchpath("resty.core", package.path)))
        ngx.say("ngx_lua: ", ngx.config.ngx_lua_version)
    }
}`;

test('nginx runs resty.core, resty.lrucache and app.greeting from embedded bytecode', { ...nginxSuite, timeout: SCENARIO_TIMEOUT_MS }, async (t) => {
  const { nginx, flags, projectDir } = await buildScenario(t, { fixture: 'embed-resty-core', mode: 'objects', serverConfig });

  // The audit of the built binary, before it starts: Debian's lua-resty-core matches this
  // lua-nginx-module, every module loads in the binary itself; what the build left out (SSL)
  // only warns, at the functions that would fail.
  const audit = await auditNginx(projectDir, nginx.binary);
  assert.equal(audit.exitCode, 0, JSON.stringify(audit.diagnostics, null, 2));
  assert.deepEqual(audit.diagnostics.filter((d) => d.severity === 'error'), []);
  assert.equal(audit.nginx.ngxLuaVersion, 10023);
  // The LuaJIT inside nginx dumped a chunk in the load test: its header (version 2, GC64) matches the compiler's.
  assert.match(audit.nginx.luajit?.header ?? '', /^1b4c4a02/);
  assert.equal(audit.diagnostics.filter((d) => d.code === 'bytecode-mismatch').length, 0);
  assert.ok(audit.modules.length > 20 && audit.modules.every((m) => m.exported && m.loaded === true), JSON.stringify(audit.modules, null, 2));
  const warnings = audit.diagnostics.filter((d) => d.severity === 'warning');
  assert.ok(warnings.length > 0, 'the socket module calls SSL functions this build lacks');
  for (const w of warnings) {
    assert.equal(w.code, 'ffi-undefined-symbol');
    assert.match(w.message, /_ssl|ssl_/);
    assert.match(w.message, /built without SSL \(nginx -V has no --with-http_ssl_module\)/);
  }
  // At the read of the C function, naming the Lua function that would fail.
  const socketLua = '/usr/share/lua/5.1/resty/core/socket.lua';
  const lines = readFileSync(socketLua, 'utf8').split('\n');
  const line = lines.findIndex((l) => l.includes('C.ngx_http_lua_ffi_socket_tcp_sslhandshake('));
  const column = lines[line].indexOf('ngx_http_lua_ffi_socket_tcp_sslhandshake');
  const handshake = warnings.find((w) => w.file === socketLua && w.line === line + 1 && w.column === column + 1);
  assert.ok(handshake, `no warning at ${socketLua}:${line + 1}:${column + 1}: ${JSON.stringify(warnings, null, 2)}`);
  assert.match(handshake.message, /"undefined symbol: ngx_http_lua_ffi_socket_tcp_sslhandshake" when sslhandshake runs, so that function fails/);
  // The LuaJIT nginx links is the one the runtime image must carry.
  const ldd = spawnSync('ldd', [nginx.binary], { encoding: 'utf8' }).stdout;
  const libluajit = /libluajit-5\.1\.so\.2 => (\S+)/.exec(ldd)?.[1];
  assert.equal(audit.nginx.luajit?.file, libluajit);
  const runtime = await runtimeImage(projectDir, nginx.binary);
  assert.deepEqual(runtime.files.filter((f) => f.kind === 'libluajit').map((f) => f.path), [libluajit]);

  const server = await startNginx({ binary: nginx.binary, serverConfig });
  t.after(() => server.stop());

  assert.ok(flags.configureArgs.includes('--with-compat'), `flags must keep dynamic modules compatible: ${flags.configureArgs.join(' ')}`);
  assert.ok(flags.objects.length > 3, `expected resty.core's closure among the objects: ${flags.objects.join(' ')}`);

  // LuaJIT finds embedded bytecode with dlsym(RTLD_DEFAULT), so the binary must
  // export it: lua-nginx-module's config adds -Wl,-E when its feature test passes.
  const configureLog = readFileSync(join(dirname(nginx.tree.dir), 'configure.log'), 'utf8');
  assert.match(configureLog, /checking for export symbols by default \(-E\) \.\.\. found/);
  assert.ok(nginx.linkCommand.includes('-Wl,-E'), `link command lacks -Wl,-E: ${nginx.linkCommand.join(' ')}`);
  const symbols = await exportedBytecodeSymbols(nginx.binary);
  for (const symbol of ['luaJIT_BC_resty_core', 'luaJIT_BC_resty_core_base', 'luaJIT_BC_resty_lrucache', 'luaJIT_BC_app_greeting']) {
    assert.ok(symbols.includes(symbol), `${symbol} not exported by ${nginx.binary}; exported: ${symbols.join(' ')}`);
  }

  const response = await httpGet(server.port, '/t');
  assert.equal(response.status, 200, withErrorLog(server, `GET /t answered ${response.status}: ${response.body}`));
  assert.equal(
    response.body,
    [
      'hello, nginx from app.greeting',
      'hello, nginx from app.greeting (cached)',
      'resty.core: table',
      'resty.core.base: table',
      'resty.lrucache: table',
      'app.greeting file: nil',
      'resty.core file: nil',
      'ngx_lua: 10023',
      '',
    ].join('\n'),
    withErrorLog(server, 'unexpected body'),
  );
});
