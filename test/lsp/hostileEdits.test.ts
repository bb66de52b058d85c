// An editing session that keeps adding require names the server has never
// seen (generated code, a paste loop, a fuzzing client): every per-name cache
// of the server must stay bounded, so its memory stays flat.
import { test } from 'node:test';
import * as assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { fileUri, startServerOnCopy } from '../helpers/lspClient';
import { tempCopy } from '../helpers/paths';

function rssKb(pid: number): number {
  const status = fs.readFileSync(`/proc/${pid}/status`, 'utf8');
  return Number(/^VmRSS:\s+(\d+) kB/m.exec(status)![1]);
}

const EDITS = Number(process.env.RESTY_BUILD_EDITS ?? 30_000);

test(`memory stays flat over ${EDITS} edits that each add a new require name, in a 256 MB heap (RSS growth after warm-up < 100 MB)`, { timeout: 300_000 }, async (t) => {
  const tmp = tempCopy('lsp-missing-module');
  // The heap a small editor machine gives a server: a cache that grew with every name ran out of it.
  const client = await startServerOnCopy(t, tmp, { env: { NODE_OPTIONS: '--max-old-space-size=256' } });
  const uri = fileUri(path.join(tmp.dir, 'main.lua'));
  const base = fs.readFileSync(path.join(tmp.dir, 'main.lua'), 'utf8');
  await client.open(uri, base);
  let version = 1;
  let name = 0;
  const edits = async (n: number) => {
    for (let i = 0; i < n; i++) {
      name++;
      const text = `${base}\nlocal a = require "gen.never.seen${name}"\nlocal b = require "other${name}.mod"\n`;
      await client.notify('textDocument/didChange', { textDocument: { uri, version: ++version }, contentChanges: [{ text }] });
      if (i % 500 === 499) {
        // A round trip: the server has processed every edit before it.
        await client.request('textDocument/documentSymbol', { textDocument: { uri } });
      }
    }
    await client.request('textDocument/documentSymbol', { textDocument: { uri } });
  };
  await edits(2000);
  const warm = rssKb(client.pid);
  const started = Date.now();
  await edits(EDITS);
  const after = rssKb(client.pid);
  const growthMb = (after - warm) / 1024;
  t.diagnostic(`server RSS after warm-up ${Math.round(warm / 1024)} MB, after ${EDITS} edits ${Math.round(after / 1024)} MB (${Date.now() - started} ms)`);
  assert.ok(growthMb < 100, `RSS grew ${growthMb.toFixed(1)} MB`);
  // The last name is still resolved and reported: the caches were bounded, not switched off.
  const diagnostics = await client.waitForDiagnostics(uri, (ds) => ds.some((d) => d.message.includes(`gen.never.seen${name}`)));
  assert.ok(diagnostics.some((d) => d.code === 'unresolved-module'));
});
