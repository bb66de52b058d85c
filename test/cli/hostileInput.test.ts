// Inputs that never end or never open (devices, FIFOs), tools that hang
// or print without end, and signals: every CLI command finishes or stops
// promptly, with a positioned finding or one clear message.
import assert from 'node:assert/strict';
import { spawn, spawnSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { test } from 'node:test';
import { distFile } from '../helpers/paths';
import { copyFixture, tempDir, waitForFile, writeScript } from '../helpers/toolchain';
import { checkJson } from '../helpers/cli';

interface Exit {
  code: number | null;
  signal: NodeJS.Signals | null;
  stdout: string;
  stderr: string;
}

/** Starts the CLI; `exited` resolves on the process's exit event, or rejects after `boundMs`. */
function startCli(args: string[], env: Record<string, string> = {}, boundMs = 20_000) {
  const child = spawn(process.execPath, [distFile('cli.js'), ...args], { env: { PATH: process.env.PATH ?? '/usr/bin:/bin', ...env }, stdio: ['ignore', 'pipe', 'pipe'] });
  let stdout = '';
  let stderr = '';
  child.stdout.on('data', (b: Buffer) => (stdout += b.toString()));
  child.stderr.on('data', (b: Buffer) => (stderr += b.toString()));
  const exited = new Promise<Exit>((resolve, reject) => {
    const timer = setTimeout(() => {
      child.kill('SIGKILL');
      reject(new Error(`resty-build ${args.join(' ')} did not exit within ${boundMs} ms\n${stderr}`));
    }, boundMs);
    child.on('close', (code, signal) => {
      clearTimeout(timer);
      resolve({ code, signal, stdout, stderr });
    });
  });
  return { child, exited };
}

function project(manifest: Record<string, unknown>, files: Record<string, string> = {}): string {
  const dir = path.join(tempDir(), 'p');
  fs.mkdirSync(path.join(dir, 'lib'), { recursive: true });
  fs.writeFileSync(path.join(dir, 'lib', 'app.lua'), 'return 1\n');
  for (const [name, text] of Object.entries(files)) {
    fs.mkdirSync(path.dirname(path.join(dir, name)), { recursive: true });
    fs.writeFileSync(path.join(dir, name), text);
  }
  fs.writeFileSync(path.join(dir, 'resty-build.json'), JSON.stringify({ path: ['lib/?.lua'], embed: ['app'], ...manifest }, null, 1));
  return dir;
}

test('devices and FIFOs named by the manifest are positioned unsafe-input findings; check, map and init finish without reading them', async () => {
  const dir = project({ nginxConf: 'conf/nginx.conf', buildScript: '/dev/urandom', embed: ['app', { module: 'piped', file: 'lib/piped.lua' }, { module: 'zero', file: '/dev/zero' }] });
  fs.mkdirSync(path.join(dir, 'conf'));
  spawnSync('mkfifo', [path.join(dir, 'conf', 'nginx.conf'), path.join(dir, 'lib', 'piped.lua'), path.join(dir, 'lib', 'fifo.lua')]);
  fs.symlinkSync('/dev/zero', path.join(dir, 'lib', 'zero.lua'));

  const check = await startCli(['check', dir, '--format', 'json']).exited;
  assert.equal(check.code, 1, check.stderr);
  const unsafe = checkJson(check.stdout).diagnostics
    .filter((d) => d.code === 'unsafe-input')
    .map((d) => [d.line, d.message.replace(dir, '<dir>')]);
  // At the embed entries and the keys (the manifest is written one key or entry per line).
  assert.deepEqual(unsafe, [
    [7, '"embed" names <dir>/lib/piped.lua, which is a FIFO (named pipe): it is not read. Name a regular Lua file.'],
    [11, '"embed" names /dev/zero, which is a device: it is not read. Name a regular Lua file.'],
    [16, '"nginxConf" names <dir>/conf/nginx.conf, which is a FIFO (named pipe): it is not read. Name a regular Lua or nginx configuration file.'],
    [17, '"buildScript" names /dev/urandom, which is a device: it is not read. Name a regular Lua file.'],
  ]);
  const missing = checkJson(check.stdout).diagnostics.filter((d) => d.code === 'mapping-file-missing').map((d) => d.message);
  assert.deepEqual(missing, [
    "The file 'lib/piped.lua' given for 'piped' is a FIFO (named pipe): it is not read.",
    `The file '${path.relative(dir, '/dev/zero')}' given for 'zero' is a device: it is not read.`,
  ]);
  const map = await startCli(['map', dir]).exited;
  assert.equal(map.code, 1, map.stderr); // entries that cannot embed
  assert.match(map.stdout, /^app\s/m);
  fs.rmSync(path.join(dir, 'resty-build.json'));
  const init = await startCli(['init', dir, '--stdout']).exited;
  assert.equal(init.code, 0, init.stderr);
  // The build commands refuse a manifest with these errors, at once and with the reason.
  fs.writeFileSync(path.join(dir, 'resty-build.json'), JSON.stringify({ path: ['lib/?.lua'], nginxConf: 'conf/nginx.conf', embed: ['app'] }));
  const compile = await startCli(['compile', dir]).exited;
  assert.equal(compile.code, 2);
  assert.match(compile.stderr, /unsafe-input: "nginxConf" names .*, which is a FIFO/);
});

test('an input larger than the read bound is not read: a positioned finding names the bound', async () => {
  const dir = project({ nginxConf: 'big.conf' });
  const fd = fs.openSync(path.join(dir, 'big.conf'), 'w');
  fs.ftruncateSync(fd, 65 * 1024 * 1024); // sparse: costs no disk
  fs.closeSync(fd);
  const check = await startCli(['check', dir]).exited;
  assert.equal(check.code, 1);
  assert.match(check.stdout, /resty-build\.json:\d+:\d+: error unsafe-input: "nginxConf" names .*big\.conf, which is larger than 64 MB \(68157440 bytes\): it is not read\./);
});

test('a Lua file whose name is not UTF-8 is not counted as analysed: check prints a finding at its folder naming its bytes, and says so in the count', async () => {
  const dir = project({});
  // Latin-1 'lé.lua', made from its bytes: no such name is committed to the repository.
  fs.writeFileSync(Buffer.concat([Buffer.from(path.join(dir, 'lib') + '/'), Buffer.from([0x6c, 0xe9, 0x2e, 0x6c, 0x75, 0x61])]), 'return 1\n');
  const check = await startCli(['check', dir]).exited;
  assert.equal(check.code, 0, check.stderr);
  assert.equal(
    check.stdout.trim(),
    "lib:1:1: warning non-utf8-file-name: Lua file 'l\\xe9.lua' not analysed: the name is not valid UTF-8 (\\xNN stands for such a byte). LuaJIT can require what it names, but `luajit -n` rejects the module name, so it cannot be embedded: rename it.",
  );
  assert.equal(check.stderr.trim(), '0 errors, 1 warning, 0 infos in 1 Lua file (1 more not analysed: name not UTF-8)');
  const json = checkJson((await startCli(['check', dir, '--format', 'json']).exited).stdout);
  assert.deepEqual(json.diagnostics.map((d) => [d.file, d.line, d.code]), [['lib', 1, 'non-utf8-file-name']]);
});

test('a folder of many names that are not UTF-8 (an archive unpacked from Latin-1): ten are named, the rest counted in one finding', async () => {
  const dir = project({});
  const lib = Buffer.from(path.join(dir, 'lib') + '/');
  for (let i = 0; i < 25; i++) {
    fs.writeFileSync(Buffer.concat([lib, Buffer.from(`m${String(i).padStart(2, '0')}`), Buffer.from([0xe9, 0x2e, 0x6c, 0x75, 0x61])]), 'return 1\n');
  }
  const check = await startCli(['check', dir]).exited;
  assert.equal(check.code, 0, check.stderr);
  const lines = check.stdout.trim().split('\n');
  assert.equal(lines.length, 11, check.stdout);
  assert.ok(lines.every((l) => l.startsWith('lib:1:1: warning non-utf8-file-name: ')));
  assert.deepEqual(
    lines.slice(0, 10).map((l) => /Lua file '(.*?)'/.exec(l)?.[1]),
    Array.from({ length: 10 }, (_, i) => `m${String(i).padStart(2, '0')}\\xe9.lua`),
  );
  assert.match(lines[10], /: 15 more Lua files or folders here have names that are not valid UTF-8 \(the first 'm10\\xe9\.lua'\), not analysed either/);
  assert.equal(check.stderr.trim(), '0 errors, 11 warnings, 0 infos in 1 Lua file (25 more not analysed: name not UTF-8)');
});

test("a folder whose name is not UTF-8 is excluded as any folder is: 'lib/d*/**' covers it, no warning is left", async () => {
  const lib = Buffer.from(path.join(project({}), 'lib') + '/');
  const dir = project({ exclude: ['lib/d*/**', 'lib/x*'] });
  for (const base of [lib, Buffer.from(path.join(dir, 'lib') + '/')]) {
    fs.mkdirSync(Buffer.concat([base, Buffer.from([0x64, 0xff])]));
    fs.mkdirSync(Buffer.concat([base, Buffer.from([0x78, 0xff])]));
  }
  const reported = await startCli(['check', path.dirname(lib.toString().slice(0, -1))]).exited;
  assert.equal(reported.stdout.trim().split('\n').filter((l) => l.includes('non-utf8-file-name')).length, 2, reported.stdout);
  const check = await startCli(['check', dir]).exited;
  assert.equal(check.code, 0, check.stderr);
  assert.equal(check.stdout.trim(), '');
});

test('a project folder whose path is not UTF-8 (the working folder or the argument): each command says so, not that it is missing', () => {
  const parent = tempDir();
  // 'pé' in Latin-1, made from its bytes; node gets such a path as text with U+FFFD and cannot open it by that.
  const dir = Buffer.concat([Buffer.from(parent + '/'), Buffer.from([0x70, 0xe9])]);
  fs.mkdirSync(dir);
  fs.writeFileSync(Buffer.concat([dir, Buffer.from('/resty-build.json')]), JSON.stringify({ path: ['?.lua'], embed: [] }));
  const cli = (command: string, arg: string) => {
    // The shell hands over the bytes: node's own spawn takes its cwd and arguments as text.
    const script = `cd "$(printf '${parent}/p\\351')" && exec "$0" "$1" "$2" ${arg}`;
    const run = spawnSync('sh', ['-c', script, process.execPath, distFile('cli.js'), command], { encoding: 'utf8', input: '' });
    return run.stderr.trim();
  };
  const note = /path holds bytes that are not valid UTF-8.*rename the folder/;
  for (const [command, arg] of [
    ['check', '.'],
    ['check', `"$PWD"`],
    ['compile', '.'],
    ['map', '.'],
  ]) {
    const said = cli(command, arg);
    assert.match(said, note, `${command} ${arg}: ${said}`);
    assert.doesNotMatch(said, /does not exist|no resty-build\.json/, `${command} ${arg}`);
  }
});

function hangingLuajit(dir: string): string {
  return writeScript(dir, 'hanging-luajit', `case "$*" in -v|*"return 1"*) exec luajit "$@";; esac\ntouch "${dir}/started"\nexec sleep 600`);
}

for (const [command, signal] of [
  ['compile', 'SIGTERM'],
  ['compile', 'SIGINT'],
  ['verify', 'SIGTERM'],
] as const) {
  test(`${command} stops promptly on ${signal} while luajit hangs: exit 130, the tool killed, nothing half-written`, async () => {
    const dir = copyFixture('build-basic');
    const scratch = tempDir();
    const run = startCli([command, dir, '--luajit', hangingLuajit(scratch), '--jobs', '1'], {}, 15_000);
    await waitForFile(path.join(scratch, 'started'));
    run.child.kill(signal);
    const exit = await run.exited;
    assert.equal(exit.code, 130, exit.stderr);
    const outDir = path.join(dir, 'build', 'bytecode');
    assert.deepEqual(fs.readdirSync(outDir).filter((n) => n.startsWith('.resty-build-tmp-') || n === '.resty-build.lock'), []);
  });
}

test('flags stops promptly on SIGTERM while ar hangs (archive mode)', async () => {
  const dir = copyFixture('build-basic');
  assert.equal(spawnSync(process.execPath, [distFile('cli.js'), 'compile', dir]).status, 0);
  const scratch = tempDir();
  const bin = path.join(scratch, 'bin');
  fs.mkdirSync(bin);
  writeScript(bin, 'ar', `touch "${scratch}/started"\nexec sleep 600`);
  const run = startCli(['flags', dir, '--mode', 'archive'], { PATH: `${bin}:${process.env.PATH ?? '/usr/bin:/bin'}` }, 15_000);
  await waitForFile(path.join(scratch, 'started'));
  run.child.kill('SIGTERM');
  const exit = await run.exited;
  assert.notEqual(exit.code, 0);
  assert.equal(fs.existsSync(path.join(dir, 'build', 'bytecode', '.resty-build.lock')), false);
});

test('a compiler whose -v prints without end is killed at the output bound and reported; memory stays bounded', async () => {
  const dir = copyFixture('build-basic');
  const scratch = tempDir();
  const endless = writeScript(scratch, 'endless-luajit', 'exec yes "LuaJIT 2.1.0 and more and more and more"');
  const run = await startCli(['compile', dir, '--luajit', endless]).exited;
  assert.equal(run.code, 2);
  assert.match(run.stderr, /^resty-build: '.*endless-luajit -v' printed more than 8 MB and was killed: it is not LuaJIT; name another/m);

  // A compiler that identifies correctly, then prints without a line end when asked to compile.
  const chatty = writeScript(scratch, 'chatty-luajit', `case "$*" in -v|*"return 1"*) exec luajit "$@";; esac\nexec tr '\\0' x < /dev/zero`);
  const compile = await startCli(['compile', dir, '--luajit', chatty, '--jobs', '1']).exited;
  assert.equal(compile.code, 1, compile.stderr);
  assert.match(compile.stdout, /error compiler-failed: luajit \(.*chatty-luajit\) answered 'x{120}… \(more than 1048576 bytes without a line end; killed\)' instead of compiling/);
});

test('a reader that stops early (check | head) ends check quietly with 141, as SIGPIPE would, not with a stack trace', async () => {
  // Some 3,000 unresolved modules: far more text than a pipe holds, so check is still writing when the reader goes.
  const requires = Array.from({ length: 3000 }, (_, i) => `local m${i} = require "missing.module${i}"`).join('\n');
  const dir = project({}, { 'lib/app.lua': `${requires}\nreturn 1\n` });
  const { child, exited } = startCli(['check', dir, '--no-cache']);
  child.stdout.once('data', () => child.stdout.destroy());
  const r = await exited;
  assert.equal(r.code, 141, r.stderr);
  assert.doesNotMatch(r.stderr, /EPIPE|Unhandled|internal error/);
});

test('control characters of module and file names never reach the terminal raw: written as \\u00XX, the same character inside JSON', async () => {
  const esc = '\u001b';
  // Would retitle the terminal, clear it, and move the cursor up over the findings before.
  const name = `${esc}]0;title\u0007${esc}[2J${esc}[1A\rx\u009b1A`;
  const luaLiteral = `"${name.replace(/[\u0000-\u001f]/g, (c) => `\\${c.charCodeAt(0)}`)}"`;
  const dir = project({}, { 'lib/app.lua': `local m = require ${luaLiteral}\nreturn 1\n`, [`lib/red${esc}[31m.lua`]: 'local n = require "gone"\nreturn 1\n' });
  for (const format of ['text', 'github', 'json']) {
    const run = await startCli(['check', dir, '--format', format]).exited;
    assert.equal(run.code, 1, run.stderr);
    assert.doesNotMatch(run.stdout + run.stderr, /[\u0000-\u0008\u000b-\u001f\u007f-\u009f]/, format);
    // GitHub's and JSON's own escapes of a carriage return come first there.
    const cr = format === 'github' ? '%0D' : format === 'json' ? '\\r' : '\\u000d';
    assert.ok(run.stdout.includes(`\\u001b]0;title\\u0007\\u001b[2J\\u001b[1A${cr}x\\u009b1A`), `${format}: ${run.stdout}`);
    if (format === 'json') {
      const modules = checkJson(run.stdout).diagnostics.map((d) => [d.file, d.module]);
      assert.ok(modules.some(([, module]) => module === name));
      assert.ok(modules.some(([file]) => file === `lib/red${esc}[31m.lua`));
    }
  }
});
