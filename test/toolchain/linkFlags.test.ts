import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { test } from 'node:test';
import { loadBuildProject } from '../../server/src/toolchain/buildProject';
import { compileProject } from '../../server/src/toolchain/compile';
import { ARCHIVE_FILE, computeLinkFlags, createArchive, formatConfigureLine, LinkFlagsOptions, shellQuote, splitShellWords } from '../../server/src/toolchain/linkFlags';
import { parseManifest } from '../../server/src/core/manifest/manifest';
import { copyFixture, nmDefined, tempDir } from '../helpers/toolchain';

function manifest(dir: string, json: object) {
  const m = parseManifest(path.join(dir, 'resty-build.json'), JSON.stringify(json)).manifest;
  assert.ok(m);
  return m;
}

/** What a POSIX shell makes of a line: its argv, NUL-separated so words may hold newlines. */
function shArgv(line: string): string[] {
  const r = spawnSync('sh', ['-c', `printf '%s\\0' ${line}`], { encoding: 'utf8' });
  assert.equal(r.status, 0, r.stderr);
  return r.stdout.split('\0').slice(0, -1);
}

function flags(json: object, objects: string[], extra: Partial<LinkFlagsOptions> = {}) {
  const dir = '/srv/proj';
  return computeLinkFlags({ manifest: manifest(dir, json), objects, env: {}, libc: 'glibc', exists: () => true, ...extra });
}

test('objects mode: --with-compat and the absolute objects, LDFLAGS and extraLdOpt merged', () => {
  const f = flags({ outDir: 'build/bc', link: { extraLdOpt: ['-Wl,-E'] } }, ['/srv/proj/build/bc/a.o', '/srv/proj/build/bc/b_c.o'], {
    env: { LDFLAGS: '-Wl,-z,relro -Wl,-z,now' },
  });
  assert.deepEqual(f.ldOpt, ['-Wl,-z,relro', '-Wl,-z,now', '-Wl,-E', '/srv/proj/build/bc/a.o', '/srv/proj/build/bc/b_c.o']);
  assert.deepEqual(f.configureArgs, ['--with-compat', `--with-ld-opt=${f.withLdOpt}`]);
  assert.equal(formatConfigureLine(f), "--with-compat '--with-ld-opt=-Wl,-z,relro -Wl,-z,now -Wl,-E /srv/proj/build/bc/a.o /srv/proj/build/bc/b_c.o'");
  assert.deepEqual(f.warnings, []);
});

test('paths with spaces, quotes and $ survive the shell: configure line and the ld-opt value inside it', () => {
  const outDir = `/tmp/it's a "dir" $HOME \`x\``;
  const objects = [`${outDir}/a.o`, `${outDir}/b.o`];
  const f = flags({ outDir, link: { extraLdOpt: ["-Wl,-rpath,/opt/it's here"], compat: true } }, objects, { env: { LDFLAGS: `-L'/usr/my libs' "-Wl,-z,now"` } });
  assert.deepEqual(shArgv(formatConfigureLine(f)), f.configureArgs);
  assert.deepEqual(shArgv(f.withLdOpt), f.ldOpt);
  assert.deepEqual(f.ldOpt.slice(0, 2), ['-L/usr/my libs', '-Wl,-z,now']);
  assert.ok(f.warnings.some((w) => w.code === 'unsafe-path'));
  // The multi-line form (preview document) means the same to sh.
  assert.deepEqual(shArgv(formatConfigureLine(f, { multiline: true })), f.configureArgs);
});

test('shellQuote and splitShellWords are inverse on awkward words', () => {
  const words = ['plain', '', 'a b', "it's", '"q"', '$x', 'back\\slash', 'tab\there', 'new\nline'];
  assert.deepEqual(splitShellWords(words.map(shellQuote).join(' ')), words);
  assert.deepEqual(shArgv(words.map(shellQuote).join(' ')), words);
});

test('link.compat false drops --with-compat; no objects warns', () => {
  const f = flags({ link: { compat: false } }, []);
  assert.deepEqual(f.configureArgs, []);
  assert.ok(f.warnings.some((w) => w.code === 'no-objects'));
});

