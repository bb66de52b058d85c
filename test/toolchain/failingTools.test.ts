// Each failing tool gives one clear message naming the tool and the
// fix, and nothing half-written is left behind; compile never writes
// outside outDir.
import assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { test } from 'node:test';
import { loadBuildProject } from '../../server/src/toolchain/buildProject';
import { compileProject, TEMP_PREFIX } from '../../server/src/toolchain/compile';
import { CACHE_FILE } from '../../server/src/toolchain/compileCache';
import { writeAtomically } from '../../server/src/toolchain/outDir';
import { identifyLuaJit } from '../../server/src/toolchain/luajitInfo';
import { BuildEnvironmentError } from '../../server/src/toolchain/tool';
import { findProbeToolchain } from '../../server/src/toolchain/verify';
import { copyFixture, tempDir, writeScript } from '../helpers/toolchain';

const NAMED = 'name another with --luajit, the restyBuild.luajitPath setting or "luajit.compiler" in resty-build.json';

async function rejection(p: Promise<unknown>): Promise<string> {
  try {
    await p;
  } catch (e) {
    assert.ok(e instanceof BuildEnvironmentError, `a BuildEnvironmentError, not ${String(e)}`);
    return e.message;
  }
  assert.fail('expected a rejection');
}

function compile(dir: string, extra: Partial<Parameters<typeof compileProject>[0]> = {}) {
  const project = loadBuildProject(dir);
  return compileProject({ manifest: project.manifest, entries: project.entries, sources: project.sources, ...extra });
}

/** Every file under dir, relative, sorted. */
function tree(dir: string): string[] {
  return fs.existsSync(dir) ? (fs.readdirSync(dir, { recursive: true }) as string[]).sort() : [];
}

test('luajit missing, not executable, printing garbage, exiting non-zero, hanging: one message each, naming it and the fix', async () => {
  const dir = tempDir();
  assert.equal(
    await rejection(identifyLuaJit('/nonexistent/luajit')),
    `LuaJIT '/nonexistent/luajit' not found: install it (Debian: apt-get install luajit2) or name it with --luajit, the restyBuild.luajitPath setting or "luajit.compiler" in resty-build.json.`,
  );
  const plain = path.join(dir, 'luajit-plain');
  fs.writeFileSync(plain, '#!/bin/sh\necho LuaJIT\n', { mode: 0o644 });
  assert.equal(await rejection(identifyLuaJit(plain)), `LuaJIT '${plain}' is not an executable file: make it executable (chmod +x) or ${NAMED}.`);
  const garbage = writeScript(dir, 'garbage', 'printf "\\001\\002 hello there"');
  assert.equal(await rejection(identifyLuaJit(garbage)), `'${garbage}' is not LuaJIT: '-v' printed '\u0001\u0002 hello there' (exit 0); ${NAMED}.`);
  const failing = writeScript(dir, 'failing', 'exit 3');
  assert.equal(await rejection(identifyLuaJit(failing)), `'${failing}' is not LuaJIT: '-v' printed '' (exit 3); ${NAMED}.`);
  const marker = path.join(dir, 'still-running');
  const hanging = writeScript(dir, 'hanging', `sleep 30; touch '${marker}'`);
  const started = Date.now();
  assert.equal(await rejection(identifyLuaJit(hanging, { timeoutMs: 300 })), `'${hanging} -v' did not answer within 0.3 s and was killed: is it hanging? Check it, or ${NAMED}.`);
  assert.ok(Date.now() - started < 5_000);
});

test('a luajit that passes -v but answers the compile with garbage: compiler-failed per module, no object left', async () => {
  const dir = copyFixture('build-basic');
  // Real -v and -b answers, then nonsense instead of the worker protocol.
  const fake = writeScript(tempDir(), 'luajit', 'if [ "$1" = "-e" ]; then while read line; do echo "Segmentation fault (core dumped)"; done; else exec luajit "$@"; fi');
  const result = await compile(dir, { compiler: fake });
  assert.deepEqual(result.compiled, []);
  assert.equal(result.failed.length, 4);
  assert.equal(
    result.findings.find((f) => f.module === 'app.config')?.message,
    `luajit (${fake}) answered 'Segmentation fault (core dumped)' instead of compiling 'app.config' (lib/app/config.lua): it does not behave like LuaJIT's bytecode compiler. Name a real LuaJIT with --luajit, the restyBuild.luajitPath setting or "luajit.compiler".`,
  );
  assert.deepEqual(tree(path.join(dir, 'build', 'bytecode')), [CACHE_FILE]);
});

