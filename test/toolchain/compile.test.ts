import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { test } from 'node:test';
import { loadBuildProject } from '../../server/src/toolchain/buildProject';
import { compileProject, TEMP_PREFIX } from '../../server/src/toolchain/compile';
import { CACHE_FILE } from '../../server/src/toolchain/compileCache';
import { parseCompileError } from '../../server/src/toolchain/compileModule';
import { exportedSymbols } from '../../server/src/toolchain/elf';
import { BuildEnvironmentError } from '../../server/src/toolchain/tool';
import { copyFixture, nmDefined, tempDir, waitForFile, writeScript } from '../helpers/toolchain';

function compile(dir: string, extra: Partial<Parameters<typeof compileProject>[0]> = {}) {
  const project = loadBuildProject(dir);
  return compileProject({ manifest: project.manifest, entries: project.entries, sources: project.sources, ...extra });
}

function leftovers(outDir: string): string[] {
  return fs.readdirSync(outDir).filter((n) => n.startsWith(TEMP_PREFIX));
}

test('compiles every embedded module to an object defining luaJIT_BC_<module> (ELF reader and nm agree)', async () => {
  const dir = copyFixture('build-basic');
  const result = await compile(dir);
  assert.deepEqual(result.findings, []);
  assert.deepEqual(result.compiled.sort(), ['app.config', 'app.handler', 'resty.core.base', 'vendored']);
  const outDir = path.join(dir, 'build', 'bytecode');
  const expected: Record<string, string> = {
    'resty_core_base.o': 'luaJIT_BC_resty_core_base',
    'app_config.o': 'luaJIT_BC_app_config',
    'app_handler.o': 'luaJIT_BC_app_handler',
    'vendored.o': 'luaJIT_BC_vendored',
  };
  for (const [object, symbol] of Object.entries(expected)) {
    const file = path.join(outDir, object);
    assert.deepEqual(exportedSymbols(fs.readFileSync(file)), [symbol], object);
    assert.deepEqual(nmDefined(file), [symbol], object);
  }
  assert.deepEqual(result.objects.map((o) => path.basename(o.object)), ['resty_core_base.o', 'app_config.o', 'app_handler.o', 'vendored.o']);
  assert.deepEqual(leftovers(outDir), []);
});

test('a second compile with nothing changed does no work; a changed file recompiles only itself', async () => {
  const dir = copyFixture('build-basic');
  await compile(dir);
  const base = path.join(dir, 'build', 'bytecode', 'resty_core_base.o');
  const before = fs.statSync(base).mtimeMs;
  const again = await compile(dir);
  assert.deepEqual(again.compiled, []);
  assert.equal(again.upToDate.length, 4);
  assert.equal(fs.statSync(base).mtimeMs, before);

  fs.appendFileSync(path.join(dir, 'lib', 'app', 'config.lua'), '-- changed\n');
  const third = await compile(dir);
  assert.deepEqual(third.compiled, ['app.config']);
  assert.equal(third.upToDate.length, 3);
});

test('a changed debugInfo flag or compiler recompiles; a deleted object is rebuilt', async () => {
  const dir = copyFixture('build-basic');
  await compile(dir);
  const manifestFile = path.join(dir, 'resty-build.json');
  fs.writeFileSync(manifestFile, fs.readFileSync(manifestFile, 'utf8').replace('"debugInfo": true', '"debugInfo": false'));
  assert.equal((await compile(dir)).compiled.length, 4);
  fs.rmSync(path.join(dir, 'build', 'bytecode', 'app_config.o'));
  assert.deepEqual((await compile(dir)).compiled, ['app.config']);
});

