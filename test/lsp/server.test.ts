// The language server over stdio: diagnostics published for an open
// document, go-to-definition on a require string, and diagnostics that go
// away after an edit or after the missing file appears on disk.
import { describe, test } from 'node:test';
import * as assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { Diagnostic, DiagnosticSeverity, FileChangeType, Location } from 'vscode-languageserver-protocol/node';
import { fileUri, startServerOnCopy } from '../helpers/lspClient';
import { tempCopy } from '../helpers/paths';
import { StatusNotification, TestFaultRequest } from '../../server/src/protocol/protocol';

const MAIN = ['local util = require "app.util"', 'local missing = require("app.missing")', 'return { util, missing }', ''].join('\n');
/** `"app.missing"` on line 1, quotes included. */
const MISSING_RANGE = { start: { line: 1, character: 24 }, end: { line: 1, character: 37 } };

const isMissing = (d: Diagnostic) => d.code === 'unresolved-module';

/** A second file with a finding of its own, which edits of main.lua must leave alone. */
const OTHER = 'return require "app.elsewhere"\n';
const OTHER_FINDING = { code: 'unresolved-module', range: { start: { line: 0, character: 15 }, end: { line: 0, character: 30 } } };

/**
 * A server on a fresh copy of the fixture (plus lib/app/other.lua), stopped
 * (and the copy removed) after the test; both files' diagnostics are published.
 */
async function serverOnFixture(t: { after: (fn: () => unknown) => void }) {
  const tmp = tempCopy('lsp-missing-module');
  fs.writeFileSync(path.join(tmp.dir, 'lib', 'app', 'other.lua'), OTHER);
  const client = await startServerOnCopy(t, tmp);
  const mainUri = fileUri(path.join(tmp.dir, 'main.lua'));
  assert.equal(fs.readFileSync(path.join(tmp.dir, 'main.lua'), 'utf8'), MAIN, 'the fixture is what this test describes');
  await client.open(mainUri, MAIN);
  const initial = await client.waitForDiagnostics(mainUri, (ds) => ds.some(isMissing));
  const otherUri = fileUri(path.join(tmp.dir, 'lib', 'app', 'other.lua'));
  const other = await client.waitForDiagnostics(otherUri, (ds) => ds.some(isMissing));
  assert.deepEqual(other.map((d) => ({ code: d.code, range: d.range })), [OTHER_FINDING]);
  /** Asserts that lib/app/other.lua still has its own finding, once the server has handled everything sent so far. */
  const otherUnchanged = async () => {
    // A request is answered after every notification before it was handled, with its publications.
    await client.request('textDocument/documentSymbol', { textDocument: { uri: mainUri } });
    assert.deepEqual(client.diagnostics(otherUri)?.map((d) => ({ code: d.code, range: d.range })), [OTHER_FINDING]);
  };
  return { client, dir: tmp.dir, mainUri, initial, otherUnchanged };
}

