// The luakit profile: luakit's own loader (pkg/luavm/vm.go setupModuleLoader)
// joins the raw name to the build context and the stdlib, then gopher-lua's
// package.path (ctx and stdlib templates in front of its defaults) applies.
import { describe, test } from 'node:test';
import * as assert from 'node:assert/strict';
import * as path from 'node:path';
import { NodeFileSystem } from '../../server/src/core/nodeFileSystem';
import { createProject, Env } from '../../server/src/core/resolve/project';
import { locateLuakitStdlib } from '../../server/src/core/resolve/luakitStdlib';
import { resolveModule } from '../../server/src/core/resolve/resolver';
import { Workspace } from '../../server/src/core/workspace/workspace';
import { fixture } from '../helpers/paths';

const root = fixture('luakit-search-order');
const disk = new NodeFileSystem();
const stdlibEnv: Env = { LUAKIT_STDLIB_DIR: path.join(root, 'stdlib'), PATH: '' };

function resolve(name: string, env: Env = stdlibEnv) {
  const project = createProject(disk, env, root);
  assert.equal(project.profile, 'luakit', 'build.lua with bk.* calls makes a luakit project');
  return resolveModule(name, project.resolver, disk);
}

const rel = (file: string | undefined) => (file === undefined ? undefined : path.relative(root, file));

/** The tail of every trail: gopher-lua's default package.path entries outside the project. */
const gopherDefaults = (slashed: string) => [
  `no file '/usr/local/share/lua/5.1/${slashed}.lua'`,
  `no file '/usr/local/share/lua/5.1/${slashed}/init.lua'`,
];

describe('luakit search order', () => {
  test('ctx wins over the stdlib for the same name', () => {
    const r = resolve('both');
    assert.equal(r.status, 'file');
    assert.equal(rel(r.file), 'both.lua');
    assert.equal(r.origin, 'workspace');
  });

  test('a name only in the stdlib is found there, after the ctx candidates', () => {
    const r = resolve('onlystd');
    assert.equal(rel(r.file), path.join('stdlib', 'onlystd.lua'));
    assert.equal(r.origin, 'stdlib');
    assert.deepEqual(r.trail, ["no field package.preload['onlystd']", "no file './onlystd.lua'", "no file './onlystd/init.lua'"]);
  });

  test('name.lua wins over name/init.lua', () => {
    assert.equal(rel(resolve('pkg').file), 'pkg.lua');
  });

  test('name/init.lua is found when name.lua is absent', () => {
    const r = resolve('onlyinit');
    assert.equal(rel(r.file), path.join('onlyinit', 'init.lua'));
    assert.deepEqual(r.trail, ["no field package.preload['onlyinit']", "no file './onlyinit.lua'"]);
  });

  test('stdlib name/init.lua comes after stdlib name.lua', () => {
    const r = resolve('stdpkg');
    assert.equal(rel(r.file), path.join('stdlib', 'stdpkg', 'init.lua'));
    assert.deepEqual(r.trail, [
      "no field package.preload['stdpkg']",
      "no file './stdpkg.lua'",
      "no file './stdpkg/init.lua'",
      "no file './stdlib/stdpkg.lua'",
    ]);
  });

  test('the raw-name loader: a dotted name first tries {ctx}/a.b.lua', () => {
    const r = resolve('raw.dotted');
    assert.equal(rel(r.file), 'raw.dotted.lua', 'the raw name joined to ctx wins over the dots-to-slashes fallback');
  });

  test('a dotted name without a raw file resolves through package.path (dots become /)', () => {
    const r = resolve('libs.go');
    assert.equal(rel(r.file), path.join('libs', 'go.lua'));
    assert.deepEqual(r.trail, [
      "no field package.preload['libs.go']",
      "no file './libs.go.lua'",
      "no file './libs.go/init.lua'",
      "no file './stdlib/libs.go.lua'",
      "no file './stdlib/libs.go/init.lua'",
    ]);
  });

  test('a dotted stdlib module is found through the stdlib package.path template', () => {
    const r = resolve('helpers.fmt');
    assert.equal(rel(r.file), path.join('stdlib', 'helpers', 'fmt.lua'));
    assert.equal(r.origin, 'stdlib');
  });

  test('a literal x.lua name is tried as {ctx}/x.lua', () => {
    const r = resolve('literal.lua');
    assert.equal(rel(r.file), 'literal.lua');
    assert.deepEqual(r.trail, ["no field package.preload['literal.lua']"]);
  });

  test('a literal x.lua name is tried as {stdlib}/x.lua after {ctx}/x.lua, never as x.lua/init.lua', () => {
    const r = resolve('stdlit.lua');
    assert.equal(rel(r.file), path.join('stdlib', 'stdlit.lua'));
    assert.deepEqual(r.trail, ["no field package.preload['stdlit.lua']", "no file './stdlit.lua'"]);
  });

  test('a missing name: the trail lists the loader candidates, then package.path, in order', () => {
    const r = resolve('nope');
    assert.equal(r.status, 'unresolved');
    assert.deepEqual(r.trail, [
      "no field package.preload['nope']",
      "no file './nope.lua'",
      "no file './nope/init.lua'",
      "no file './stdlib/nope.lua'",
      "no file './stdlib/nope/init.lua'",
      // package.path's ctx and stdlib templates name the same four files: listed once.
      ...gopherDefaults('nope'),
    ]);
  });

  test('a missing literal x.lua: {ctx}/x.lua and {stdlib}/x.lua, then package.path with x/lua', () => {
    const r = resolve('gone.lua');
    assert.equal(r.status, 'unresolved');
    assert.deepEqual(r.trail.slice(0, 4), [
      "no field package.preload['gone.lua']",
      "no file './gone.lua'",
      "no file './stdlib/gone.lua'",
      "no file './gone/lua.lua'",
    ]);
  });
});

