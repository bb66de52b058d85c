// A workspace large enough for the server's cold path: worker threads parse
// it, every diagnostic is published before the ready notification, and a
// restart reuses the stored facts and publishes the same diagnostics; and the
// memory of a long editing session stays flat.
import { test } from 'node:test';
import * as assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { Diagnostic } from 'vscode-languageserver-protocol/node';
import { generateWorkspace } from '../../bench/generate';
import { StatusNotification, StatusParams } from '../../server/src/protocol/protocol';
import { fileUri, startServer, startServerOnCopy } from '../helpers/lspClient';
import { tempCopy } from '../helpers/paths';

function rssKb(pid: number): number {
  const status = fs.readFileSync(`/proc/${pid}/status`, 'utf8');
  return Number(/^VmRSS:\s+(\d+) kB/m.exec(status)![1]);
}

test('a 300-module workspace: parsed by workers, all published, the same after a restart from stored facts', async (t) => {
  const tmp = tempCopy();
  const storage = tempCopy();
  t.after(() => {
    tmp.cleanup();
    storage.cleanup();
  });
  const ws = generateWorkspace(path.join(tmp.dir, 'ws'), 300);

  const snapshot = async (workers = '2', storageDir = storage.dir): Promise<{ status: StatusParams; diagnostics: Map<string, Diagnostic[]> }> => {
    // Two worker threads whatever the machine's cores (with two or fewer the server would use none).
    const client = await startServer(ws.root, { env: { RESTY_BUILD_WORKERS: workers }, initializationOptions: { storageDir } });
    try {
      const status = await client.nextNotification<StatusParams>(StatusNotification.method, 60_000);
      const diagnostics = new Map<string, Diagnostic[]>();
      for (const file of ws.files) {
        const published = client.diagnostics(fileUri(file));
        if (published && published.length > 0) {
          diagnostics.set(file, published);
        }
      }
      return { status, diagnostics };
    } finally {
      await client.stop();
    }
  };

  const first = await snapshot();
  assert.equal(first.status.state, 'ready');
  assert.equal(first.status.files, 300);
  assert.equal(first.status.reusedFacts, 0, 'nothing stored yet');
  assert.equal(first.status.parsedByWorkers, 300, 'the worker threads parsed every file');
  assert.ok(first.diagnostics.size >= 5, `the generated workspace has findings (${first.diagnostics.size} files)`);
  assert.equal(first.status.filesWithFindings >= first.diagnostics.size, true);
  // What the generator plants in 300 files: requires of missing modules and modules left out of embed.
  const codes = new Set([...first.diagnostics.values()].flat().map((d) => d.code));
  assert.deepEqual([...codes].sort(), ['not-in-mapping', 'unresolved-module']);

  // Without workers the main thread parses it all, between requests, and publishes the same.
  const fresh = tempCopy();
  t.after(() => fresh.cleanup());
  const alone = await snapshot('0', fresh.dir);
  assert.equal(alone.status.parsedByWorkers, 0);
  assert.equal(alone.status.reusedFacts, 0);
  const shown = (s: typeof first) => [...s.diagnostics].map(([f, ds]) => [f, ds.map((d) => [d.code, d.range.start.line, d.range.start.character, d.message])]);
  assert.deepEqual(shown(alone), shown(first));

  const stored = fs.readdirSync(storage.dir).filter((f) => f.startsWith('facts-'));
  assert.equal(stored.length, 1, 'one facts file for the workspace');

  const second = await snapshot();
  assert.equal(second.status.reusedFacts, 300, 'every file unchanged: every stored fact reused');
  assert.equal(second.status.parsedByWorkers, 0);
  assert.deepEqual(shown(second), shown(first));

  // A file changed while the server was down: its stored facts no longer match its stamp.
  const changed = ws.files[7];
  fs.appendFileSync(changed, '\nlocal broken = = 1\n');
  const third = await snapshot();
  assert.equal(third.status.reusedFacts, 299);
  assert.ok(
    third.diagnostics.get(changed)?.some((d) => d.code === 'syntax-error'),
    `the changed file is parsed again: ${JSON.stringify(third.diagnostics.get(changed))}`,
  );
});

test('memory stays flat over 3000 edits of one file (RSS growth after warm-up < 50 MB)', async (t) => {
  const tmp = tempCopy('lsp-missing-module');
  const client = await startServerOnCopy(t, tmp);
  const uri = fileUri(path.join(tmp.dir, 'main.lua'));
  const base = fs.readFileSync(path.join(tmp.dir, 'main.lua'), 'utf8');
  await client.open(uri, base);
  let version = 1;
  const edits = async (n: number) => {
    for (let i = 0; i < n; i++) {
      const text = `${base}\nlocal v${i % 97} = require "app.m${i % 13}" -- edit ${version}\n${'local x = { 1, 2, 3 }\n'.repeat(i % 50)}`;
      await client.notify('textDocument/didChange', { textDocument: { uri, version: ++version }, contentChanges: [{ text }] });
      if (i % 100 === 99) {
        // A round trip: the server has processed every edit before it.
        await client.request('textDocument/documentSymbol', { textDocument: { uri } });
      }
    }
  };
  await edits(500);
  const warm = rssKb(client.pid);
  await edits(3000);
  const after = rssKb(client.pid);
  const growthMb = (after - warm) / 1024;
  t.diagnostic(`server RSS after warm-up ${Math.round(warm / 1024)} MB, after 3000 edits ${Math.round(after / 1024)} MB`);
  assert.ok(growthMb < 50, `RSS grew ${growthMb.toFixed(1)} MB`);
});

test("a file open when the folder loads gets its own findings before the analysis of the folder starts", async (t) => {
  const tmp = tempCopy();
  t.after(tmp.cleanup);
  // Large enough that the didOpen sent after initialized (and the answer to the watcher registration) arrive while the folder is walked.
  const ws = generateWorkspace(path.join(tmp.dir, 'ws'), 600);
  for (const workers of ['0', '2']) {
    // The analysis says in its log when it has its facts ("parsed: N ms"): that must come after the open file's syntax error.
    const client = await startServer(ws.root, { env: { RESTY_BUILD_PROFILE: '1', RESTY_BUILD_WORKERS: workers }, initializationOptions: { factsCache: false } });
    try {
      const uri = fileUri(ws.probe.file);
      await client.open(uri, `${fs.readFileSync(ws.probe.file, 'utf8')}\nlocal broken = = 1\n`);
      const diagnostics = await client.waitForDiagnostics(uri, (d) => d.length > 0);
      assert.ok(diagnostics.some((d) => d.code === 'syntax-error'), JSON.stringify(diagnostics));
      assert.ok(!/\] parsed: /.test(client.log()), `with ${workers} workers, the analysis ran first:\n${client.log()}`);
      await client.nextNotification<StatusParams>(StatusNotification.method);
      assert.match(client.log(), /\] parsed: /);
    } finally {
      await client.stop();
    }
  }
});
