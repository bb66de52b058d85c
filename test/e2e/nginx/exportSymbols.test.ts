// Why the link needs -Wl,-E (DOMAIN 3): LuaJIT's preload finds embedded
// bytecode with dlsym(RTLD_DEFAULT, "luaJIT_BC_<name>"), which only sees
// exported symbols. Relinking the same objects without -Wl,-E must leave
// resty.core unfindable, and ngx_lua 0.10.23 needs it at VM start.
import assert from 'node:assert/strict';
import { mkdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { test } from 'node:test';
import { buildNginx, exportedBytecodeSymbols, startNginx } from './harness';
import { auditNginx, compileProject, copyFixture, linkFlags } from './product';
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

  // The audit reads the dynamic symbol table: every embedded module, at its embed entry.
  const audit = await auditNginx(project.dir, nginx.binary);
  assert.equal(audit.exitCode, 1);
  const manifest = join(project.dir, 'resty-build.json');
  const notExported = audit.diagnostics.filter((d) => d.code === 'bytecode-not-exported');
  assert.deepEqual(notExported.map((d) => d.module).sort(), audit.modules.map((m) => m.module).sort());
  const lines = readFileSync(manifest, 'utf8').split('\n');
  const entry = lines.findIndex((l) => l.includes('"resty.lrucache"'));
  assert.deepEqual(
    notExported.filter((d) => d.module === 'resty.lrucache').map((d) => [d.file, d.line, d.column, d.severity]),
    [[manifest, entry + 1, lines[entry].indexOf('"') + 1, 'error']],
  );
  assert.match(notExported[0].message, /exports no luaJIT_BC_ symbol at all, so require\('[\w.]+'\) cannot find its bytecode: the link lacks -Wl,-E/);
  assert.ok(audit.diagnostics.some((d) => d.code === 'nginx-load-failed' && d.module === 'resty.core' && /module 'resty\.core' not found/.test(d.message)));
  await assert.rejects(
    startNginx({ binary: nginx.binary, serverConfig: 'location = /t { return 204; }' }),
    /module 'resty\.core' not found/,
  );
});
