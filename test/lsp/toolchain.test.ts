// The build requests of the language server: compile (with work-done progress
// and its errors published as diagnostics), link flags and verify, and what an
// untrusted workspace or a missing compiler gets instead.
import assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { test } from 'node:test';
import { WorkDoneProgressBegin, WorkDoneProgressEnd, WorkDoneProgressReport } from 'vscode-languageserver-protocol/node';
import { BuildProjectsRequest, CompileRequest, CompileResponse, LinkFlagsRequest, LinkFlagsResponse, StatusNotification, VerifyRequest } from '../../server/src/protocol/protocol';
import { fileUri, LspClient, startServer } from '../helpers/lspClient';
import { tempDirFor } from '../helpers/paths';
import { copyFixture } from '../helpers/toolchain';

interface Progress {
  token: string | number;
  value: WorkDoneProgressBegin | WorkDoneProgressReport | WorkDoneProgressEnd;
}

/** The kinds of the work-done progress reported for `token`, up to and including its end. */
async function progressKinds(client: LspClient, token: string): Promise<string[]> {
  const kinds: string[] = [];
  while (kinds.at(-1) !== 'end') {
    const progress = await client.nextNotification<Progress>('$/progress');
    if (progress.token === token) {
      kinds.push(progress.value.kind);
    }
  }
  return kinds;
}

test('server: compile request reports progress and publishes the compile error as a diagnostic; link flags answer', async (t) => {
  const dir = copyFixture('build-syntax-error');
  const client = await startServer(dir);
  t.after(() => client.stop());
  const projects = await client.request<{ dir: string }[]>(BuildProjectsRequest.method, null);
  assert.deepEqual(projects.map((p) => p.dir), [dir]);
  const response = await client.request<CompileResponse>(CompileRequest.method, { dir, workDoneToken: 'tok-1' });
  assert.equal(response.errors, 1);
  assert.match(response.summary, /compiled 2/);
  assert.deepEqual(response.lines, ["lib/broken.lua:4:1: error compile-error: unexpected symbol near 'end'"]);
  const uri = fileUri(path.join(dir, 'lib', 'broken.lua'));
  const published = await client.waitForDiagnostics(uri, (ds) => ds.some((d) => d.code === 'compile-error'));
  assert.equal(published.find((d) => d.code === 'compile-error')!.range.start.line, 3);
  const kinds = await progressKinds(client, 'tok-1');
  assert.equal(kinds[0], 'begin');
  assert.equal(kinds.at(-1), 'end');

  const flags = await client.request<LinkFlagsResponse>(LinkFlagsRequest.method, { dir });
  assert.equal(flags.configureArgs[0], '--with-compat');
  assert.match(flags.preview, /^\.\/configure \\\n {4}--with-compat \\\n {4}'--with-ld-opt=/m);
});

test('server: an untrusted workspace gets no compile or verify (nothing is run), but link flags and the analysis work', async (t) => {
  const dir = copyFixture('build-syntax-error');
  const client = await startServer(dir, { initializationOptions: { trusted: false } });
  t.after(() => client.stop());
  await assert.rejects(client.request(CompileRequest.method, { dir }), /untrusted workspace.*Manage Workspace Trust/);
  await assert.rejects(client.request(VerifyRequest.method, { dir }), /untrusted workspace/);
  assert.equal(fs.existsSync(path.join(dir, 'out')), false, 'an untrusted compile wrote objects');
  const uri = fileUri(path.join(dir, 'lib', 'broken.lua'));
  await client.waitForDiagnostics(uri, (ds) => ds.some((d) => d.code === 'syntax-error'));
  const flags = await client.request<LinkFlagsResponse>(LinkFlagsRequest.method, { dir });
  assert.equal(flags.configureArgs[0], '--with-compat');
});

test('server: verify names the restyBuild.cc setting when its compiler does not exist', async (t) => {
  const dir = copyFixture('build-syntax-error');
  const client = await startServer(dir, { initializationOptions: { trusted: true } });
  t.after(() => client.stop());
  await assert.rejects(client.request(VerifyRequest.method, { dir, cc: '/nonexistent/cc' }), /'\/nonexistent\/cc' of the setting restyBuild\.cc is not found/);
});

test('compile asked for a luakit build that embeds nothing says what it is (the project is still listed: the module view shows it)', async (t) => {
  const dir = tempDirFor(t);
  fs.mkdirSync(path.join(dir, 'app', 'lib'), { recursive: true });
  fs.mkdirSync(path.join(dir, 'image'));
  fs.writeFileSync(path.join(dir, 'app', 'resty-build.json'), JSON.stringify({ profile: 'openresty', path: ['lib/?.lua'], embed: ['main'] }));
  fs.writeFileSync(path.join(dir, 'app', 'lib', 'main.lua'), 'return 1\n');
  fs.writeFileSync(path.join(dir, 'image', 'resty-build.json'), JSON.stringify({ profile: 'luakit', buildScript: 'build.lua' }));
  fs.writeFileSync(path.join(dir, 'image', 'build.lua'), 'bk.run("true")\n');
  const client = await startServer(dir);
  t.after(() => client.stop());
  await client.nextNotification(StatusNotification.method);
  assert.deepEqual((await client.request<{ dir: string }[]>(BuildProjectsRequest.method, null)).map((p) => path.basename(p.dir)).sort(), ['app', 'image']);
  await assert.rejects(client.request(CompileRequest.method, { dir: path.join(dir, 'image') }), {
    code: -32602, // InvalidParams
    message: /is a luakit build \(profile "luakit"\)/,
  });
});
