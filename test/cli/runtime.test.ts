import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { test } from 'node:test';
import { ffiLibraryFile } from '../../server/src/core/resolve/moduleNames';
import { ldSoConfDirs, resolveSharedLibrary } from '../../server/src/toolchain/runtimeImage';
import { runCli } from '../helpers/cli';
import { tempDir } from '../helpers/toolchain';

function gcc(args: string[], cwd: string): void {
  const r = spawnSync('gcc', args, { cwd, encoding: 'utf8' });
  assert.equal(r.status, 0, `gcc ${args.join(' ')}: ${r.stderr}`);
}

/** Where LuaJIT itself finds `cjson` (Debian's lua-cjson), so the test and the tool agree with the real loader. */
function cjsonPath(): string {
  const r = spawnSync('luajit', ['-e', 'io.write(package.searchpath("cjson", package.cpath) or "")'], { encoding: 'utf8' });
  assert.ok(r.stdout, 'lua-cjson is not installed (apt-get install lua-cjson)');
  return r.stdout;
}

/**
 * A project whose embedded module uses lua-cjson (a C module on cpath) and
 * ffi.load("greet"): libgreet.so is built here with gcc and itself needs
 * libgreethelper.so; a library whose name is computed at run time; its
 * nginx.conf loads a dynamic module.
 */
function project(): string {
  const dir = path.join(tempDir('rb-runtime-'), 'app with space');
  fs.mkdirSync(path.join(dir, 'lib', 'app'), { recursive: true });
  fs.mkdirSync(path.join(dir, 'native'));
  fs.mkdirSync(path.join(dir, 'conf'));
  fs.mkdirSync(path.join(dir, 'modules'));
  fs.writeFileSync(path.join(dir, 'resty-build.json'), JSON.stringify({ profile: 'openresty', path: ['lib/?.lua'], embed: ['app.main'], nginxConf: 'conf/nginx.conf' }, null, 2));
  fs.writeFileSync(
    path.join(dir, 'lib', 'app', 'main.lua'),
    'local cjson = require "cjson"\nlocal ffi = require "ffi"\nffi.cdef[[int greet_answer(void);]]\nlocal greet = ffi.load("greet")\nlocal libc = ffi.load("c")\nlocal plugin = ffi.load(os.getenv("APP_PLUGIN"))\nreturn { answer = function () return greet.greet_answer() end, encode = cjson.encode }\n',
  );
  fs.writeFileSync(path.join(dir, 'native', 'helper.c'), 'int greet_helper(void) { return 42; }\n');
  fs.writeFileSync(path.join(dir, 'native', 'greet.c'), 'int greet_helper(void);\nint greet_answer(void) { return greet_helper(); }\n');
  gcc(['-shared', '-fPIC', '-o', 'libgreethelper.so', 'helper.c'], path.join(dir, 'native'));
  gcc(['-shared', '-fPIC', '-o', 'libgreet.so', 'greet.c', '-L.', '-lgreethelper'], path.join(dir, 'native'));
  fs.writeFileSync(path.join(dir, 'modules', 'fake.c'), 'void *ngx_modules[] = { 0 };\n');
  gcc(['-shared', '-fPIC', '-o', 'ngx_http_fake_module.so', 'fake.c'], path.join(dir, 'modules'));
  fs.writeFileSync(path.join(dir, 'conf', 'nginx.conf'), 'load_module modules/ngx_http_fake_module.so;\nevents {}\nhttp {}\n');
  return dir;
}

interface RuntimeJson {
  files: { kind: string; what: string; path?: string; realPath?: string; from: string[]; system?: boolean; searched?: string[] }[];
  libraryPath: string[];
  notes: string[];
}

test("runtime: lua-cjson's C module, the library ffi.load names (and what it needs), the dynamic module; libc is the base image's", () => {
  const dir = project();
  const native = path.join(dir, 'native');
  const r = runCli(['runtime', dir, '--format', 'json'], { env: { LD_LIBRARY_PATH: native } });
  assert.equal(r.status, 0, r.stderr);
  const image = JSON.parse(r.stdout) as RuntimeJson;
  const cjson = cjsonPath();
  assert.deepEqual(
    image.files.map((f) => ({ kind: f.kind, what: f.what, path: f.path, realPath: f.realPath, from: f.from, system: f.system })),
    [
      { kind: 'c-module', what: 'cjson', path: cjson, realPath: fs.realpathSync(cjson), from: ['lib/app/main.lua:1'], system: undefined },
      { kind: 'ffi-library', what: 'ffi.load("greet")', path: path.join(native, 'libgreet.so'), realPath: path.join(native, 'libgreet.so'), from: ['lib/app/main.lua:4'], system: undefined },
      { kind: 'ffi-library', what: 'ffi.load("c")', path: image.files[2].path, realPath: image.files[2].realPath, from: ['lib/app/main.lua:5'], system: true },
      {
        kind: 'dynamic-module',
        what: 'load_module modules/ngx_http_fake_module.so',
        path: path.join(dir, 'modules', 'ngx_http_fake_module.so'),
        realPath: path.join(dir, 'modules', 'ngx_http_fake_module.so'),
        from: ['conf/nginx.conf:1'],
        system: undefined,
      },
      { kind: 'dependency', what: 'libgreethelper.so', path: path.join(native, 'libgreethelper.so'), realPath: path.join(native, 'libgreethelper.so'), from: [path.join(native, 'libgreet.so')], system: undefined },
    ],
  );
  assert.match(image.files[2].path ?? '', /\/libc\.so$/, 'ffi.load("c") is libc.so, found in a default folder');
  assert.deepEqual(image.libraryPath, [native]);
  // Not listed, and not passed over in silence either.
  assert.deepEqual(image.notes.filter((n) => n.includes('ffi.load')), ['lib/app/main.lua:6: ffi.load with a library name computed at run time: the library it loads is not listed; add it to the image yourself.']);
});

