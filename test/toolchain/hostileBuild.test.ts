// A cloned repository is hostile: its build cache, its outDir, its embed
// entries and its module names try to make the build write, rename or
// delete outside outDir, read stdin, or crash. Each attack is run for real.
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { test } from 'node:test';
import { MAX_OBJECT_NAME } from '../../server/src/core/embed/mapping';
import { loadBuildProject } from '../../server/src/toolchain/buildProject';
import { compileProject, TEMP_PREFIX } from '../../server/src/toolchain/compile';
import { CACHE_FILE } from '../../server/src/toolchain/compileCache';
import { LOCK_FILE } from '../../server/src/toolchain/outDir';
import { BuildEnvironmentError } from '../../server/src/toolchain/tool';
import { checkJson, runCli } from '../helpers/cli';
import { copyFixture, nmDefined, tempDir, waitForFile, writeScript } from '../helpers/toolchain';

function compile(dir: string, extra: Partial<Parameters<typeof compileProject>[0]> = {}) {
  const project = loadBuildProject(dir);
  return compileProject({ manifest: project.manifest, entries: project.entries, sources: project.sources, ...extra });
}

function cacheWith(keys: Record<string, unknown>): string {
  return JSON.stringify({ version: 1, objects: keys });
}

const ENTRY = { module: 'zz', source: '', sourceHash: '', compiler: '', flags: [], size: 0, mtimeMs: 0 };

async function refusal(promise: Promise<unknown>): Promise<string> {
  try {
    await promise;
  } catch (e) {
    assert.ok(e instanceof BuildEnvironmentError, String(e));
    return e.message;
  }
  assert.fail('the build was not refused');
}

/** Every path under a folder, relative to it (links listed, not followed). */
function tree(dir: string): string[] {
  return (fs.readdirSync(dir, { recursive: true }) as string[]).sort();
}

function setManifest(dir: string, edit: (m: Record<string, unknown>) => void): void {
  const file = path.join(dir, 'resty-build.json');
  const manifest = JSON.parse(fs.readFileSync(file, 'utf8')) as Record<string, unknown>;
  edit(manifest);
  fs.writeFileSync(file, JSON.stringify(manifest));
}

test('a crafted cache cannot make compile delete outside outDir: a ../ key, a folder key and a link are ignored and reported once', async () => {
  const scratch = tempDir();
  const dir = copyFixture('build-basic', scratch);
  const victim = path.join(scratch, 'victim');
  fs.writeFileSync(victim, 'keep me');
  const outDir = path.join(dir, 'build', 'bytecode');
  fs.mkdirSync(path.join(outDir, 'sub'), { recursive: true });
  fs.writeFileSync(path.join(outDir, 'sub', 'inner.o'), 'not ours');
  fs.symlinkSync(victim, path.join(outDir, 'link.o'));
  fs.writeFileSync(path.join(outDir, CACHE_FILE), cacheWith({ '../../../victim': ENTRY, sub: ENTRY, 'link.o': ENTRY, 'sub/inner.o': ENTRY, '__proto__.o': 'no entry' }));

  const result = await compile(dir);
  assert.equal(fs.readFileSync(victim, 'utf8'), 'keep me');
  assert.ok(fs.lstatSync(path.join(outDir, 'link.o')).isSymbolicLink(), 'the link is left alone');
  assert.equal(fs.readFileSync(path.join(outDir, 'sub', 'inner.o'), 'utf8'), 'not ours');
  assert.deepEqual(result.removed, []);
  assert.deepEqual(result.compiled.sort(), ['app.config', 'app.handler', 'resty.core.base', 'vendored']);
  const ignored = result.findings.filter((f) => f.code === 'build-cache-ignored');
  assert.equal(ignored.length, 1, JSON.stringify(result.findings));
  assert.equal(ignored[0].severity, 'warning');
  assert.match(ignored[0].message, /^5 entries of build\/bytecode\/\.resty-build-cache\.json did not name a plain object file directly inside outDir and were ignored \(not followed, not deleted\): "\.\.\/\.\.\/\.\.\/victim", "sub", "link\.o", …\.$/);

  // Through the CLI too: exit 0 (a warning), the victim intact, no stack trace.
  fs.writeFileSync(path.join(outDir, CACHE_FILE), cacheWith({ '../../../victim': ENTRY }));
  const cli = runCli(['compile', dir]);
  assert.equal(cli.status, 0, cli.stderr);
  assert.match(cli.stdout + cli.stderr, /warning build-cache-ignored: 1 entry of build\/bytecode\/\.resty-build-cache\.json/);
  assert.match(cli.stderr, /removed 0/);
  assert.doesNotMatch(cli.stderr, /\n\s+at /);
  assert.equal(fs.readFileSync(victim, 'utf8'), 'keep me');
});

