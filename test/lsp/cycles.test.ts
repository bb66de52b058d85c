// A require cycle created by typing is reported once typing pauses (the
// workspace-wide search runs then, not on every keystroke), and goes away
// when the edit is undone.
import { test } from 'node:test';
import * as assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { fileUri, startServerOnCopy } from '../helpers/lspClient';
import { tempCopy, writeTree } from '../helpers/paths';

test('an edit that closes a require cycle gets require-cycle, and undoing it clears it', async (t) => {
  const tmp = tempCopy();
  writeTree(tmp.dir, { 'a.lua': 'local b = require "b"\nreturn {}\n', 'b.lua': 'return {}\n' });
  const client = await startServerOnCopy(t, tmp);
  const bUri = fileUri(path.join(tmp.dir, 'b.lua'));
  await client.open(bUri, fs.readFileSync(path.join(tmp.dir, 'b.lua'), 'utf8'));
  await client.notify('textDocument/didChange', {
    textDocument: { uri: bUri, version: 2 },
    contentChanges: [{ text: 'local a = require "a"\nreturn {}\n' }],
  });
  const [cycle] = await client.waitForDiagnostics(bUri, (ds) => ds.some((d) => d.code === 'require-cycle'));
  assert.equal(cycle.code, 'require-cycle');
  assert.deepEqual(cycle.range, { start: { line: 0, character: 18 }, end: { line: 0, character: 21 } });
  assert.match(cycle.message, /a -> b -> a/);

  await client.notify('textDocument/didChange', { textDocument: { uri: bUri, version: 3 }, contentChanges: [{ text: 'return {}\n' }] });
  await client.waitForDiagnostics(bUri, (ds) => ds.length === 0);
});
