import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { test } from 'node:test';
import { loadBuildProject } from '../../server/src/toolchain/buildProject';
import { compileProject } from '../../server/src/toolchain/compile';
import { computeLinkFlags, createArchive } from '../../server/src/toolchain/linkFlags';
import { findProbeToolchain, verifyEmbedding, VerifyOptions } from '../../server/src/toolchain/verify';
import { copyFixture } from '../helpers/toolchain';

async function prepared(mode: 'objects' | 'archive' = 'objects') {
  const dir = copyFixture('build-basic');
  const project = loadBuildProject(dir);
  const compiled = await compileProject({ manifest: project.manifest, entries: project.entries, sources: project.sources });
  const flags = computeLinkFlags({ manifest: project.manifest, objects: compiled.objects.map((o) => o.object), mode, env: {} });
  if (mode === 'archive') {
    await createArchive(flags.objects, project.manifest);
  }
  const verify = (extra: Partial<VerifyOptions> = {}) =>
    verifyEmbedding({ manifest: project.manifest, objects: compiled.objects, linkArgs: flags.ldOpt, ...extra });
  return { dir, project, compiled, flags, verify };
}

test('the toolchain is found (gcc and libluajit2-5.1-dev are installed here)', async () => {
  const tc = await findProbeToolchain();
  assert.ok(tc.cflags.some((f) => f.includes('luajit')));
  assert.ok(tc.libs.includes('-lluajit-5.1'));
});

test('a good project: every module is found, in objects mode and in archive mode (without running resty.core.base)', async () => {
  for (const mode of ['objects', 'archive'] as const) {
    const { verify } = await prepared(mode);
    const result = await verify();
    assert.deepEqual(result.findings, [], mode);
    assert.deepEqual(
      result.modules.map((m) => `${m.module}:${m.ok}`),
      ['resty.core.base:true', 'app.config:true', 'app.handler:true', 'vendored:true'],
      mode,
    );
  }
});

test('an object compiled with another -n: that module is named, the others pass', async () => {
  const { project, verify } = await prepared();
  const object = path.join(project.manifest.outDir, 'app_config.o');
  const r = spawnSync('luajit', ['-b', '-n', 'config', '-t', 'o', path.join(project.manifest.dir, 'lib/app/config.lua'), object]);
  assert.equal(r.status, 0);
  const result = await verify();
  assert.deepEqual(result.modules.filter((m) => !m.ok).map((m) => m.module), ['app.config']);
  assert.equal(result.findings.length, 1);
  assert.equal(result.findings[0].code, 'verify-failed');
  assert.equal(result.findings[0].module, 'app.config');
  assert.match(result.findings[0].message, /looks up luaJIT_BC_app_config, but app_config\.o defines luaJIT_BC_config/);
});

test('linked without -Wl,-E: every module is "not found", and the message says to export the symbols', async () => {
  const { verify } = await prepared();
  const result = await verify({ exportDynamic: false });
  assert.equal(result.modules.length, 4);
  assert.ok(result.modules.every((m) => !m.ok));
  assert.match(result.findings[0].message, /link with -Wl,-E/);
  assert.ok(!result.command.includes('-Wl,-E'));
});

test('bytecode the linked LuaJIT rejects (another version byte) is reported as rejected', async () => {
  const { project, verify } = await prepared();
  const object = path.join(project.manifest.outDir, 'vendored.o');
  const data = fs.readFileSync(object);
  const at = data.indexOf(Buffer.from([0x1b, 0x4c, 0x4a, 0x02]));
  assert.ok(at > 0);
  data[at + 3] = 0x01; // LuaJIT 2.0 bytecode
  fs.writeFileSync(object, data);
  const result = await verify();
  assert.deepEqual(result.modules.filter((m) => !m.ok).map((m) => m.module), ['vendored']);
  assert.match(result.findings[0].message, /rejects its bytecode/);
});

test('a probe that does not link is one finding with the linker output', async () => {
  const { verify, flags } = await prepared();
  const result = await verify({ linkArgs: [...flags.ldOpt, '-lno_such_library_here'] });
  assert.equal(result.findings.length, 1);
  assert.equal(result.findings[0].code, 'verify-link-failed');
  assert.match(result.findings[0].message, /no_such_library_here/);
});