describe('luakit stdlib location', () => {
  /** The stdlib from the manifest, the environment or luakit's install only: a build context at / ships none in its tree. */
  const stdlibOf = (env: Env, configured?: string) => locateLuakitStdlib(disk, env, configured, path.sep).dir;

  test('$LUAKIT_STDLIB_DIR names the stdlib', () => {
    const env: Env = { LUAKIT_STDLIB_DIR: path.join(root, 'envstd'), PATH: '' };
    assert.equal(stdlibOf(env), path.join(root, 'envstd'));
    const r = resolve('fromenv', env);
    assert.equal(rel(r.file), path.join('envstd', 'fromenv.lua'));
    assert.equal(r.origin, 'stdlib');
    assert.equal(resolve('onlystd', env).status, 'unresolved', 'the default stdlib folder is not searched when the env names another');
  });

  test('$LUAKIT_STDLIB_DIR reaches the resolver through WorkspaceOptions.env', () => {
    const script = path.join(root, 'build.lua');
    const withEnv = new Workspace(disk, { roots: [root], env: { LUAKIT_STDLIB_DIR: path.join(root, 'envstd'), PATH: '' } });
    assert.equal(withEnv.resolve(withEnv.projectFor(script), 'fromenv').file, path.join(root, 'envstd', 'fromenv.lua'));
    const without = new Workspace(disk, { roots: [root], env: { PATH: '' } });
    assert.equal(without.resolve(without.projectFor(script), 'fromenv').status, 'unresolved');
  });

  test('$LUAKIT_STDLIB_DIR wins over a luakit on PATH', () => {
    const env: Env = { LUAKIT_STDLIB_DIR: path.join(root, 'envstd'), PATH: path.join(root, 'install', 'bin') };
    assert.equal(stdlibOf(env), path.join(root, 'envstd'));
  });

  test('without the env variable, <dir of luakit>/../share/luakit/stdlib', () => {
    const env: Env = { PATH: ['/nonexistent/bin', path.join(root, 'install', 'bin')].join(path.delimiter) };
    const stdlib = path.join(root, 'install', 'share', 'luakit', 'stdlib');
    assert.equal(stdlibOf(env), stdlib);
    const r = resolve('onpath', env);
    assert.equal(r.file, path.join(stdlib, 'onpath.lua'));
    assert.equal(r.origin, 'stdlib');
  });

  test('the manifest stdlib setting wins over env and PATH', () => {
    const env: Env = { LUAKIT_STDLIB_DIR: path.join(root, 'envstd'), PATH: path.join(root, 'install', 'bin') };
    assert.equal(stdlibOf(env, path.join(root, 'stdlib')), path.join(root, 'stdlib'));
  });

  for (const [what, env] of [
    ['$LUAKIT_STDLIB_DIR names a missing folder', { LUAKIT_STDLIB_DIR: path.join(root, 'no-such-dir'), PATH: '' }],
    ['luakit on PATH has no share/luakit/stdlib', { PATH: path.join(root, 'bare-install', 'bin') }],
    ['no luakit anywhere', { PATH: '/nonexistent/bin' }],
  ] as const) {
    test(`missing stdlib is silently absent: ${what}`, () => {
      assert.equal(stdlibOf(env), undefined);
      const project = createProject(disk, env, root);
      assert.equal(project.resolver.luakit?.stdlib, undefined);
      const r = resolveModule('nope', project.resolver, disk);
      assert.equal(r.status, 'unresolved');
      assert.ok(!r.trail.some((t) => t.includes('stdlib')), `no stdlib candidate in the trail: ${r.trail.join(' | ')}`);
      assert.deepEqual(r.trail.slice(0, 3), ["no field package.preload['nope']", "no file './nope.lua'", "no file './nope/init.lua'"]);
      assert.equal(rel(resolveModule('both', project.resolver, disk).file), 'both.lua');
    });
  }
});
