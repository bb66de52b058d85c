// Hyphenated module names embed under the symbol LuaJIT's loader looks up:
// `-n` with the part after the first '-', and a rename when a '-' remains.
// The probe links the objects like nginx and asks LuaJIT's own preload loader.
import assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { test } from 'node:test';
import { loadBuildProject } from '../../server/src/toolchain/buildProject';
import { compileProject } from '../../server/src/toolchain/compile';
import { computeLinkFlags } from '../../server/src/toolchain/linkFlags';
import { verifyEmbedding } from '../../server/src/toolchain/verify';
import { copyFixture, nmDefined, writeScript, tempDir } from '../helpers/toolchain';

test('single- and double-hyphen modules compile to the loader symbols, and the probe finds them', async () => {
  const dir = copyFixture('build-hyphen');
  const project = loadBuildProject(dir);
  const compiled = await compileProject({ manifest: project.manifest, entries: project.entries });
  // The duplicate entry is compiled once, with a warning as check gives, not a symbol collision.
  assert.deepEqual(
    compiled.findings.map((f) => [f.severity, f.code, f.module]),
    [['warning', 'duplicate-mapping', 'app.main']],
  );
  const outDir = path.join(dir, 'build', 'bytecode');
  assert.deepEqual(nmDefined(path.join(outDir, 'resty_jit-uuid.o')), ['luaJIT_BC_uuid']);
  assert.deepEqual(nmDefined(path.join(outDir, 'app_limit-count_sliding-window.o')), ['luaJIT_BC_count_sliding-window']);

  const flags = computeLinkFlags({ manifest: project.manifest, objects: compiled.objects.map((o) => o.object), mode: 'objects', env: {} });
  const verified = await verifyEmbedding({ manifest: project.manifest, objects: compiled.objects, linkArgs: flags.ldOpt });
  assert.deepEqual(verified.findings, []);
  assert.deepEqual(
    verified.modules.map((m) => `${m.module}:${m.ok}`),
    ['resty.jit-uuid:true', 'app.limit-count.sliding-window:true', 'app.main:true'],
  );
});

test('the rename is part of the cache key: an unchanged hyphenated module is not compiled again', async () => {
  const dir = copyFixture('build-hyphen');
  const project = loadBuildProject(dir);
  await compileProject({ manifest: project.manifest, entries: project.entries });
  const again = await compileProject({ manifest: project.manifest, entries: project.entries });
  assert.deepEqual(again.compiled, []);
  assert.deepEqual(again.upToDate.sort(), ['app.limit-count.sliding-window', 'app.main', 'resty.jit-uuid']);
});

test('without objcopy, a module that needs a rename is an environment error naming objcopy and the fix', async () => {
  const dir = copyFixture('build-hyphen');
  const project = loadBuildProject(dir);
  const bin = tempDir();
  fs.symlinkSync(fs.realpathSync('/usr/bin/luajit'), path.join(bin, 'luajit'));
  const saved = { PATH: process.env.PATH, OBJCOPY: process.env.OBJCOPY };
  process.env.PATH = bin;
  delete process.env.OBJCOPY;
  try {
    await assert.rejects(compileProject({ manifest: project.manifest, entries: project.entries }), /'objcopy' not found on PATH.*apt-get install binutils/);
  } finally {
    process.env.PATH = saved.PATH;
    if (saved.OBJCOPY !== undefined) {
      process.env.OBJCOPY = saved.OBJCOPY;
    }
  }
});

test('an objcopy that fails: the module is reported with its output, no object is left in place', async () => {
  const dir = copyFixture('build-hyphen');
  const project = loadBuildProject(dir);
  const failing = writeScript(tempDir(), 'objcopy', 'echo "objcopy: cannot rename" >&2; exit 1');
  const saved = process.env.OBJCOPY;
  process.env.OBJCOPY = failing;
  try {
    const result = await compileProject({ manifest: project.manifest, entries: project.entries });
    assert.deepEqual(result.failed, ['app.limit-count.sliding-window']);
    const finding = result.findings.find((f) => f.module === 'app.limit-count.sliding-window')!;
    assert.equal(finding.code, 'symbol-missing');
    assert.match(finding.message, /cannot rename/);
    assert.equal(fs.existsSync(path.join(dir, 'build', 'bytecode', 'app_limit-count_sliding-window.o')), false);
  } finally {
    if (saved === undefined) {
      delete process.env.OBJCOPY;
    } else {
      process.env.OBJCOPY = saved;
    }
  }
});
