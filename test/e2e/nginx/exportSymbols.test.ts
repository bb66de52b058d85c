// Why the link needs -Wl,-E (DOMAIN 3): LuaJIT's preload finds embedded
// bytecode with dlsym(RTLD_DEFAULT, "luaJIT_BC_<name>"), which only sees
// exported symbols. Relinking the same objects without -Wl,-E must leave
// resty.core unfindable, and ngx_lua 0.10.23 needs it at VM start.
import assert from 'node:assert/strict';
import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { test } from 'node:test';
import { buildNginx, exportedBytecodeSymbols, startNginx } from './harness';
import { compileProject, copyFixture, linkFlags } from './product';
import { nginxSuite, SCENARIO_TIMEOUT_MS } from './scenario';

test('without -Wl,-E the embedded resty.core is not found and nginx does not start', { ...nginxSuite, timeout: SCENARIO_TIMEOUT_MS }, async (t) => {
  const project = copyFixture('embed-resty-core');
  t.after(project.remove);
  await compileProject(project.dir);
  const flags = await linkFlags(project.dir, 'objects');
  const outDir = join(project.dir, '..', 'nginx-out');
  mkdirSync(outDir, { recursive: true });
  const nginx = await buildNginx({ configureArgs: flags.configureArgs, outDir, withoutLinkArgs: ['-Wl,-E'] });

  assert.ok(!nginx.linkCommand.includes('-Wl,-E'), nginx.linkCommand.join(' '));
  assert.deepEqual(await exportedBytecodeSymbols(nginx.binary), [], 'no luaJIT_BC_* symbol may be exported');
  await assert.rejects(
    startNginx({ binary: nginx.binary, serverConfig: 'location = /t { return 204; }' }),
    /module 'resty\.core' not found/,
  );
});
