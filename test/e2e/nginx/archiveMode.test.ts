// `archive` link mode: resty-build puts the objects into one static library, linked with
// --whole-archive because nothing in nginx references the luaJIT_BC_* symbols.
import assert from 'node:assert/strict';
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { test } from 'node:test';
import { exportedBytecodeSymbols, httpGet } from './harness';
import { nginxSuite, runScenario, SCENARIO_TIMEOUT_MS, withErrorLog } from './scenario';

const serverConfig = `location = /t {
    content_by_lua_block {
        ngx.say(require("app.greeting").greet("archive"))
        ngx.say("resty.core: ", type(package.loaded["resty.core"]))
    }
}`;

test('nginx linked with the --whole-archive library from flags --mode archive runs the embedded modules', { ...nginxSuite, timeout: SCENARIO_TIMEOUT_MS }, async (t) => {
  const { nginx, server } = await runScenario(t, {
    // The same project as the objects case; only the link mode asked of `flags` differs.
    fixture: 'embed-resty-core',
    mode: 'archive',
    serverConfig,
    adjust: async (flags) => {
      const match = /(?:^|\s)-L(\S+)\s+-Wl,--whole-archive\s+-l(\S+)\s+-Wl,--no-whole-archive(?:\s|$)/.exec(flags.withLdOpt);
      assert.ok(match, `archive mode must link -L<dir> -Wl,--whole-archive -l<name> -Wl,--no-whole-archive: ${flags.withLdOpt}`);
      assert.ok(flags.configureArgs.includes(`--with-ld-opt=${flags.withLdOpt}`), `configureArgs must carry withLdOpt: ${flags.configureArgs.join(' ')}`);
      // `flags --mode archive` builds the library itself from the compiled objects.
      const archive = join(match[1], `lib${match[2]}.a`);
      assert.ok(existsSync(archive), `${archive} was not written by resty-build flags --mode archive`);
      return flags.configureArgs;
    },
  });

  const symbols = await exportedBytecodeSymbols(nginx.binary);
  assert.ok(symbols.includes('luaJIT_BC_app_greeting'), `whole-archive must keep unreferenced members: ${symbols.join(' ')}`);
  const response = await httpGet(server.port, '/t');
  assert.equal(response.status, 200, withErrorLog(server, `GET /t answered ${response.status}: ${response.body}`));
  assert.equal(response.body, 'hello, archive from app.greeting\nresty.core: table\n', withErrorLog(server, 'unexpected body'));
});