test('an outDir that is a link out of the project, or under one, is refused by real path before anything is written', async () => {
  for (const [layout, outDir] of [
    ['outDir itself links outside', 'build/bytecode'],
    ['a folder above outDir links outside', 'build/bytecode'],
    ['a folder above outDir links to lib/ (the sources)', 'build/bytecode'],
    ['outDir links to the project folder', 'out'],
  ] as const) {
    const scratch = tempDir();
    const dir = copyFixture('build-basic', scratch);
    const outside = path.join(scratch, 'outside');
    fs.mkdirSync(outside);
    if (layout === 'outDir itself links outside') {
      fs.mkdirSync(path.join(dir, 'build'));
      fs.symlinkSync(outside, path.join(dir, 'build', 'bytecode'));
    } else if (layout === 'a folder above outDir links outside') {
      fs.symlinkSync(outside, path.join(dir, 'build'));
    } else if (layout === 'a folder above outDir links to lib/ (the sources)') {
      fs.symlinkSync(path.join(dir, 'lib'), path.join(dir, 'build'));
    } else {
      fs.symlinkSync(dir, path.join(dir, 'out'));
    }
    setManifest(dir, (m) => (m.outDir = outDir));
    const libBefore = tree(path.join(dir, 'lib'));
    const message = await refusal(compile(dir));
    const expected =
      layout === 'a folder above outDir links to lib/ (the sources)'
        ? /^"outDir" \(build\/bytecode, really .*\/lib\/bytecode\) lies inside the source folder lib \(really .*\/lib, from "path"\)/
        : layout === 'outDir links to the project folder'
          ? /^"outDir" \(out\) resolves through a symbolic link to .*, the project folder itself/
          : /^"outDir" \(build\/bytecode\) resolves through a symbolic link to .*\/outside(\/bytecode)?, outside the project folder/;
    assert.match(message, expected, layout);
    assert.deepEqual(tree(outside), [], `${layout}: nothing written outside`);
    assert.deepEqual(tree(path.join(dir, 'lib')), libBefore, `${layout}: nothing written among the sources`);
  }
});

test('a dangling link on the way to outDir is refused: creating folders through it would create them wherever it points', async () => {
  const scratch = tempDir();
  const dir = copyFixture('build-basic', scratch);
  fs.symlinkSync(path.join(scratch, 'not-yet'), path.join(dir, 'build'));
  assert.match(await refusal(compile(dir)), /cannot resolve .*\/build: a symbolic link pointing nowhere/);
  assert.equal(fs.existsSync(path.join(scratch, 'not-yet')), false);
});

test('outDir over a source folder is refused however the folder became one: inferred path, nginx.conf, an embed file, the luakit context', async () => {
  const cases: { name: string; files: Record<string, string>; manifest: Record<string, unknown>; expected: RegExp }[] = [
    {
      name: 'the inferred default path (lib/?.lua)',
      files: { 'lib/app.lua': 'return 1\n' },
      manifest: { embed: ['app'], outDir: 'lib' },
      expected: /"outDir" \(lib\) is the source folder lib \(from the inferred path\)/,
    },
    {
      name: "the nginx.conf's lua_package_path",
      files: { 'src/app.lua': 'return 1\n', 'conf/nginx.conf': 'http { lua_package_path "$prefix/src/?.lua;;"; }\n' },
      manifest: { nginxConf: 'conf/nginx.conf', embed: ['app'], outDir: 'src/out' },
      expected: /"outDir" \(src\/out\) lies inside the source folder src \(from the nginx\.conf lua_package_path\)/,
    },
    {
      name: 'an explicit embed file',
      files: { 'gen/app.lua': 'return 1\n' },
      manifest: { path: ['lib/?.lua'], embed: [{ module: 'app', file: 'gen/app.lua' }], outDir: 'gen' },
      expected: /"outDir" \(gen\) is the source folder gen \(from "embed"\)/,
    },
    {
      name: 'the luakit build context',
      files: { 'tools/build.lua': 'bk.go()\n', 'tools/helper.lua': 'return 1\n' },
      manifest: { profile: 'luakit', buildScript: 'tools/build.lua', path: ['lib/?.lua'], embed: [], outDir: 'tools/out' },
      expected: /"outDir" \(tools\/out\) lies inside the source folder tools \((from "buildScript"|from the luakit build context)\)/,
    },
  ];
  for (const c of cases) {
    const dir = path.join(tempDir(), 'p');
    for (const [name, text] of Object.entries(c.files)) {
      fs.mkdirSync(path.dirname(path.join(dir, name)), { recursive: true });
      fs.writeFileSync(path.join(dir, name), text);
    }
    fs.writeFileSync(path.join(dir, 'resty-build.json'), JSON.stringify(c.manifest));
    const before = tree(dir);
    // check reports it at the manifest's outDir key ...
    const check = runCli(['check', dir, '--format', 'json']);
    const found = checkJson(check.stdout).diagnostics.filter((d) => d.code === 'outdir-overlaps-sources');
    assert.equal(found.length, 1, `${c.name}: ${check.stdout}`);
    assert.match(found[0].message, c.expected, c.name);
    // ... and compile refuses before anything runs or is written.
    const run = runCli(['compile', dir]);
    assert.equal(run.status, 2, `${c.name}: ${run.stderr}`);
    assert.match(run.stderr, c.expected, c.name);
    assert.deepEqual(tree(dir), before, c.name);
  }
});