test('archive mode links the library whole, from outDir', () => {
  const f = flags({ outDir: '/srv/out', link: { mode: 'archive' } }, ['/srv/out/a.o']);
  assert.equal(f.archive, `/srv/out/${ARCHIVE_FILE}`);
  assert.deepEqual(f.ldOpt, ['-L/srv/out', '-Wl,--whole-archive', '-lresty_build_bytecode', '-Wl,--no-whole-archive']);
  assert.deepEqual(f.objects, ['/srv/out/a.o']);
});

test('warnings: -static with glibc, --no-export-dynamic, an archive without whole-archive; -Wl,-E note', () => {
  const codes = (json: object, extra: Partial<LinkFlagsOptions> = {}) => flags(json, ['/x/a.o'], extra).warnings.map((w) => `${w.severity}:${w.code}`);
  assert.deepEqual(codes({ link: { extraLdOpt: ['-static'] } }), ['warning:static-glibc']);
  assert.deepEqual(codes({ link: { extraLdOpt: ['-static'] } }, { libc: 'musl' }), ['info:static-glibc']);
  assert.deepEqual(codes({ link: { extraLdOpt: ['-static-pie'] } }), ['warning:static-pie', 'info:export-dynamic-note']);
  assert.deepEqual(codes({ link: { extraLdOpt: ['-Wl,-E', '-Wl,--no-export-dynamic'] } }), ['warning:no-export-dynamic']);
  assert.deepEqual(codes({ link: { extraLdOpt: ['-Wl,-E', '-L/x', '-lresty_build_bytecode'] } }), ['warning:archive-not-whole']);
  assert.deepEqual(codes({ link: { extraLdOpt: ['-Wl,-E', '-Wl,--whole-archive', '/x/libresty_build_bytecode.a', '-Wl,--no-whole-archive'] } }), []);
  assert.deepEqual(codes({ link: { extraLdOpt: ['-Wl,-E', '/x/libother.a'] } }), ['info:archive-not-whole']);
  assert.deepEqual(codes({}), ['info:export-dynamic-note']);
  assert.deepEqual(codes({ link: { extraLdOpt: ['-rdynamic'] } }), []);
  assert.deepEqual(codes({}, { env: { LDFLAGS: '-Wl,-z,relro,-E' } }), []);
  assert.deepEqual(codes({}, { exists: () => false }), ['warning:object-missing', 'info:export-dynamic-note']);
});

test('createArchive puts the compiled objects into one library whose members keep their symbols', async () => {
  const dir = copyFixture('build-basic', tempDir());
  const project = loadBuildProject(dir);
  const compiled = await compileProject({ manifest: project.manifest, entries: project.entries, sources: project.sources });
  const objects = compiled.objects.map((o) => o.object);
  const archive = await createArchive(objects, project.manifest);
  const members = spawnSync('ar', ['t', archive], { encoding: 'utf8' }).stdout.trim().split('\n');
  assert.deepEqual(members, objects.map((o) => path.basename(o)));
  assert.deepEqual(nmDefined(archive).sort(), compiled.objects.map((o) => o.symbol).sort());
  assert.deepEqual(fs.readdirSync(project.manifest.outDir).filter((n) => n.startsWith('.resty-build-tmp')), []);
});

test('an archive that cannot take its place in outDir (a folder stands there) is a build error naming the file, and no temp file stays', async () => {
  const dir = copyFixture('build-basic', tempDir());
  const project = loadBuildProject(dir);
  const compiled = await compileProject({ manifest: project.manifest, entries: project.entries, sources: project.sources });
  const target = path.join(project.manifest.outDir, ARCHIVE_FILE);
  fs.mkdirSync(path.join(target, 'inside'), { recursive: true });
  await assert.rejects(createArchive(compiled.objects.map((o) => o.object), project.manifest), (e: Error) => {
    assert.ok(e.message.startsWith(`cannot write ${target}: E`), e.message);
    assert.match(e.message, /change "outDir" in resty-build\.json/);
    return true;
  });
  assert.deepEqual(fs.readdirSync(project.manifest.outDir).filter((n) => n.startsWith('.resty-build-tmp')), []);
});
