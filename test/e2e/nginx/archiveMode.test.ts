// `archive` link mode: the objects go into libembedded.a, linked with
// --whole-archive because nothing in nginx references the luaJIT_BC_* symbols.
import assert from 'node:assert/strict';
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { test } from 'node:test';
import { exportedBytecodeSymbols, httpGet, log } from './harness';
import { run } from './proc';
import { nginxSuite, runScenario, SCENARIO_TIMEOUT_MS, withErrorLog } from './scenario';

const serverConfig = `location = /t {
    content_by_lua_block {
        ngx.say(require("app.greeting").greet("archive"))
        ngx.say("resty.core: ", type(package.loaded["resty.core"]))
    }
}`;

test('nginx linked with --whole-archive libembedded.a runs the embedded modules', { ...nginxSuite, timeout: SCENARIO_TIMEOUT_MS }, async (t) => {
  const { nginx, server } = await runScenario(t, {
    fixture: 'archive-mode',
    mode: 'archive',
    serverConfig,
    adjust: async (flags) => {
      const match = /(?:^|\s)-L(\S+)\s+-Wl,--whole-archive\s+-lembedded\s+-Wl,--no-whole-archive(?:\s|$)/.exec(flags.withLdOpt);
      assert.ok(match, `archive mode must link -L<dir> -Wl,--whole-archive -lembedded -Wl,--no-whole-archive: ${flags.withLdOpt}`);
      assert.ok(flags.configureArgs.includes(`--with-ld-opt=${flags.withLdOpt}`), `configureArgs must carry withLdOpt: ${flags.configureArgs.join(' ')}`);
      const archive = join(match[1], 'libembedded.a');
      if (!existsSync(archive)) {
        // The flags name the archive; build it from the listed objects if the CLI left that to the caller.
        log(`${archive} missing after compile+flags: ar rcs from ${flags.objects.length} objects`);
        await run('ar', ['rcs', archive, ...flags.objects.filter((o) => o.endsWith('.o'))]);
      }
      return flags.configureArgs;
    },
  });

  const symbols = await exportedBytecodeSymbols(nginx.binary);
  assert.ok(symbols.includes('luaJIT_BC_app_greeting'), `whole-archive must keep unreferenced members: ${symbols.join(' ')}`);
  const response = await httpGet(server.port, '/t');
  assert.equal(response.status, 200, withErrorLog(server, `GET /t answered ${response.status}: ${response.body}`));
  assert.equal(response.body, 'hello, archive from app.greeting\nresty.core: table\n', withErrorLog(server, 'unexpected body'));
});