describe('language server', () => {
  test('publishes unresolved-module for the open document, and definition jumps to the module file', async (t) => {
    const { client, dir, mainUri, initial } = await serverOnFixture(t);
    assert.equal(client.initializeResult.capabilities.definitionProvider, true);
    assert.deepEqual(
      initial.map((d) => ({ code: d.code, severity: d.severity, range: d.range, source: d.source })),
      [{ code: 'unresolved-module', severity: DiagnosticSeverity.Error, range: MISSING_RANGE, source: 'resty-build' }],
    );
    // The search trail is the related information of the (only) site, not part of the message.
    assert.equal(initial[0].message, "module 'app.missing' not found");
    const here = { uri: mainUri, range: MISSING_RANGE };
    assert.deepEqual(initial[0].relatedInformation?.slice(0, 2), [
      { location: here, message: "no field package.preload['app.missing']" },
      { location: here, message: "no file 'lib/app/missing.lua'" },
    ]);
    assert.deepEqual(initial[0].data, { module: 'app.missing' });

    const definition = await client.request<Location | null>('textDocument/definition', {
      textDocument: { uri: mainUri },
      position: { line: 0, character: 25 }, // inside "app.util"
    });
    assert.deepEqual(definition, {
      uri: fileUri(path.join(dir, 'lib', 'app', 'util.lua')),
      range: { start: { line: 0, character: 0 }, end: { line: 0, character: 0 } },
    });

    // The alias that holds the module leads to the module file too.
    const onAlias = await client.request<Location | null>('textDocument/definition', {
      textDocument: { uri: mainUri },
      position: { line: 0, character: 8 }, // on `util`, not the string
    });
    assert.deepEqual(onAlias, {
      uri: fileUri(path.join(dir, 'lib', 'app', 'util.lua')),
      range: { start: { line: 0, character: 0 }, end: { line: 0, character: 0 } },
    });
    const onKeyword = await client.request<Location | null>('textDocument/definition', {
      textDocument: { uri: mainUri },
      position: { line: 0, character: 2 }, // on `local`
    });
    assert.equal(onKeyword, null);
    const unresolved = await client.request<Location | null>('textDocument/definition', {
      textDocument: { uri: mainUri },
      position: { line: 1, character: 28 }, // inside "app.missing"
    });
    assert.equal(unresolved, null);
  });

  test('an edit that fixes the require clears the diagnostic', async (t) => {
    const { client, mainUri, otherUnchanged } = await serverOnFixture(t);
    const inside = { start: { line: 1, character: 25 }, end: { line: 1, character: 36 } }; // app.missing, without quotes
    await client.notify('textDocument/didChange', {
      textDocument: { uri: mainUri, version: 2 },
      contentChanges: [{ range: inside, text: 'app.util' }],
    });
    // The wait is the check: it fails unless main.lua's set becomes exactly empty.
    await client.waitForDiagnostics(mainUri, (ds) => ds.length === 0);
    await otherUnchanged();

    // And breaking it again brings it back, at the new range.
    await client.notify('textDocument/didChange', {
      textDocument: { uri: mainUri, version: 3 },
      contentChanges: [{ range: { start: { line: 1, character: 25 }, end: { line: 1, character: 33 } }, text: 'app.gone' }],
    });
    const back = await client.waitForDiagnostics(mainUri, (ds) => ds.some(isMissing));
    assert.deepEqual(back.map((d) => d.range), [{ start: { line: 1, character: 24 }, end: { line: 1, character: 34 } }]);
  });

  test('creating the missing file and notifying didChangeWatchedFiles clears the diagnostic', async (t) => {
    const { client, dir, mainUri, otherUnchanged } = await serverOnFixture(t);
    const created = path.join(dir, 'lib', 'app', 'missing.lua');
    fs.writeFileSync(created, 'return {}\n');
    await client.notify('workspace/didChangeWatchedFiles', { changes: [{ uri: fileUri(created), type: FileChangeType.Created }] });
    await client.waitForDiagnostics(mainUri, (ds) => ds.length === 0);
    await otherUnchanged();

    // Deleting it again brings the diagnostic back.
    fs.rmSync(created);
    await client.notify('workspace/didChangeWatchedFiles', { changes: [{ uri: fileUri(created), type: FileChangeType.Deleted }] });
    const back = await client.waitForDiagnostics(mainUri, (ds) => ds.some(isMissing));
    assert.deepEqual(back.map((d) => d.range), [MISSING_RANGE]);
  });

  test('an initial analysis that fails is logged, and the server still publishes every file\'s findings and says it is ready', async (t) => {
    const tmp = tempCopy('lsp-missing-module');
    fs.writeFileSync(path.join(tmp.dir, 'lib', 'app', 'other.lua'), OTHER);
    const client = await startServerOnCopy(t, tmp, { env: { RESTY_BUILD_TEST_FAULTS: 'analysis' } });
    const ready = client.nextNotification(StatusNotification.method);
    // A file nobody opened: only the whole workspace's publication reaches it.
    const other = await client.waitForDiagnostics(fileUri(path.join(tmp.dir, 'lib', 'app', 'other.lua')), (ds) => ds.some(isMissing));
    assert.deepEqual(other.map((d) => ({ code: d.code, range: d.range })), [OTHER_FINDING]);
    await ready;
    assert.match(client.log(), /\[resty-build\] analysis failed: Error: injected analysis fault/);
    // Opened now, a file gets its whole findings, its unresolved require included.
    const mainUri = fileUri(path.join(tmp.dir, 'main.lua'));
    await client.open(mainUri, MAIN);
    const main = await client.waitForDiagnostics(mainUri, (ds) => ds.some(isMissing));
    assert.deepEqual(main.filter(isMissing).map((d) => d.range), [MISSING_RANGE]);
  });

  test('a handler that fails internally is answered (empty) and logged, so is a failing promise nothing awaits; the next request works', async (t) => {
    const tmp = tempCopy('lsp-missing-module');
    const client = await startServerOnCopy(t, tmp, { env: { RESTY_BUILD_TEST_FAULTS: '1' } });
    assert.equal(await client.request(TestFaultRequest.method, {}), null);
    assert.match(client.log(), /\[resty-build\] test fault failed: Error: injected fault/);
    // A failed handler would answer null here too: only the real location shows that the server still works.
    const definition = await client.request<Location | null>('textDocument/definition', {
      textDocument: { uri: fileUri(path.join(tmp.dir, 'main.lua')) },
      position: { line: 0, character: 25 }, // inside "app.util"
    });
    assert.deepEqual(definition, {
      uri: fileUri(path.join(tmp.dir, 'lib', 'app', 'util.lua')),
      range: { start: { line: 0, character: 0 }, end: { line: 0, character: 0 } },
    });
    // The rejection is reported after the request's answer; the answered definition came later still.
    assert.match(client.log(), /\[resty-build\] a background task failed: Error: injected background fault/);
  });
});