test('a syntax error gives one finding at the line luajit reports; the other modules still compile', async () => {
  const dir = copyFixture('build-syntax-error');
  const result = await compile(dir);
  assert.deepEqual(result.compiled.sort(), ['good_one', 'good_two']);
  assert.deepEqual(result.failed, ['broken']);
  assert.equal(result.findings.length, 1);
  const [f] = result.findings;
  assert.equal(f.code, 'compile-error');
  assert.equal(f.file, path.join(dir, 'lib', 'broken.lua'));
  assert.equal(f.range.start.line, 3); // luajit says line 4 ("near 'end'"), zero-based 3
  assert.match(f.message, /unexpected symbol near 'end'/);
  assert.ok(!fs.existsSync(path.join(dir, 'out', 'broken.o')));
});

test('objects of modules no longer embedded are removed; files the tool did not write are kept', async () => {
  const dir = copyFixture('build-basic');
  const outDir = path.join(dir, 'build', 'bytecode');
  fs.mkdirSync(outDir, { recursive: true });
  fs.writeFileSync(path.join(outDir, 'keep.txt'), 'mine');
  fs.writeFileSync(path.join(outDir, 'handmade.o'), 'not ours');
  await compile(dir);
  const manifestFile = path.join(dir, 'resty-build.json');
  fs.writeFileSync(manifestFile, fs.readFileSync(manifestFile, 'utf8').replace('"app.config",', ''));
  const result = await compile(dir);
  assert.deepEqual(result.removed, [path.join(outDir, 'app_config.o')]);
  assert.deepEqual(fs.readdirSync(outDir).sort(), [CACHE_FILE, 'app_handler.o', 'handmade.o', 'keep.txt', 'resty_core_base.o', 'vendored.o']);
});

test('aborting mid-build leaves only complete, valid objects and no temp files', async () => {
  const root = tempDir();
  const lib = path.join(root, 'lib');
  fs.mkdirSync(lib);
  const names = Array.from({ length: 40 }, (_, i) => `m${i}`);
  for (const n of names) {
    fs.writeFileSync(path.join(lib, `${n}.lua`), `local t = {}\nfor i = 1, 100 do t[i] = i * ${n.length} end\nreturn t\n`);
  }
  fs.writeFileSync(path.join(root, 'resty-build.json'), JSON.stringify({ path: ['lib/?.lua'], embed: names, outDir: 'out' }));
  const controller = new AbortController();
  const result = await compile(root, {
    jobs: 2,
    signal: controller.signal,
    onProgress: (p) => {
      if (p.done === 3) {
        controller.abort();
      }
    },
  });
  assert.equal(result.cancelled, true);
  const outDir = path.join(root, 'out');
  assert.deepEqual(leftovers(outDir), []);
  const objects = fs.readdirSync(outDir).filter((n) => n.endsWith('.o'));
  assert.ok(objects.length >= 3 && objects.length < names.length, `${objects.length} objects`);
  for (const o of objects) {
    assert.deepEqual(exportedSymbols(fs.readFileSync(path.join(outDir, o))), [`luaJIT_BC_${o.slice(0, -2)}`]);
  }
  // The finished ones are remembered: the next build compiles only the rest.
  const rest = await compile(root);
  assert.equal(rest.compiled.length + rest.upToDate.length, names.length);
  assert.equal(rest.upToDate.length, objects.length);
});

function hangingCompiler(dir: string): string {
  // Answers the identification (-v, the header dump) like the real one, then hangs on a compile.
  return writeScript(
    dir,
    'hanging-luajit',
    `case "$*" in -v|*"return 1"*) exec luajit "$@";; esac\ntouch "${dir}/started"\nexec sleep 600`,
  );
}

test('a hanging compiler is killed after the timeout, with a message naming it, and leaves nothing behind', async () => {
  const dir = copyFixture('build-syntax-error');
  const fake = hangingCompiler(tempDir());
  const result = await compile(dir, { compiler: fake, timeoutMs: 300 });
  assert.equal(result.failed.length, 3);
  assert.equal(result.findings.length, 3);
  for (const f of result.findings) {
    assert.equal(f.code, 'compiler-failed');
    assert.ok(f.message.includes(`luajit (${fake}) did not finish compiling`), f.message);
    assert.match(f.message, /within 0\.3 s and was killed/);
  }
  assert.deepEqual(leftovers(path.join(dir, 'out')), []);
});

