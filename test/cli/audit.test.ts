import assert from 'node:assert/strict';
import * as path from 'node:path';
import { test } from 'node:test';
import { runCli } from '../helpers/cli';
import { copyFixture, tempDir, writeScript } from '../helpers/toolchain';

// What verify --nginx says when it is given something it cannot audit: exit 2 and the reason, never a crash.

test('verify --nginx: a missing binary, a script, and a program that is not nginx are environment errors (exit 2) with the reason', () => {
  const dir = copyFixture('build-basic');
  const missing = path.join(dir, 'sbin', 'nginx');
  let r = runCli(['verify', dir, '--nginx', missing]);
  assert.equal(r.status, 2, r.stderr);
  assert.match(r.stderr, new RegExp(`nginx '${missing.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}' not found: give the built binary with --nginx`));

  const script = writeScript(tempDir(), 'nginx', 'echo "nginx version: nginx/1.22.1" >&2');
  r = runCli(['verify', dir, '--nginx', script]);
  assert.equal(r.status, 2, r.stderr);
  assert.match(r.stderr, /is not an ELF executable: give a built nginx/);

  r = runCli(['verify', dir, '--nginx', '/bin/true']);
  assert.equal(r.status, 2, r.stderr);
  assert.match(r.stderr, /'\/bin\/true -V' did not print nginx's version: is it nginx\?/);
});

test('runtime --nginx: what is not a built nginx is an environment error (exit 2), not an image that copies it', () => {
  const dir = copyFixture('build-basic');
  const missing = path.join(dir, 'sbin', 'nginx');
  // It used to list the missing path as the image's nginx, say "LuaJIT is linked into the binary itself" and exit 0.
  for (const format of ['text', 'dockerfile']) {
    const r = runCli(['runtime', dir, '--nginx', missing, '--format', format]);
    assert.equal(r.status, 2, r.stdout + r.stderr);
    assert.equal(r.stdout, '');
    assert.match(r.stderr, /nginx '.*\/sbin\/nginx' not found: give the built binary with --nginx/);
  }
  const script = writeScript(tempDir(), 'nginx', 'echo "nginx version: nginx/1.22.1" >&2');
  let r = runCli(['runtime', dir, '--nginx', script]);
  assert.equal(r.status, 2, r.stderr);
  assert.match(r.stderr, /is not an ELF executable: give a built nginx/);
  r = runCli(['runtime', dir, '--nginx', '/bin/true']);
  assert.equal(r.status, 2, r.stderr);
  assert.match(r.stderr, /'\/bin\/true -V' did not print nginx's version: is it nginx\?/);
});

test('the new options are checked per command: dockerfile is a format of runtime only, --nginx is not an option of check', () => {
  const dir = copyFixture('build-basic');
  let r = runCli(['compile', dir, '--format', 'dockerfile']);
  assert.equal(r.status, 2);
  assert.match(r.stderr, /unknown format 'dockerfile' \(use text or json\)/);
  r = runCli(['check', dir, '--nginx', '/usr/sbin/nginx']);
  assert.equal(r.status, 2);
  assert.match(r.stderr, /unknown option '--nginx' for 'check'/);
  r = runCli(['runtime', dir, '--format', 'json']);
  assert.equal(r.status, 0, r.stderr);
  assert.deepEqual(JSON.parse(r.stdout), { files: [], libraryPath: [], notes: ['Give the built nginx (--nginx <binary>) to list the libluajit it links.'] });
});
