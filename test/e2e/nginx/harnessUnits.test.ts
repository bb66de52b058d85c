// Fast checks of the harness's pure parts; they run on any machine.
import assert from 'node:assert/strict';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test } from 'node:test';
import { debSrcListFromMachine, readLinkCommand, splitLinkInputs } from './harness';

test('splitLinkInputs keeps linker flags for configure and moves objects to the relink', () => {
  const split = splitLinkInputs([
    '--with-compat',
    '--with-ld-opt=-Wl,-z,relro /p/build/bytecode/resty_core.o /p/build/bytecode/app_greeting.o',
  ]);
  assert.deepEqual(split.compileArgs, ['--with-compat', '--with-ld-opt=-Wl,-z,relro']);
  assert.deepEqual(split.linkInputs, ['/p/build/bytecode/resty_core.o', '/p/build/bytecode/app_greeting.o']);
});

test('splitLinkInputs moves a whole-archive group and its -L, and drops an empty --with-ld-opt', () => {
  const split = splitLinkInputs([
    '--with-compat',
    '--with-ld-opt=-L/p/out -Wl,--whole-archive -lembedded -Wl,--no-whole-archive',
  ]);
  assert.deepEqual(split.compileArgs, ['--with-compat']);
  assert.deepEqual(split.linkInputs, ['-L/p/out', '-Wl,--whole-archive', '-lembedded', '-Wl,--no-whole-archive']);
});

test('splitLinkInputs gives the same compile args (cache key) whatever the objects are', () => {
  const a = splitLinkInputs(['--with-compat', '--with-ld-opt=/tmp/a/x.o']);
  const b = splitLinkInputs(['--with-compat', '--with-ld-opt=/tmp/b/x.o /tmp/b/y.o']);
  assert.deepEqual(a.compileArgs, b.compileArgs);
});

test('readLinkCommand expands $(LINK) and joins the continued recipe lines of objs/nginx', () => {
  const makefile = [
    'CC =\tcc',
    'LINK =\t$(CC)',
    '',
    'objs/nginx:\tobjs/src/core/nginx.o \\',
    '\tobjs/ngx_modules.o',
    '',
    '\t$(LINK) -o objs/nginx \\',
    '\tobjs/src/core/nginx.o \\',
    '\tobjs/ngx_modules.o \\',
    '\t-Wl,-E -lluajit-5.1 -lpcre \\',
    '\t-Wl,-E',
    '\t',
    '',
    'objs/ngx_modules.o:\tobjs/ngx_modules.c',
  ].join('\n');
  assert.deepEqual(readLinkCommand(makefile), [
    'cc', '-o', 'objs/nginx', 'objs/src/core/nginx.o', 'objs/ngx_modules.o', '-Wl,-E', '-lluajit-5.1', '-lpcre', '-Wl,-E',
  ]);
});

test('debSrcListFromMachine turns Debian deb entries (deb822 and one-line) into deb-src, and ignores others', (t) => {
  const etc = mkdtempSync(join(tmpdir(), 'resty-build-apt-'));
  t.after(() => rmSync(etc, { recursive: true, force: true }));
  mkdirSync(join(etc, 'sources.list.d'));
  writeFileSync(
    join(etc, 'sources.list.d', 'debian.sources'),
    [
      'Types: deb',
      'URIs: http://deb.debian.org/debian',
      'Suites: bookworm bookworm-updates',
      'Components: main',
      'Signed-By: /usr/share/keyrings/debian-archive-keyring.gpg',
      '',
      'Types: deb',
      'URIs: https://deb.nodesource.com/node_20.x',
      'Suites: nodistro',
      'Components: main',
      'Signed-By: /usr/share/keyrings/nodesource.gpg',
      '',
    ].join('\n'),
  );
  writeFileSync(join(etc, 'sources.list.d', 'old.list.disabled'), 'deb http://deb.debian.org/debian sid main\n');
  writeFileSync(join(etc, 'sources.list'), '# comment\ndeb http://security.debian.org/debian-security bookworm-security main contrib\n');
  assert.equal(
    debSrcListFromMachine(etc),
    [
      'deb-src http://security.debian.org/debian-security bookworm-security main contrib',
      'deb-src [signed-by=/usr/share/keyrings/debian-archive-keyring.gpg] http://deb.debian.org/debian bookworm main',
      'deb-src [signed-by=/usr/share/keyrings/debian-archive-keyring.gpg] http://deb.debian.org/debian bookworm-updates main',
      '',
    ].join('\n'),
  );
});