function hangingCompiler(dir: string): string {
  // Answers the identification like the real one, then hangs on a compile.
  return writeScript(dir, 'hanging-luajit', `case "$*" in -v|*"return 1"*) exec luajit "$@";; esac\ntouch "${dir}/started"\nexec sleep 600`);
}

test('two compiles of one project at once: the second is refused with a clear message while the first holds outDir, and keeps its temp files', async () => {
  const dir = copyFixture('build-basic');
  const outDir = path.join(dir, 'build', 'bytecode');
  const scratch = tempDir();
  const controller = new AbortController();
  const first = compile(dir, { compiler: hangingCompiler(scratch), signal: controller.signal, jobs: 1 });
  await waitForFile(path.join(scratch, 'started'));
  const temps = fs.readdirSync(outDir).filter((n) => n.startsWith(TEMP_PREFIX));
  assert.ok(fs.existsSync(path.join(outDir, LOCK_FILE)));

  const message = await refusal(compile(dir));
  assert.equal(message, `another build (process ${process.pid}, this one) is writing build/bytecode: wait for it to finish and run again (if no build is running, delete ${path.join(outDir, LOCK_FILE)}).`);
  const cli = runCli(['compile', dir]);
  assert.equal(cli.status, 2);
  assert.match(cli.stderr, new RegExp(`another build \\(process ${process.pid}\\) is writing build/bytecode`));
  assert.deepEqual(fs.readdirSync(outDir).filter((n) => n.startsWith(TEMP_PREFIX)), temps, "the refused runs left the first run's files alone");

  controller.abort();
  assert.equal((await first).cancelled, true);
  assert.equal(fs.existsSync(path.join(outDir, LOCK_FILE)), false, 'the lock is released');
  const again = await compile(dir);
  assert.equal(again.compiled.length, 4);
});

test('temp files and a lock left by a run killed outright are cleaned up; temp files of a live process are kept', async () => {
  const dir = copyFixture('build-basic');
  const outDir = path.join(dir, 'build', 'bytecode');
  fs.mkdirSync(outDir, { recursive: true });
  const gone = spawnSync(process.execPath, ['-e', 'process.stdout.write(String(process.pid))'], { encoding: 'utf8' });
  const deadPid = Number(gone.stdout);
  const liveTemp = `${TEMP_PREFIX}${process.pid}-abcdef.o`;
  const deadTemp = `${TEMP_PREFIX}${deadPid}-abcdef.o`;
  fs.writeFileSync(path.join(outDir, liveTemp), 'in progress');
  fs.writeFileSync(path.join(outDir, deadTemp), 'left over');
  fs.writeFileSync(path.join(outDir, LOCK_FILE), `${deadPid}\n`);
  const result = await compile(dir);
  assert.equal(result.compiled.length, 4);
  assert.deepEqual(fs.readdirSync(outDir).filter((n) => n.startsWith(TEMP_PREFIX) || n === LOCK_FILE), [liveTemp]);
});