test('runtime --format dockerfile: one COPY per file from the build stage, real files to the paths the loaders use', () => {
  const dir = project();
  const native = path.join(dir, 'native');
  const r = runCli(['runtime', dir, '--format', 'dockerfile'], { env: { LD_LIBRARY_PATH: native } });
  assert.equal(r.status, 0, r.stderr);
  const cjson = cjsonPath();
  const copies = r.stdout.split('\n').filter((l) => l.startsWith('COPY ') || l.startsWith('ENV '));
  const q = (p: string) => JSON.stringify(p);
  assert.deepEqual(copies, [
    `COPY --from=build ${fs.realpathSync(cjson)} ${cjson}`,
    `COPY --from=build ${q(path.join(native, 'libgreet.so'))} ${q(path.join(native, 'libgreet.so'))}`,
    `COPY --from=build ${q(path.join(dir, 'modules', 'ngx_http_fake_module.so'))} ${q(path.join(dir, 'modules', 'ngx_http_fake_module.so'))}`,
    `COPY --from=build ${q(path.join(native, 'libgreethelper.so'))} ${q(path.join(native, 'libgreethelper.so'))}`,
    `ENV LD_LIBRARY_PATH=${native}`,
  ]);
  assert.match(r.stdout, /# ffi library ffi\.load\("c"\) \(lib\/app\/main\.lua:5\): a system library, expected in the runtime's base image/);
  assert.match(r.stderr, /Give the built nginx \(--nginx <binary>\) to list the libluajit it links/);
});

test('runtime: a library the dynamic loader cannot find is NOT FOUND with where it looked, and the exit code is 1', () => {
  const dir = project();
  const r = runCli(['runtime', dir], { env: {} });
  assert.equal(r.status, 1, r.stdout + r.stderr);
  assert.match(r.stdout, /^ffi library: ffi\.load\("greet"\) NOT FOUND \(lib\/app\/main\.lua:4\)$/m);
  assert.match(r.stdout, /searched: .*\/libgreet\.so/);
  assert.match(r.stdout, /^C module: cjson \/\S+\/cjson\.so -> \S+ \(lib\/app\/main\.lua:1\)$/m);
  assert.match(r.stderr, /1 file the runtime needs could not be found: ffi\.load\("greet"\)/);
});

test("ffi.load names become file names as LuaJIT's clib_extname makes them; ld.so.conf includes are followed", () => {
  assert.equal(ffiLibraryFile('qjson'), 'libqjson.so');
  assert.equal(ffiLibraryFile('libz.so.1'), 'libz.so.1');
  assert.equal(ffiLibraryFile('z.so.1'), 'libz.so.1');
  assert.equal(ffiLibraryFile('./native/libx.so'), './native/libx.so');
  const dir = tempDir();
  fs.mkdirSync(path.join(dir, 'conf.d'));
  fs.writeFileSync(path.join(dir, 'ld.so.conf'), '# comment\ninclude conf.d/*.conf\n/opt/first\n');
  fs.writeFileSync(path.join(dir, 'conf.d', 'b.conf'), '/opt/b\n');
  fs.writeFileSync(path.join(dir, 'conf.d', 'a.conf'), '/opt/a # trailing comment\ninclude ' + path.join(dir, 'ld.so.conf') + '\n');
  fs.writeFileSync(path.join(dir, 'conf.d', 'ignored.txt'), '/opt/no\n');
  assert.deepEqual(ldSoConfDirs(path.join(dir, 'ld.so.conf')), ['/opt/a', '/opt/b', '/opt/first']);
  const found = resolveSharedLibrary('c.so.6', {}, dir);
  assert.ok(found.path && fs.existsSync(found.path), `libc.so.6 is found in a default folder: ${found.searched.join(' ')}`);
});
