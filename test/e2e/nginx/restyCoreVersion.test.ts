// lua-resty-core insists on the exact lua-nginx-module it was released with
// (resty.core.base: "ngx_http_lua_module 0.10.x required"), and ngx_lua
// requires resty.core when its Lua VM starts. Debian's base.lua, changed to
// want 0.10.26 as a newer release does, embedded into nginx with 0.10.23:
// the audit says so before nginx starts, and nginx then refuses to start
// with the very message the audit carried.
import assert from 'node:assert/strict';
import { readFileSync, writeFileSync, mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { test } from 'node:test';
import { startNginx } from './harness';
import { auditNginx } from './product';
import { buildScenario, nginxSuite, SCENARIO_TIMEOUT_MS } from './scenario';

const DEBIAN_BASE = '/usr/share/lua/5.1/resty/core/base.lua';

const serverConfig = `location = /t {
    content_by_lua_block {
        ngx.say("resty.core: ", type(package.loaded["resty.core"]))
    }
}`;

/** The reason nginx gives for refusing resty.core: "(reason: …)" of its alert. */
function reason(text: string): string | undefined {
  return /failed to load the 'resty\.core' module .*?\(reason: (.*?)\)(?: in |\n|$)/s.exec(text)?.[1];
}

test('a resty.core.base that requires lua-nginx-module 0.10.26 is reported before nginx starts, and nginx fails as reported', { ...nginxSuite, timeout: SCENARIO_TIMEOUT_MS }, async (t) => {
  let base = '';
  const { nginx, projectDir } = await buildScenario(t, {
    fixture: 'embed-resty-core',
    mode: 'objects',
    serverConfig,
    prepare: (dir) => {
      // lib/ comes before /usr/share/lua/5.1 on the manifest's path: this base.lua is the one embedded.
      base = join(dir, 'lib', 'resty', 'core', 'base.lua');
      mkdirSync(join(dir, 'lib', 'resty', 'core'), { recursive: true });
      writeFileSync(base, readFileSync(DEBIAN_BASE, 'utf8').replaceAll('~= 10023', '~= 10026').replaceAll('0.10.23', '0.10.26'));
    },
  });

  const audit = await auditNginx(projectDir, nginx.binary);
  assert.equal(audit.exitCode, 1);
  const errors = audit.diagnostics.filter((d) => d.severity === 'error');
  const baseLines = readFileSync(base, 'utf8').split('\n');
  const checkLine = baseLines.findIndex((l) => l.includes('ngx.config.ngx_lua_version ~= 10026'));
  const manifestLines = readFileSync(join(projectDir, 'resty-build.json'), 'utf8').split('\n');
  const entryLine = manifestLines.findIndex((l) => l.includes('"resty.core",'));
  assert.deepEqual(
    errors.map((d) => ({ file: d.file, line: d.line, column: d.column, code: d.code, module: d.module })),
    [
      { file: base, line: checkLine + 1, column: baseLines[checkLine].indexOf('ngx.config') + 1, code: 'ngx-lua-version', module: null },
      { file: join(projectDir, 'resty-build.json'), line: entryLine + 1, column: manifestLines[entryLine].indexOf('"') + 1, code: 'nginx-load-failed', module: 'resty.core' },
    ],
    JSON.stringify(errors, null, 2),
  );
  const [version, loadFailed] = errors;
  assert.match(version.message, /requires lua-nginx-module exactly 0\.10\.26 \(10026\), but \S+ has 0\.10\.23 \(10023\): loading it raises "ngx_http_lua_module 0\.10\.26 required"/);
  const reported = reason(loadFailed.message);
  assert.match(reported ?? '', /base\.lua:\d+: ngx_http_lua_module 0\.10\.26 required$/, loadFailed.message);
  assert.deepEqual(
    audit.modules.filter((m) => m.loaded !== null).map((m) => [m.module, m.loaded]),
    [['resty.core', false]],
    'nginx stops at resty.core: no other module can be tried',
  );

  // nginx itself: it refuses to start, for the reason the audit reported.
  const started = await startNginx({ binary: nginx.binary, serverConfig }).then(
    (server) => server.stop().then(() => 'started'),
    (e: Error) => e.message,
  );
  assert.notEqual(started, 'started', 'nginx must refuse to start');
  assert.equal(reason(started), reported, started);
});
