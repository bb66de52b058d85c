// Happy path: resty.core (with its resty.core.* closure and resty.lrucache)
// and a dotted module of the project's own run from bytecode linked into nginx.
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { test } from 'node:test';
import { exportedBytecodeSymbols, httpGet } from './harness';
import { nginxSuite, runScenario, SCENARIO_TIMEOUT_MS, withErrorLog } from './scenario';

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
  const { nginx, server, flags } = await runScenario(t, { fixture: 'embed-resty-core', mode: 'objects', serverConfig });

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
