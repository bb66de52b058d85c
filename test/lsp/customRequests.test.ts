// Every request the server handles answers null or misshapen params with
// InvalidParams naming the expected shape (or, where all params are
// optional, with the real answer), logs nothing alarming, and keeps serving:
// the next well-formed request gets its real answer.
import assert from 'node:assert/strict';
import * as path from 'node:path';
import { after, before, describe, test } from 'node:test';
import { DocumentSymbol, Hover, Location, WorkspaceEdit } from 'vscode-languageserver-protocol/node';
import { AuditNginxRequest, BuildProjectInfo, BuildProjectsRequest, CompileRequest, InferManifestRequest, LinkFlagsRequest, LinkFlagsResponse, ModuleMapRequest, ModuleMapResult, StatusNotification, VerifyRequest } from '../../server/src/protocol/protocol';
import { fileUri, LspClient, startServer } from '../helpers/lspClient';
import { tempCopy } from '../helpers/paths';

const INVALID_PARAMS = -32602;

const BUILD_SHAPE = '{ dir: string, luajitPath?: string, cc?: string, mode?: "objects" | "archive", workDoneToken?: string | number }';

describe('requests with null or malformed params', () => {
  let client: LspClient;
  let tmp: { dir: string; cleanup: () => void };
  const handler = () => path.join(tmp.dir, 'lib', 'app', 'handler', 'init.lua');

  before(async () => {
    tmp = tempCopy('build-basic');
    client = await startServer(tmp.dir);
    await client.nextNotification(StatusNotification.method);
  });

  after(async () => {
    await client.stop();
    tmp.cleanup();
  });

  const rejectsWith = (method: string, params: unknown, message: string) => assert.rejects(client.request(method, params), { code: INVALID_PARAMS, message });

  test('moduleMap: null is no params (the first project); a uri that is not a string is InvalidParams; the next request answers the map', async () => {
    const withNull = await client.request<ModuleMapResult>(ModuleMapRequest.method, null);
    const withNothing = await client.request<ModuleMapResult>(ModuleMapRequest.method, {});
    assert.deepEqual(withNull, withNothing);
    assert.equal(withNull.manifestUri, fileUri(path.join(tmp.dir, 'resty-build.json')));
    const expected = 'Invalid params for resty-build/moduleMap: expected { uri?: string, rows?: boolean } or no params.';
    await rejectsWith(ModuleMapRequest.method, { uri: 42 }, expected);
    await rejectsWith(ModuleMapRequest.method, { rows: 'no' }, expected);
    await rejectsWith(ModuleMapRequest.method, 'lib/app/config.lua', expected);
    const real = await client.request<ModuleMapResult>(ModuleMapRequest.method, { uri: fileUri(handler()) });
    assert.deepEqual(
      real.modules.map((m) => m.module),
      ['resty.core.base', 'app.config', 'app.handler', 'vendored'],
    );
    assert.equal(real.embedded, 4);
    // The status bar's question: the same counts, no rows.
    const counts = await client.request<ModuleMapResult>(ModuleMapRequest.method, { uri: fileUri(handler()), rows: false });
    assert.deepEqual(
      { modules: counts.modules, markdown: counts.markdown, omitted: counts.omitted, embedded: counts.embedded, problems: counts.problems },
      { modules: [], markdown: '', omitted: real.modules.length, embedded: real.embedded, problems: real.problems },
    );
  });

  test('inferManifest: null or a folderUri that is not a string is InvalidParams; the next request infers', async () => {
    const expected = 'Invalid params for resty-build/inferManifest: expected { folderUri: string }.';
    await rejectsWith(InferManifestRequest.method, null, expected);
    await rejectsWith(InferManifestRequest.method, { folderUri: 7 }, expected);
    await rejectsWith(InferManifestRequest.method, [], expected);
    const real = await client.request<{ uri: string; text: string; exists: boolean }>(InferManifestRequest.method, { folderUri: fileUri(tmp.dir) });
    assert.equal(real.uri, fileUri(path.join(tmp.dir, 'resty-build.json')));
    assert.equal(real.exists, true);
    assert.match(real.text, /"profile": "openresty"/);
  });

  test('buildProjects takes no params: null or junk still lists the projects', async () => {
    const expected: BuildProjectInfo[] = [{ dir: tmp.dir, manifest: path.join(tmp.dir, 'resty-build.json') }];
    assert.deepEqual(await client.request(BuildProjectsRequest.method, null), expected);
    assert.deepEqual(await client.request(BuildProjectsRequest.method, { dir: 3 }), expected);
  });

  test('compile, linkFlags, verify: null, a dir that is not a string or an unknown mode is InvalidParams; then link flags answer', async () => {
    for (const method of [CompileRequest.method, LinkFlagsRequest.method, VerifyRequest.method]) {
      const expected = `Invalid params for ${method}: expected ${BUILD_SHAPE}.`;
      await rejectsWith(method, null, expected);
      await rejectsWith(method, { dir: 7 }, expected);
      await rejectsWith(method, { dir: tmp.dir, mode: 'shared' }, expected);
      await rejectsWith(method, { dir: tmp.dir, workDoneToken: { id: 1 } }, expected);
    }
    await assert.rejects(client.request(LinkFlagsRequest.method, { dir: path.join(tmp.dir, 'lib') }), {
      code: INVALID_PARAMS,
      message: `No resty-build.json in ${path.join(tmp.dir, 'lib')}.`,
    });
    const flags = await client.request<LinkFlagsResponse>(LinkFlagsRequest.method, { dir: tmp.dir });
    assert.equal(flags.configureArgs[0], '--with-compat');
    assert.match(flags.withLdOpt, /app_config\.o/);
  });

  test('auditNginx: the build params plus an nginxPath that is a non-empty string; a missing binary is the answer, with the way out', async () => {
    const expected = `Invalid params for ${AuditNginxRequest.method}: expected ${BUILD_SHAPE.slice(0, -2)}, nginxPath: string }.`;
    await rejectsWith(AuditNginxRequest.method, null, expected);
    await rejectsWith(AuditNginxRequest.method, { dir: tmp.dir }, expected);
    await rejectsWith(AuditNginxRequest.method, { dir: tmp.dir, nginxPath: '  ' }, expected);
    await rejectsWith(AuditNginxRequest.method, { dir: 3, nginxPath: '/usr/sbin/nginx' }, `Invalid params for ${AuditNginxRequest.method}: expected ${BUILD_SHAPE}.`);
    const missing = path.join(tmp.dir, 'no-such-nginx');
    await assert.rejects(client.request(AuditNginxRequest.method, { dir: tmp.dir, nginxPath: missing }), {
      message: `nginx '${missing}' not found: give the built binary with --nginx (or the restyBuild.nginxPath setting).`,
    });
  });

  test('document requests: null params are InvalidParams naming the shape; then the same requests answer', async () => {
    const position = '{ textDocument: { uri: string }, position: { line: number, character: number } }';
    for (const method of ['textDocument/hover', 'textDocument/definition', 'textDocument/completion', 'textDocument/signatureHelp']) {
      await rejectsWith(method, null, `Invalid params for ${method}: expected ${position}.`);
      await rejectsWith(method, { textDocument: { uri: fileUri(handler()) }, position: { line: -1 } }, `Invalid params for ${method}: expected ${position}.`);
    }
    await rejectsWith('textDocument/documentSymbol', null, 'Invalid params for textDocument/documentSymbol: expected { textDocument: { uri: string } }.');
    await rejectsWith('textDocument/documentLink', { textDocument: 'x' }, 'Invalid params for textDocument/documentLink: expected { textDocument: { uri: string } }.');
    await rejectsWith('textDocument/references', null, 'Invalid params for textDocument/references: expected { textDocument, position, context: { includeDeclaration: boolean } }.');
    await rejectsWith('textDocument/codeAction', null, 'Invalid params for textDocument/codeAction: expected { textDocument, range, context: { diagnostics: Diagnostic[] } }.');
    await rejectsWith('workspace/symbol', null, 'Invalid params for workspace/symbol: expected { query: string }.');
    const moves = 'Invalid params for workspace/willRenameFiles: expected { files: { oldUri: string, newUri: string }[] }.';
    await rejectsWith('workspace/willRenameFiles', null, moves);
    await rejectsWith('workspace/willRenameFiles', { files: [{ oldUri: fileUri(handler()) }] }, moves);

    const textDocument = { uri: fileUri(handler()) };
    const symbols = await client.request<DocumentSymbol[]>('textDocument/documentSymbol', { textDocument });
    assert.deepEqual(
      symbols.map((s) => [s.name, (s.children ?? []).map((c) => c.name)]),
      [
        ['config', []],
        ['_M', ['run']],
      ],
    );
    const hover = await client.request<Hover | null>('textDocument/hover', { textDocument, position: { line: 0, character: 25 } });
    assert.match(JSON.stringify(hover?.contents), /config\.lua/);
    const definition = await client.request<Location | Location[] | null>('textDocument/definition', { textDocument, position: { line: 0, character: 25 } });
    assert.match(JSON.stringify(definition), /lib\/app\/config\.lua/);
    const config = path.join(tmp.dir, 'lib', 'app', 'config.lua');
    const move = await client.request<WorkspaceEdit | null>('workspace/willRenameFiles', { files: [{ oldUri: fileUri(config), newUri: fileUri(path.join(tmp.dir, 'lib', 'app', 'settings.lua')) }] });
    assert.deepEqual(
      move?.changes?.[fileUri(handler())]?.map((e) => e.newText),
      ['app.settings'],
    );
    assert.doesNotMatch(client.log(), /failed:/, 'invalid params are answered, not logged as failures');
  });
});
