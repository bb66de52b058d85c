// A hyphenated module name cannot be embedded: `luajit -n foo-bar` exports
// luaJIT_BC_foo_bar, but at run time LuaJIT cuts "foo-bar" after the first '-'
// and looks for luaJIT_BC_bar (DOMAIN 2). The object is compiled here with
// luajit itself, since that is the LuaJIT behaviour under test.
import assert from 'node:assert/strict';
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { test } from 'node:test';
import { compileWithLuajit, exportedBytecodeSymbols, httpGet, withExtraLinkInputs } from './harness';
import { checkProject, copyFixture } from './product';
import { nginxSuite, runScenario, SCENARIO_TIMEOUT_MS, withErrorLog } from './scenario';

const serverConfig = `location = /t {
    content_by_lua_block {
        local m = require "foo-bar"
        ngx.say("loaded: ", m.loaded)
    }
}`;

test('a module embedded as -n foo-bar is still not found by require "foo-bar"', { ...nginxSuite, timeout: SCENARIO_TIMEOUT_MS }, async (t) => {
  const { nginx, server, projectDir } = await runScenario(t, {
    fixture: 'hyphen-name',
    mode: 'objects',
    serverConfig,
    adjust: async (flags, projectDir) => {
      const object = await compileWithLuajit('foo-bar', join(projectDir, 'lib', 'foo-bar.lua'), join(projectDir, 'foo-bar.o'));
      return withExtraLinkInputs(flags.configureArgs, [object]);
    },
  });

  // What the tool said before the build: the require of 'foo-bar' can never find embedded bytecode.
  const { diagnostics } = await checkProject(projectDir);
  assert.deepEqual(
    diagnostics.filter((d) => d.severity === 'error').map((d) => ({ file: d.file, line: d.line, code: d.code, module: d.module })),
    [{ file: 'conf/nginx.conf', line: 5, code: 'hyphen-name', module: 'foo-bar' }],
  );

  const symbols = await exportedBytecodeSymbols(nginx.binary);
  assert.ok(symbols.includes('luaJIT_BC_foo_bar'), `the object is linked and exported: ${symbols.join(' ')}`);
  const response = await httpGet(server.port, '/t');
  assert.equal(response.status, 500, withErrorLog(server, `GET /t answered ${response.status}: ${response.body}`));
  assert.match(server.errorLog(), /module 'foo-bar' not found/, withErrorLog(server, 'error log lacks the not-found message'));
});

test('resty-build check reports an embedded hyphenated module name', { ...nginxSuite, timeout: 120_000 }, async (t) => {
  const project = copyFixture('hyphen-name');
  t.after(project.remove);
  const manifestPath = join(project.dir, 'resty-build.json');
  const manifest = JSON.parse(readFileSync(manifestPath, 'utf8')) as { embed: unknown[] };
  manifest.embed.push({ module: 'foo-bar', file: 'lib/foo-bar.lua' });
  writeFileSync(manifestPath, JSON.stringify(manifest, null, 2));

  const { diagnostics } = await checkProject(project.dir);
  const about = diagnostics.filter((d) => d.module === 'foo-bar');
  assert.ok(about.length > 0, `no diagnostic names module foo-bar: ${JSON.stringify(diagnostics, null, 2)}`);
  assert.ok(about.some((d) => d.severity === 'error' || d.severity === 'warning'), JSON.stringify(about, null, 2));
});
