// A manifest of hundreds of thousands of entries (or templates) is read up
// to a bound, checked and mapped in linear time with bounded memory, and
// never overflows the stack.
import assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { test } from 'node:test';
import { MemoryFileSystem } from '../../server/src/core/memoryFileSystem';
import { MANIFEST_LIST_LIMITS, MANIFEST_NAME, parseManifest } from '../../server/src/core/manifest/manifest';
import { createProject } from '../../server/src/core/resolve/project';
import { MEM_ROOT } from '../helpers/core';
import { checkJson, runCliWithPeak as cliWithPeak } from '../helpers/cli';
import { tempDir } from '../helpers/toolchain';

const ENTRIES = 500_000;


test(`a manifest of ${ENTRIES} embed entries: check and map answer with a positioned finding at the first entry left out, within bounded memory`, async () => {
  const dir = path.join(tempDir(), 'huge');
  fs.mkdirSync(path.join(dir, 'lib'), { recursive: true });
  fs.writeFileSync(path.join(dir, 'lib', 'm1.lua'), 'return 1\n');
  const embed = Array.from({ length: ENTRIES }, (_, i) => `m${i}`);
  fs.writeFileSync(path.join(dir, MANIFEST_NAME), `{"path": ["lib/?.lua"],\n"embed": [\n${embed.map((e) => JSON.stringify(e)).join(',\n')}\n]}\n`);

  const [check, map] = await Promise.all([cliWithPeak(['check', dir, '--format', 'json']), cliWithPeak(['map', dir, '--format', 'json'])]);
  // A manifest read only in part is unusable as written: exit 2, as for one that does not parse.
  assert.equal(check.status, 2, check.stderr.slice(0, 2000));
  assert.doesNotMatch(check.stderr, /Maximum call stack|internal error/);
  const diagnostics = checkJson(check.stdout).diagnostics;
  const cut = diagnostics.filter((d) => d.code === 'manifest-invalid');
  const limit = MANIFEST_LIST_LIMITS.embed;
  assert.deepEqual(cut, [{ ...cut[0], line: limit + 3, message: `embed has ${ENTRIES} entries; only the first ${limit} are read.` }]);
  // Every entry read but m1 is missing: one finding each, none for the entries left out.
  assert.equal(diagnostics.filter((d) => d.code === 'mapping-file-missing').length, limit - 1);
  assert.ok(check.peakMb < 500, `check peaked at ${check.peakMb.toFixed(0)} MB`);

  // map, like compile, refuses a manifest it would read in part, at the same position.
  assert.equal(map.status, 2, map.stderr.slice(0, 2000));
  assert.equal(map.stdout, '');
  assert.match(map.stderr, new RegExp(`^resty-build map: .*resty-build\\.json:${limit + 3}:\\d+: embed has ${ENTRIES} entries; only the first ${limit} are read\\.`));
  assert.ok(map.peakMb < 500, `map peaked at ${map.peakMb.toFixed(0)} MB`);
});

test('path templates past the bound, in the manifest or in nginx.conf, are cut: every require would try each of them', () => {
  const many = Array.from({ length: 5000 }, (_, i) => `t${i}/?.lua`);
  const file = path.join(MEM_ROOT, MANIFEST_NAME);
  const asString = parseManifest(file, JSON.stringify({ path: many.join(';') }));
  assert.equal(asString.manifest!.path!.length, MANIFEST_LIST_LIMITS.path);
  assert.deepEqual(asString.findings.map((f) => [f.code, f.message]), [['manifest-invalid', `path has 5000 templates; only the first ${MANIFEST_LIST_LIMITS.path} are read.`]]);
  const asArray = parseManifest(file, JSON.stringify({ cpath: many, provided: Array.from({ length: 60_000 }, (_, i) => `p${i}`) }));
  assert.equal(asArray.manifest!.cpath!.length, MANIFEST_LIST_LIMITS.cpath);
  assert.equal(asArray.manifest!.provided.length, MANIFEST_LIST_LIMITS.provided);
  assert.deepEqual(asArray.findings.map((f) => f.message), [
    `cpath has 5000 entries; only the first ${MANIFEST_LIST_LIMITS.cpath} are read.`,
    `provided has 60000 entries; only the first ${MANIFEST_LIST_LIMITS.provided} are read.`,
  ]);

  const conf = path.join(MEM_ROOT, 'conf', 'nginx.conf');
  const memFs = new MemoryFileSystem({ [conf]: `http { lua_package_path "${many.join(';')};;"; }\n` });
  const project = createProject(memFs, { PATH: '' }, MEM_ROOT);
  assert.ok(project.resolver.lua.length <= 100 + 10, `${project.resolver.lua.length} templates`);
});