test("embed files named '-' and '-l' are compiled as files, never read by luajit as stdin or an option", async () => {
  const dir = copyFixture('build-basic');
  fs.writeFileSync(path.join(dir, '-'), 'return "dash"\n');
  fs.writeFileSync(path.join(dir, '-l'), 'return "list"\n');
  setManifest(dir, (m) => (m.embed = [{ module: 'dash', file: '-' }, { module: 'listed', file: '-l' }]));
  const result = await compile(dir, { timeoutMs: 20_000 });
  assert.deepEqual(result.findings.filter((f) => f.severity === 'error'), []);
  assert.deepEqual(result.compiled.sort(), ['dash', 'listed']);
  const outDir = path.join(dir, 'build', 'bytecode');
  assert.deepEqual(nmDefined(path.join(outDir, 'dash.o')), ['luaJIT_BC_dash']);
  assert.deepEqual(nmDefined(path.join(outDir, 'listed.o')), ['luaJIT_BC_listed']);
});

test('a module name of 300 characters compiles to an object with a bounded file name and the full symbol', async () => {
  const dir = copyFixture('build-basic');
  const long = Array.from({ length: 30 }, (_, i) => `segment${String(i).padStart(2, '0')}`).join('.');
  assert.ok(long.length >= 290);
  fs.writeFileSync(path.join(dir, 'long.lua'), 'return 1\n');
  setManifest(dir, (m) => (m.embed = [{ module: long, file: 'long.lua' }, 'app.config']));
  const result = await compile(dir);
  assert.deepEqual(result.findings.filter((f) => f.severity === 'error'), []);
  assert.deepEqual(result.compiled.sort(), ['app.config', long].sort());
  const object = result.objects.find((o) => o.module === long)!.object;
  assert.ok(path.basename(object).length <= MAX_OBJECT_NAME, path.basename(object));
  assert.deepEqual(nmDefined(object), [`luaJIT_BC_${long.replace(/\./g, '_')}`]);
  // The cache keeps it: a second run finds it up to date.
  assert.deepEqual((await compile(dir)).upToDate.sort(), ['app.config', long].sort());
  const map = runCli(['map', dir, '--format', 'json']);
  assert.equal(map.status, 0, map.stderr);
});

test('compile --luajit never runs the manifest\'s "luajit.runtime": a warning says compatibility is unchecked', async () => {
  const dir = copyFixture('build-basic');
  const scratch = tempDir();
  const marker = path.join(scratch, 'runtime-ran');
  const runtime = writeScript(scratch, 'evil-runtime', `touch "${marker}"\nexec luajit "$@"`);
  setManifest(dir, (m) => (m.luajit = { runtime }));
  const run = runCli(['compile', dir, '--luajit', spawnSync('sh', ['-c', 'command -v luajit'], { encoding: 'utf8' }).stdout.trim()]);
  assert.equal(run.status, 0, run.stderr);
  assert.equal(fs.existsSync(marker), false, 'the runtime program was not run');
  assert.match(run.stdout + run.stderr, /warning runtime-unknown: "luajit\.runtime" \(.*evil-runtime\) was not run: the compiler was named outside the manifest/);
  // Without --luajit the manifest's runtime is the one named, and run (trusted CLI use).
  assert.equal(runCli(['compile', dir]).status, 0);
  assert.equal(fs.existsSync(marker), true);
});

test("a project's own jit/bcsave.lua is never run: luajit -b requires jit.bcsave, and LuaJIT's path starts with ./?.lua", () => {
  const dir = copyFixture('build-basic');
  const marker = path.join(tempDir(), 'bcsave-ran');
  fs.mkdirSync(path.join(dir, 'jit'));
  fs.writeFileSync(path.join(dir, 'jit', 'bcsave.lua'), `io.open(${JSON.stringify(marker)}, "w"):write("ran") return { start = function() end }\n`);
  // From inside the project (identifying the compiler) and from elsewhere (the compile jobs run in the project).
  for (const cwd of [dir, tempDir()]) {
    const run = runCli(['compile', dir, '--force'], { cwd });
    assert.equal(run.status, 0, run.stdout + run.stderr);
    assert.equal(fs.existsSync(marker), false, `the project's jit/bcsave.lua ran (compile from ${cwd})`);
    assert.deepEqual(nmDefined(path.join(dir, 'build', 'bytecode', 'app_config.o')), ['luaJIT_BC_app_config']);
  }
});
