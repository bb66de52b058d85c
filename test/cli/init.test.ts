// resty-build init: the manifest the analysis infers for a folder without one.
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { test } from 'node:test';
import { checkJson, runCli } from '../helpers/cli';
import { fixture, tempDirFor, writeTree } from '../helpers/paths';

function inferred(dir: string, env: Record<string, string> = {}): Record<string, unknown> {
  const run = runCli(['init', dir, '--stdout'], { env });
  assert.equal(run.status, 0, run.stderr);
  return JSON.parse(run.stdout);
}

test('init: a luakit stdlib in a folder named ..stdlib inside the project is written relative', (t) => {
  const tmp = tempDirFor(t);
  const project = path.join(tmp, 'project');
  writeTree(project, {
    'build.lua': 'local helper = require "helper"\nbk.run("true")\n',
    '..stdlib/helper.lua': 'return {}\n',
  });
  const manifest = inferred(project, { LUAKIT_STDLIB_DIR: path.join(project, '..stdlib') });
  assert.equal(manifest.profile, 'luakit');
  assert.equal(manifest.buildScript, 'build.lua');
  assert.equal(manifest.stdlib, '..stdlib');
});

test('init: a luakit stdlib outside the project is left to the environment', (t) => {
  const tmp = tempDirFor(t);
  const project = path.join(tmp, 'project');
  writeTree(tmp, {
    'project/build.lua': 'local helper = require "helper"\nbk.run("true")\n',
    'stdlib/helper.lua': 'return {}\n',
  });
  const manifest = inferred(project, { LUAKIT_STDLIB_DIR: path.join(tmp, 'stdlib') });
  assert.equal(manifest.profile, 'luakit');
  assert.equal('stdlib' in manifest, false);
});

/** The manifest init prints, without the comment lines it puts first. */
function inferredWithNotes(dir: string): { manifest: Record<string, unknown>; notes: string[] } {
  const run = runCli(['init', dir, '--stdout']);
  assert.equal(run.status, 0, run.stderr);
  const lines = run.stdout.split('\n');
  return { manifest: JSON.parse(lines.filter((l) => !l.startsWith('//')).join('\n')), notes: lines.filter((l) => l.startsWith('//   ')).map((l) => l.slice(5)) };
}

/** Copies a fixture, runs init in it, and returns the copy; what init said goes to `said` when given. */
function initialised(t: { after: (fn: () => void) => void }, scenario: string, said?: string[]): string {
  const tmp = tempDirFor(t, scenario);
  const run = runCli(['init', tmp]);
  assert.equal(run.status, 0, run.stderr);
  said?.push(...run.stderr.trimEnd().split('\n').map((l) => l.replace(tmp, '<dir>')));
  return tmp;
}

function checkedFindings(dir: string): { status: number | null; findings: [string, string, string | null][] } {
  const run = runCli(['check', dir, '--format', 'json']);
  const out = checkJson(run.stdout);
  return { status: run.status, findings: out.diagnostics.map((d) => [d.file, d.code, d.module]) };
}

/** compile and verify accept the manifest: every module compiles, and a probe linked like nginx finds each one. */
function assertBuilds(dir: string): void {
  const compile = runCli(['compile', dir]);
  assert.equal(compile.status, 0, compile.stdout + compile.stderr);
  const verify = runCli(['verify', dir]);
  assert.equal(verify.status, 0, verify.stdout + verify.stderr);
}

