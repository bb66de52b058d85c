// A module the content block requires but the project does not embed: with
// lua_package_path on an empty folder nginx must answer 500 and say so.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { httpGet } from './harness';
import { checkProject } from './product';
import { nginxSuite, runScenario, SCENARIO_TIMEOUT_MS, withErrorLog } from './scenario';

const serverConfig = `location = /t {
    content_by_lua_block {
        local absent = require "app.absent"
        ngx.say("loaded: ", tostring(absent.present))
    }
}`;

test('a module that is not embedded is not found, even with its .lua in the project', { ...nginxSuite, timeout: SCENARIO_TIMEOUT_MS }, async (t) => {
  const { server, projectDir } = await runScenario(t, { fixture: 'missing-module', mode: 'objects', serverConfig });

  // What the tool said before the build: exactly this module, at this require, will be missing.
  const { diagnostics } = await checkProject(projectDir);
  const problems = diagnostics.filter((d) => d.severity === 'error');
  assert.deepEqual(
    problems.map((d) => ({ file: d.file, line: d.line, code: d.code, module: d.module })),
    [{ file: 'conf/nginx.conf', line: 5, code: 'not-in-mapping', module: 'app.absent' }],
  );

  const response = await httpGet(server.port, '/t');
  assert.equal(response.status, 500, withErrorLog(server, `GET /t answered ${response.status}: ${response.body}`));
  assert.match(server.errorLog(), /module 'app\.absent' not found/, withErrorLog(server, 'error log lacks the not-found message'));
  assert.match(server.errorLog(), /no field package\.preload\['app\.absent'\]/);
});
