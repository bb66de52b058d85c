// A 50 MB file of requires inside the embed closure: check and map stay
// linear and under 500 MB, with the requires past the per-file bound
// reported instead of followed.
import assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { test } from 'node:test';
import { MAX_REQUIRES_PER_FILE } from '../../server/src/core/lua/luaScan';
import { checkJson, runCliWithPeak } from '../helpers/cli';
import { tempDir } from '../helpers/toolchain';

test('a 50 MB file of requires in the embed closure: check, map and compile under 500 MB, too-many-requires at the first one left out', async () => {
  const dir = path.join(tempDir(), 'p');
  fs.mkdirSync(path.join(dir, 'lib', 'mod'), { recursive: true });
  for (let i = 0; i < 10; i++) {
    fs.writeFileSync(path.join(dir, 'lib', 'mod', `n${i}.lua`), 'return {}\n');
  }
  const lines: string[] = [];
  let size = 0;
  for (let i = 0; size < 50 * 1024 * 1024; i++) {
    const line = `local m${i} = require("mod.n${i % 1000}")\n`;
    lines.push(line);
    size += line.length;
  }
  fs.writeFileSync(path.join(dir, 'lib', 'big.lua'), lines.join(''));
  fs.writeFileSync(path.join(dir, 'resty-build.json'), JSON.stringify({ path: ['lib/?.lua'], embed: ['big', ...Array.from({ length: 10 }, (_, i) => `mod.n${i}`)] }));

  const [check, map] = await Promise.all([runCliWithPeak(['check', dir, '--format', 'json']), runCliWithPeak(['map', dir, '--format', 'json'])]);
  assert.equal(check.status, 1, check.stderr.slice(0, 2000));
  const diagnostics = checkJson(check.stdout).diagnostics;
  const cut = diagnostics.filter((d) => d.code === 'too-many-requires');
  assert.deepEqual(cut.map((d) => [d.file, d.line, d.message]), [['lib/big.lua', MAX_REQUIRES_PER_FILE + 1, `This file has ${lines.length} requires; only the first ${MAX_REQUIRES_PER_FILE} are resolved and checked, from here on they are not.`]]);
  // Modules mod.n10 … mod.n999 do not exist: one error per require site kept, none for the rest.
  assert.equal(diagnostics.filter((d) => d.code === 'unresolved-module').length, MAX_REQUIRES_PER_FILE - (MAX_REQUIRES_PER_FILE / 1000) * 10);
  assert.ok(check.peakMb < 500, `check peaked at ${check.peakMb.toFixed(0)} MB`);
  assert.equal(map.status, 1);
  assert.ok((JSON.parse(map.stdout) as { modules: unknown[] }).modules.length >= 11);
  assert.ok(map.peakMb < 500, `map peaked at ${map.peakMb.toFixed(0)} MB`);
  // luajit rejects the file (more than 200 locals in one function): a compile-error, the other modules compiled.
  const compile = await runCliWithPeak(['compile', dir]);
  assert.equal(compile.status, 1, compile.stderr.slice(0, 2000));
  assert.match(compile.stdout, /\/lib\/big\.lua:201:1: error compile-error: main function has more than 200 local variables$/m);
  assert.match(compile.stderr, /compiled 10, up to date 0, failed 1/);
  assert.ok(compile.peakMb < 500, `compile peaked at ${compile.peakMb.toFixed(0)} MB`);
});