test('cancelling while the compiler hangs stops at once and leaves no partial object', async () => {
  const dir = copyFixture('build-syntax-error');
  const scratch = tempDir();
  const fake = hangingCompiler(scratch);
  const controller = new AbortController();
  const pending = compile(dir, { compiler: fake, signal: controller.signal });
  await waitForFile(path.join(scratch, 'started'));
  controller.abort();
  const result = await pending;
  assert.equal(result.cancelled, true);
  assert.deepEqual(result.compiled, []);
  assert.deepEqual(fs.readdirSync(path.join(dir, 'out')).filter((n) => n !== CACHE_FILE), []);
});

test('a missing compiler or an unwritable outDir is an environment error', async () => {
  const dir = copyFixture('build-basic');
  await assert.rejects(compile(dir, { compiler: '/nonexistent/luajit' }), (e: Error) => e instanceof BuildEnvironmentError && /not found/.test(e.message));
  fs.writeFileSync(path.join(dir, 'build'), 'a file where outDir should be');
  await assert.rejects(compile(dir), (e: Error) => e instanceof BuildEnvironmentError && /outDir/.test(e.message));
});

test('parseCompileError reads the line, also from a chunk name Lua shortened to ...<tail>', () => {
  assert.deepEqual(parseCompileError("luajit: lib/x.lua:3: '=' expected near 'end'\n", 'lib/x.lua'), { line: 3, message: "'=' expected near 'end'" });
  const long = 'a'.repeat(30) + '/' + 'b'.repeat(40) + '/bad.lua';
  assert.deepEqual(parseCompileError(`luajit: ...${long.slice(-56)}:2: unexpected symbol near 'end'`, long), { line: 2, message: "unexpected symbol near 'end'" });
  assert.deepEqual(parseCompileError('luajit: cannot open x.lua: No such file or directory', 'x.lua'), { message: 'cannot open x.lua: No such file or directory' });
});

test('the long-lived worker writes byte-identical objects to a plain `luajit -bg -n` run (and -b to `luajit -b`)', async () => {
  const dir = copyFixture('build-basic');
  await compile(dir);
  const outDir = path.join(dir, 'build', 'bytecode');
  const direct = spawnSync('luajit', ['-bg', '-n', 'app.handler', '-t', 'o', 'lib/app/handler/init.lua', path.join(dir, 'direct.o')], { cwd: dir });
  assert.equal(direct.status, 0, String(direct.stderr));
  assert.ok(fs.readFileSync(path.join(dir, 'direct.o')).equals(fs.readFileSync(path.join(outDir, 'app_handler.o'))));
  const manifestFile = path.join(dir, 'resty-build.json');
  fs.writeFileSync(manifestFile, fs.readFileSync(manifestFile, 'utf8').replace('"debugInfo": true', '"debugInfo": false'));
  await compile(dir);
  spawnSync('luajit', ['-b', '-n', 'app.handler', '-t', 'o', 'lib/app/handler/init.lua', path.join(dir, 'direct.o')], { cwd: dir });
  assert.ok(fs.readFileSync(path.join(dir, 'direct.o')).equals(fs.readFileSync(path.join(outDir, 'app_handler.o'))));
});

test('a compiler that dies mid-compile is reported per module, naming it', async () => {
  const dir = copyFixture('build-syntax-error');
  const fake = writeScript(tempDir(), 'dying-luajit', 'case "$*" in -v|*"return 1"*) exec luajit "$@";; esac\necho "segfault, sorry" >&2\nexit 3');
  const result = await compile(dir, { compiler: fake });
  assert.equal(result.failed.length, 3);
  for (const f of result.findings) {
    assert.equal(f.code, 'compiler-failed');
    assert.ok(f.message.startsWith(`luajit (${fake}) exited (3) while compiling`), f.message);
    assert.match(f.message, /segfault, sorry/);
  }
});
