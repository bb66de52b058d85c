// An untrusted workspace runs nothing: compile, verify and the archive refuse
// (naming why), while the analysis and objects-mode link flags keep working.
import assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { test } from 'node:test';
import { fileUri, startServerOnCopy } from '../helpers/lspClient';
import { tempCopy } from '../helpers/paths';
import { AuditNginxRequest, CompileRequest, LinkFlagsRequest, VerifyRequest } from '../../server/src/protocol/protocol';

const UNTRUSTED = (what: string, runs: string) =>
  `${what} is disabled in an untrusted workspace: it would run ${runs}, which this workspace's resty-build.json can name. Trust the workspace (Workspaces: Manage Workspace Trust) to build; analysis keeps working without it.`;

test('untrusted workspace: analysis works, compile / verify / archive / the nginx audit refuse and spawn no process', async (t) => {
  const tmp = tempCopy('build-basic');
  const marker = path.join(tmp.dir, 'PLANTED-RAN');
  // A compiler the workspace plants: running it in any way leaves the marker.
  const planted = path.join(tmp.dir, 'tools', 'luajit');
  fs.mkdirSync(path.dirname(planted));
  fs.writeFileSync(planted, `#!/bin/sh\ntouch '${marker}'\nexec luajit "$@"\n`, { mode: 0o755 });
  const manifestFile = path.join(tmp.dir, 'resty-build.json');
  const manifest = JSON.parse(fs.readFileSync(manifestFile, 'utf8'));
  manifest.luajit.compiler = 'tools/luajit';
  fs.writeFileSync(manifestFile, JSON.stringify(manifest));
  const client = await startServerOnCopy(t, tmp, { initializationOptions: { trusted: false }, env: { CC: planted } });
  // Analysis still runs: a missing module is reported.
  const main = path.join(tmp.dir, 'lib', 'app', 'handler', 'init.lua');
  await client.open(fileUri(main), fs.readFileSync(main, 'utf8') + '\nrequire "app.nowhere"\n');
  await client.waitForDiagnostics(fileUri(main), (ds) => ds.some((d) => d.code === 'unresolved-module' || d.code === 'not-in-mapping'));

  const refused = async (method: string, params: unknown) => {
    try {
      await client.request(method, params);
    } catch (e) {
      return (e as Error).message;
    }
    return 'answered';
  };
  assert.equal(await refused(CompileRequest.method, { dir: tmp.dir, luajitPath: planted }), UNTRUSTED('Compiling bytecode', 'luajit'));
  assert.equal(await refused(VerifyRequest.method, { dir: tmp.dir }), UNTRUSTED('Verifying the embedding', 'luajit, a C compiler and the linked probe program'));
  assert.equal(await refused(LinkFlagsRequest.method, { dir: tmp.dir, mode: 'archive' }), UNTRUSTED('Creating the archive for the link flags', 'ar'));
  // A built nginx is a program too: the audit runs it, so it waits for trust like the builds.
  assert.equal(await refused(AuditNginxRequest.method, { dir: tmp.dir, nginxPath: planted }), UNTRUSTED('Auditing a built nginx', 'that nginx binary, ldd and luajit'));
  assert.equal(fs.existsSync(marker), false, 'the planted compiler never ran');
  assert.equal(fs.existsSync(path.join(tmp.dir, 'build')), false, 'nothing was written');
  // Objects-mode link flags are computed without running anything and still answer.
  const flags = await client.request<{ withLdOpt: string }>(LinkFlagsRequest.method, { dir: tmp.dir, mode: 'objects' });
  assert.match(flags.withLdOpt, /app_config\.o/);
  assert.equal(fs.existsSync(marker), false);
});
