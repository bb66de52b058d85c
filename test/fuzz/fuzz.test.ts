// A short, deterministic fuzz run inside `npm test`; `npm run fuzz` runs the long one.
import assert from 'node:assert/strict';
import * as path from 'node:path';
import { test } from 'node:test';
import { runCoreFuzz } from './harness';
import { HOSTILE_KINDS, runHostileFuzz } from './hostile';
import { runLspFuzz } from './lspFuzz';
import { loadCorpus } from './mutate';

const corpus = loadCorpus(path.resolve(__dirname, '..', '..'));

test('core fuzz: 3000 mutated Lua, nginx.conf and manifest texts, no crash, each within the time bound', () => {
  const report = runCoreFuzz(corpus, { cases: 3000, seed: 42 });
  assert.deepEqual(report.failures, []);
  assert.equal(report.crashes, 0);
  assert.equal(report.overTimeBound, 0);
  assert.ok(report.byKind['lua:deep-nesting'] > 0 && report.byKind['lua:binary'] > 0, 'the run covers the rare mutations too');
});

test('LSP fuzz: 150 random edits, each followed by a request that is answered; the server survives', async () => {
  const report = await runLspFuzz(corpus, { cases: 150, seed: 7 });
  assert.deepEqual(report.failures, []);
  assert.equal(report.cases, 150);
  assert.equal(report.serverAlive, true);
});

test('hostile workspaces: links, devices, FIFOs, crafted caches, huge manifests, new-name edit streams; nothing thrown, blocked or written outside', { timeout: 240_000 }, async () => {
  // Seed 3 builds through a link out of the project and onto the sources in its first cases: a real-path check that failed would show.
  const report = await runHostileFuzz({ cases: HOSTILE_KINDS.length * 4, seed: 3 });
  assert.deepEqual(report.failures, []);
  assert.equal(report.cases, HOSTILE_KINDS.length * 4);
  assert.ok(report.builds >= 12 && report.refusedBuilds > 0 && report.refusedBuilds < report.builds, JSON.stringify(report));
});
