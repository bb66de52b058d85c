// Hyphenated module names in nginx (DOMAIN 2): LuaJIT's loader drops
// everything up to the first '-' and turns only '.' into '_', so
// `require "resty.jit-uuid"` looks up luaJIT_BC_uuid and
// `require "app.limit-count.sliding-window"` luaJIT_BC_count_sliding-window.
// resty-build compiles them under exactly those symbols; an object compiled
// the naive way (`luajit -n foo-bar`) is not found.
import assert from 'node:assert/strict';
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { test } from 'node:test';
import { compileWithLuajit, exportedBytecodeSymbols, httpGet, withExtraLinkInputs } from './harness';
import { auditNginx, checkProject } from './product';
import { nginxSuite, runScenario, SCENARIO_TIMEOUT_MS, withErrorLog } from './scenario';

const embeddedConfig = `location = /uuid {
    content_by_lua_block {
        local m = require "resty.jit-uuid"
        ngx.say("loaded: ", m.loaded)
    }
}
location = /window {
    content_by_lua_block {
        local m = require "app.limit-count.sliding-window"
        ngx.say("loaded: ", m.loaded)
    }
}`;

test('require finds single- and double-hyphen modules that resty-build compiled', { ...nginxSuite, timeout: SCENARIO_TIMEOUT_MS }, async (t) => {
  const { nginx, server, projectDir } = await runScenario(t, { fixture: 'hyphen-name', mode: 'objects', serverConfig: embeddedConfig });

  const { diagnostics } = await checkProject(projectDir);
  assert.deepEqual(diagnostics.filter((d) => d.severity === 'error'), [], 'check finds nothing wrong with the hyphenated modules');

  const symbols = await exportedBytecodeSymbols(nginx.binary);
  assert.ok(symbols.includes('luaJIT_BC_uuid') && symbols.includes('luaJIT_BC_count_sliding-window'), `exported: ${symbols.join(' ')}`);

  // The audit looks the loader's symbols up in the binary (the '-' after the first one kept)
  // and the load test requires both modules in it.
  const audit = await auditNginx(projectDir, nginx.binary);
  assert.deepEqual(audit.diagnostics.filter((d) => d.severity === 'error'), []);
  assert.deepEqual(
    audit.modules.filter((m) => m.module.includes('-')),
    [
      { module: 'resty.jit-uuid', symbol: 'luaJIT_BC_uuid', exported: true, loaded: true },
      { module: 'app.limit-count.sliding-window', symbol: 'luaJIT_BC_count_sliding-window', exported: true, loaded: true },
    ],
  );
  for (const [location, module] of [
    ['/uuid', 'resty.jit-uuid'],
    ['/window', 'app.limit-count.sliding-window'],
  ]) {
    const response = await httpGet(server.port, location);
    assert.equal(response.status, 200, withErrorLog(server, `GET ${location} answered ${response.status}: ${response.body}`));
    assert.equal(response.body, `loaded: ${module}\n`);
  }
});

const naiveConfig = `location = /t {
    content_by_lua_block {
        local m = require "foo-bar"
        ngx.say("loaded: ", m.loaded)
    }
}`;

test('an object compiled by hand as -n foo-bar is not found by require "foo-bar"; check says it is not embedded', { ...nginxSuite, timeout: SCENARIO_TIMEOUT_MS }, async (t) => {
  const { nginx, server, projectDir } = await runScenario(t, {
    fixture: 'hyphen-name',
    mode: 'objects',
    serverConfig: naiveConfig,
    adjust: async (flags, projectDir) => {
      const object = await compileWithLuajit('foo-bar', join(projectDir, 'lib', 'foo-bar.lua'), join(projectDir, 'foo-bar.o'));
      return withExtraLinkInputs(flags.configureArgs, [object]);
    },
  });

  const { diagnostics } = await checkProject(projectDir);
  assert.deepEqual(
    diagnostics.filter((d) => d.severity === 'error').map((d) => ({ file: d.file, line: d.line, code: d.code, module: d.module })),
    [{ file: 'conf/nginx.conf', line: 5, code: 'not-in-mapping', module: 'foo-bar' }],
  );

  const symbols = await exportedBytecodeSymbols(nginx.binary);
  assert.ok(symbols.includes('luaJIT_BC_foo_bar'), `the object is linked and exported: ${symbols.join(' ')}`);

  // Embedded in the manifest, the audit looks for the loader's luaJIT_BC_bar, which the hand-made
  // object lacks, and the load test fails the way nginx does below.
  const manifestFile = join(projectDir, 'resty-build.json');
  const manifest = JSON.parse(readFileSync(manifestFile, 'utf8')) as { embed: string[] };
  writeFileSync(manifestFile, JSON.stringify({ ...manifest, embed: [...manifest.embed, 'foo-bar'] }, null, 2));
  const audit = await auditNginx(projectDir, nginx.binary);
  assert.equal(audit.exitCode, 1);
  assert.deepEqual(
    audit.diagnostics.filter((d) => d.severity === 'error').map((d) => [d.code, d.module]),
    [
      ['bytecode-not-exported', 'foo-bar'],
      ['nginx-load-failed', 'foo-bar'],
    ],
  );
  const message = (code: string) => audit.diagnostics.find((d) => d.code === code)?.message ?? '';
  assert.match(message('bytecode-not-exported'), /^luaJIT_BC_bar is not in the dynamic symbol table/);
  assert.match(message('nginx-load-failed'), /module 'foo-bar' not found/);
  const response = await httpGet(server.port, '/t');
  assert.equal(response.status, 500, withErrorLog(server, `GET /t answered ${response.status}: ${response.body}`));
  assert.match(server.errorLog(), /module 'foo-bar' not found/, withErrorLog(server, 'error log lacks the not-found message'));
});