test('the C compiler missing for verify: the message names what is missing and how to install it', async () => {
  assert.equal(
    await rejection(findProbeToolchain({ PATH: '/nonexistent' })),
    'verify needs a C compiler (cc, gcc or clang). Debian/Ubuntu: apt-get install gcc libluajit2-5.1-dev (or pkg-config with a luajit.pc).',
  );
});

test('outDir that cannot be created: an environment error naming it and the file in the way; nothing written', async () => {
  const dir = copyFixture('build-basic');
  const outDir = path.join(dir, 'build', 'bytecode');
  fs.writeFileSync(path.join(dir, 'build'), 'a file where the folder should be');
  assert.equal(
    await rejection(compile(dir)),
    `outDir '${outDir}' cannot be made: a folder on the way to ${outDir} is a file, not a folder. Change "outDir" in resty-build.json or move the file.`,
  );
  fs.rmSync(path.join(dir, 'build'));
  fs.mkdirSync(path.join(dir, 'build'));
  fs.writeFileSync(outDir, 'a file named like the folder');
  assert.equal(
    await rejection(compile(dir)),
    `outDir '${outDir}' cannot be made: ${outDir} is a file, not a folder. Change "outDir" in resty-build.json or move the file.`,
  );
  assert.equal(fs.readFileSync(outDir, 'utf8'), 'a file named like the folder');
});

test('a full disk (ENOSPC) while writing: a clear error, the temp file removed, the old file intact', async () => {
  const dir = tempDir();
  const file = path.join(dir, 'state.json');
  fs.writeFileSync(file, 'old');
  const full = {
    writeFileSync(f: string, data: string | Buffer) {
      fs.writeFileSync(f, String(data).slice(0, 3)); // part of it reached the disk
      throw Object.assign(new Error('ENOSPC: no space left on device, write'), { code: 'ENOSPC' });
    },
    renameSync: fs.renameSync,
  };
  assert.throws(
    () => writeAtomically(file, 'new content', full),
    (e: Error) =>
      e instanceof BuildEnvironmentError &&
      e.message === `cannot write ${file}: ENOSPC (no space left on the device). Free space or fix the permissions there, or change "outDir" in resty-build.json.`,
  );
  assert.deepEqual(fs.readdirSync(dir), ['state.json']);
  assert.equal(fs.readFileSync(file, 'utf8'), 'old');

  // Through a whole compile: objects are renamed into place through the same writer.
  const project = copyFixture('build-basic');
  const failingRename = { writeFileSync: full.writeFileSync, renameSync: () => { throw Object.assign(new Error('ENOSPC'), { code: 'ENOSPC' }); } };
  const message = await rejection(compile(project, { writer: failingRename, jobs: 1 }));
  assert.match(message, /^cannot write .*\.o: ENOSPC \(no space left on the device\)\. Free space/);
  const outDir = path.join(project, 'build', 'bytecode');
  assert.deepEqual(tree(outDir).filter((n) => n.startsWith(TEMP_PREFIX) || n.endsWith('.o')), [], 'no temp file and no partial object');
});

test('compile writes only inside outDir: odd module names and an outDir over the sources are refused first', async () => {
  const dir = copyFixture('build-basic');
  const manifestFile = path.join(dir, 'resty-build.json');
  const manifest = JSON.parse(fs.readFileSync(manifestFile, 'utf8'));
  manifest.embed = ['../../escape', { module: 'a/../../b', file: 'lib/app/config.lua' }, 'app.config'];
  fs.writeFileSync(manifestFile, JSON.stringify(manifest));
  const before = tree(path.dirname(dir));
  const result = await compile(dir);
  assert.deepEqual(result.compiled, ['app.config']);
  const after = tree(path.dirname(dir)).filter((f) => !before.includes(f));
  const out = path.join(path.basename(dir), 'build');
  assert.deepEqual(after, [out, path.join(out, 'bytecode'), path.join(out, 'bytecode', CACHE_FILE), path.join(out, 'bytecode', 'app_config.o')]);
  assert.deepEqual(
    result.findings.map((f) => [f.code, f.module]),
    [
      ['mapping-file-missing', '../../escape'],
      ['bad-module-name', 'a/../../b'],
    ],
  );

  manifest.outDir = 'lib';
  fs.writeFileSync(manifestFile, JSON.stringify(manifest));
  const lib = tree(path.join(dir, 'lib'));
  assert.equal(
    await rejection(compile(dir)),
    `${manifestFile}: "outDir" (lib) is the source folder lib (from "path"): compiled objects would be mixed with the Lua sources. Choose a folder of its own inside the project, e.g. "build/bytecode".`,
  );
  assert.deepEqual(tree(path.join(dir, 'lib')), lib);
});