test('init on a rockspec project: build.modules names the modules, init.lua gives the folder name, tests and scripts are excluded', (t) => {
  const { manifest, notes } = inferredWithNotes(fixture('init-rockspec'));
  assert.deepEqual(manifest.path, ['?.lua', '?/init.lua', ';;']);
  assert.deepEqual(manifest.exclude, ['scripts/**', 'spec/**']);
  assert.deepEqual(manifest.embed, [
    'kong',
    'kong.db',
    'kong.plugins.basic-auth.handler',
    'kong.plugins.rate-limiting.handler',
    'kong.plugins.rate-limiting.schema',
    'kong.tools.utils',
    // A file no search root names that way keeps its mapping.
    { module: 'kong.vendor.sha1', file: 'vendor/sha1.lua' },
  ]);
  // What cannot be embedded is left out with the reason, so the build commands accept the manifest.
  assert.deepEqual(notes, [
    'kong.clib: a C module in kong-3.0.0-0.rockspec, which cannot be compiled to bytecode (ship it in the runtime image)',
    'kong.plugins.key-auth.handler: looked up as luaJIT_BC_auth_handler, like kong.plugins.basic-auth.handler, which is embedded',
  ]);
  const said: string[] = [];
  const dir = initialised(t, 'init-rockspec', said);
  // It says what it wrote, what it left out and why, and what to run next.
  assert.deepEqual(said, [
    'wrote <dir>/resty-build.json: profile openresty, 7 modules in "embed", 2 left out (a comment at its top says why):',
    ...notes.map((n) => `  ${n}`),
    'next: resty-build check',
  ]);
  const checked = checkedFindings(dir);
  assert.equal(checked.status, 0);
  assert.deepEqual(checked.findings, [['resty-build.json', 'mapping-name-mismatch', 'kong.vendor.sha1']]);
  assertBuilds(dir);
});

test('init on an opm-style library: lib/ is the search root; tests, examples and benchmarks stay out unless an embedded module requires them', (t) => {
  const { manifest, notes } = inferredWithNotes(fixture('init-opm'));
  assert.deepEqual(manifest.path, ['lib/?.lua', 'lib/?/init.lua', ';;']);
  assert.deepEqual(manifest.exclude, ['bench.lua', 'examples/**', 't/**']);
  // resty.redis, not lib.resty.redis; resty.store from lib/resty/store/init.lua; t.lib.mock because resty.redis requires it.
  assert.deepEqual(manifest.embed, ['resty.redis', 'resty.store', 'resty.store.backend', 't.lib.mock']);
  assert.deepEqual(notes, []);
  const dir = initialised(t, 'init-opm');
  assert.deepEqual(checkedFindings(dir), { status: 0, findings: [] });
  assertBuilds(dir);
});

test('init on a project with conf/nginx.conf: the closure of its Lua is embedded, its lua_package_path is the search path', (t) => {
  const { manifest } = inferredWithNotes(fixture('init-nginx-conf'));
  assert.equal(manifest.nginxConf, 'conf/nginx.conf');
  assert.equal('path' in manifest, false, 'the conf says where modules are');
  assert.deepEqual(manifest.exclude, ['spec/**']);
  assert.deepEqual(manifest.embed, ['app.handler', 'app.init', 'app.util']);
  const dir = initialised(t, 'init-nginx-conf');
  assert.deepEqual(checkedFindings(dir), { status: 0, findings: [] });
  assertBuilds(dir);
});

test('init on a luakit build whose scripts are not named build.lua, with its stdlib in lua/stdlib', (t) => {
  const { manifest } = inferredWithNotes(fixture('init-luakit'));
  assert.deepEqual(manifest, { profile: 'luakit', buildScript: 'examples/go.lua', stdlib: 'lua/stdlib' });
  const said: string[] = [];
  const dir = initialised(t, 'init-luakit', said);
  assert.deepEqual(said, ['wrote <dir>/resty-build.json: profile luakit', 'next: resty-build check']);
  // Both scripts of the build context are judged as build scripts: the sandbox finding in rust.lua stays.
  assert.deepEqual(checkedFindings(dir), { status: 0, findings: [['examples/rust.lua', 'luakit-sandbox', null]] });
});

