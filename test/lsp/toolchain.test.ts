import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { test } from 'node:test';
import { pathToFileURL } from 'node:url';
import { createMessageConnection, StreamMessageReader, StreamMessageWriter } from 'vscode-jsonrpc/node';
import { BuildMethods, CompileResponse, LinkFlagsResponse } from '../../server/src/protocol/buildProtocol';
import { copyFixture, REPO } from '../helpers/toolchain';

interface Published {
  uri: string;
  diagnostics: { code: string; range: { start: { line: number } }; message: string }[];
}

async function startServer(root: string, initializationOptions?: unknown) {
  const tsx = pathToFileURL(path.join(REPO, 'node_modules/tsx/dist/loader.mjs')).href;
  const child = spawn(process.execPath, ['--import', tsx, path.join(REPO, 'server/src/server.ts'), '--stdio'], { stdio: ['pipe', 'pipe', 'inherit'] });
  const connection = createMessageConnection(new StreamMessageReader(child.stdout), new StreamMessageWriter(child.stdin));
  const published: Published[] = [];
  const waiters: (() => void)[] = [];
  connection.onNotification('textDocument/publishDiagnostics', (p: Published) => {
    published.push(p);
    waiters.splice(0).forEach((w) => w());
  });
  const progress: unknown[] = [];
  connection.onNotification('$/progress', (p: { value: unknown }) => progress.push(p.value));
  connection.listen();
  await connection.sendRequest('initialize', { processId: process.pid, rootUri: null, capabilities: {}, initializationOptions, workspaceFolders: [{ uri: pathToFileURL(root).href, name: 'w' }] });
  await connection.sendNotification('initialized', {});
  /** Resolves when a publication for `uri` satisfies `ok`: waits on the notification, not on time. */
  const until = (ok: (p: Published) => boolean) =>
    new Promise<Published>((resolve) => {
      const check = () => {
        const hit = published.find(ok);
        if (hit) {
          resolve(hit);
        } else {
          waiters.push(check);
        }
      };
      check();
    });
  const stop = () => {
    connection.dispose();
    child.kill();
  };
  return { connection, progress, until, stop };
}

test('server: compile request reports progress and publishes the compile error as a diagnostic; link flags answer', async () => {
  const dir = copyFixture('build-syntax-error');
  const server = await startServer(dir);
  try {
    const projects = await server.connection.sendRequest<{ dir: string }[]>(BuildMethods.projects);
    assert.deepEqual(projects.map((p) => p.dir), [dir]);
    const response = await server.connection.sendRequest<CompileResponse>(BuildMethods.compile, { dir, workDoneToken: 'tok-1' });
    assert.equal(response.errors, 1);
    assert.match(response.summary, /compiled 2/);
    assert.deepEqual(response.lines, ["lib/broken.lua:4:1: error compile-error: unexpected symbol near 'end'"]);
    const uri = pathToFileURL(path.join(dir, 'lib', 'broken.lua')).href;
    const published = await server.until((p) => p.uri === uri && p.diagnostics.some((d) => d.code === 'compile-error'));
    assert.equal(published.diagnostics.find((d) => d.code === 'compile-error')!.range.start.line, 3);
    assert.ok(server.progress.some((v) => (v as { kind: string }).kind === 'begin'));
    assert.ok(server.progress.some((v) => (v as { kind: string }).kind === 'end'));

    const flags = await server.connection.sendRequest<LinkFlagsResponse>(BuildMethods.linkFlags, { dir });
    assert.equal(flags.configureArgs[0], '--with-compat');
    assert.match(flags.preview, /^\.\/configure \\\n {4}--with-compat \\\n {4}'--with-ld-opt=/m);
  } finally {
    server.stop();
  }
});

test('server: an untrusted workspace gets no compile or verify (nothing is run), but link flags and the analysis work', async () => {
  const dir = copyFixture('build-syntax-error');
  const server = await startServer(dir, { trusted: false });
  try {
    await assert.rejects(server.connection.sendRequest(BuildMethods.compile, { dir }), /untrusted workspace.*Manage Workspace Trust/);
    await assert.rejects(server.connection.sendRequest(BuildMethods.verify, { dir }), /untrusted workspace/);
    assert.equal(fs.existsSync(path.join(dir, 'out')), false, 'an untrusted compile wrote objects');
    const uri = pathToFileURL(path.join(dir, 'lib', 'broken.lua')).href;
    await server.until((p) => p.uri === uri && p.diagnostics.some((d) => d.code === 'syntax-error'));
    const flags = await server.connection.sendRequest<LinkFlagsResponse>(BuildMethods.linkFlags, { dir });
    assert.equal(flags.configureArgs[0], '--with-compat');
  } finally {
    server.stop();
  }
});

test('server: verify names the restyBuild.cc setting when its compiler does not exist', async () => {
  const dir = copyFixture('build-syntax-error');
  const server = await startServer(dir, { trusted: true });
  try {
    await assert.rejects(server.connection.sendRequest(BuildMethods.verify, { dir, cc: '/nonexistent/cc' }), /'\/nonexistent\/cc' of the setting restyBuild\.cc is not found/);
  } finally {
    server.stop();
  }
});