test("init on Debian's lua-resty-core and lua-resty-lrucache trees: every module by its require name, clean, and the build accepts it", (t) => {
  const listed = spawnSync('dpkg', ['-L', 'lua-resty-core', 'lua-resty-lrucache'], { encoding: 'utf8' });
  assert.equal(listed.status, 0, `lua-resty-core and lua-resty-lrucache are installed here (.ci/run installs them): ${listed.stderr}`);
  const base = '/usr/share/lua/5.1/';
  const tmp = tempDirFor(t);
  const files: Record<string, string> = {};
  for (const file of listed.stdout.split('\n').filter((f) => f.startsWith(base) && f.endsWith('.lua'))) {
    files[file.slice(base.length)] = fs.readFileSync(file, 'utf8');
  }
  writeTree(tmp, files);
  const { manifest } = inferredWithNotes(tmp);
  const embed = manifest.embed as string[];
  assert.equal(embed.length, Object.keys(files).length, 'one module per file');
  for (const name of ['resty.core', 'resty.core.base', 'resty.lrucache', 'resty.lrucache.pureffi', 'ngx.ssl', 'ngx.re']) {
    assert.ok(embed.includes(name), `${name} in ${embed.join(', ')}`);
  }
  assert.equal(runCli(['init', tmp]).status, 0);
  assert.deepEqual(checkedFindings(tmp), { status: 0, findings: [] });
  assertBuilds(tmp);
});

test('init leaves a subfolder with its own manifest to that project', (t) => {
  const tmp = tempDirFor(t);
  writeTree(tmp, {
    'app.lua': 'return {}\n',
    'sub/resty-build.json': JSON.stringify({ profile: 'luakit', buildScript: 'build.lua' }),
    'sub/build.lua': 'bk.image("alpine")\n',
    'sub/helper.lua': 'return {}\n',
  });
  const manifest = inferred(tmp);
  assert.equal(manifest.profile, 'openresty');
  assert.deepEqual(manifest.embed, ['app']);
});

test('init on files whose names hold line breaks: the modules left out are named quoted, so the comment stays one line per module and the manifest parses', (t) => {
  const tmp = tempDirFor(t);
  writeTree(tmp, { 'lib/app.lua': 'return 1\n', 'lib/two\nlines.lua': 'return 2\n', 'lib/cr\rhere.lua': 'return 3\n', 'lib/ls\u2028x.lua': 'return 4\n' });
  const run = runCli(['init', tmp]);
  assert.equal(run.status, 0, run.stderr);
  assert.match(run.stderr, /^ {2}"two\\nlines": the module name contains characters outside \[A-Za-z0-9_.-\] \("\\n"\)$/m);
  const check = runCli(['check', tmp, '--format', 'json']);
  assert.deepEqual(checkJson(check.stdout).diagnostics.filter((d) => d.file === 'resty-build.json'), []);
  const text = fs.readFileSync(path.join(tmp, 'resty-build.json'), 'utf8');
  assert.deepEqual(text.split('\n').filter((l) => l.startsWith('//   ')).map((l) => l.slice(5).split(':')[0]), ['"cr\\rhere"', '"ls\\u2028x"', '"two\\nlines"']);
});

test('init on a folder of projects (each with its manifest) writes nothing and names them, when nothing outside them would be embedded', (t) => {
  const tmp = tempDirFor(t);
  writeTree(tmp, {
    'app/resty-build.json': JSON.stringify({ profile: 'openresty', path: ['lib/?.lua'], embed: ['main'] }),
    'app/lib/main.lua': 'return 1\n',
    'image/resty-build.json': JSON.stringify({ profile: 'luakit', buildScript: 'build.lua' }),
    'image/build.lua': 'bk.run("true")\n',
  });
  const run = runCli(['init', tmp]);
  assert.equal(run.status, 2, run.stderr);
  assert.match(run.stderr, /nothing to embed in .* outside the projects below it, which have their manifests \((app|image)\/resty-build\.json, (app|image)\/resty-build\.json\): no manifest written\./);
  assert.equal(fs.existsSync(path.join(tmp, 'resty-build.json')), false);
});
