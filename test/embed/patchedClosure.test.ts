// An edit that keeps a file's reach patches its closure: the findings by file
// and the reported findings are carried over from the closure before, and must
// be exactly what computing them afresh gives, through any edit.
import { test } from 'node:test';
import * as assert from 'node:assert/strict';
import * as path from 'node:path';
import { Closure, Embedding } from '../../server/src/core/embed/closure';
import { outsideContext, reportedClosureFindings } from '../../server/src/core/embed/outsideFindings';
import { Finding } from '../../server/src/core/types';
import { MEM_ROOT, memWorkspace } from '../helpers/core';

/** By file (in path order: the maps are looked up, their order carries no meaning), each file's list in order. */
const shown = (byFile: Map<string, Finding[]>) =>
  [...byFile]
    .sort(([a], [b]) => (a < b ? -1 : 1))
    .map(([file, findings]) => [file, findings.map((f) => [f.code, f.severity, f.message, f.range.start.line, f.range.start.character, f.range.end.line, f.range.end.character])]);

/** The same closure, nothing computed yet: what its findings are when computed afresh. */
function fresh(e: Embedding): { closure: Closure; embedding: Embedding } {
  const closure = new Closure(e.closure.files, e.closure.judgements, [], e.closure.entries);
  return { closure, embedding: { ...e, closure } };
}

test('findings carried through patched closures are those computed afresh, edit after edit', () => {
  const main = path.join(MEM_ROOT, 'app', 'lib', 'app', 'main.lua');
  const util = path.join(MEM_ROOT, 'app', 'lib', 'app', 'util.lua');
  const clean = path.join(MEM_ROOT, 'app', 'lib', 'app', 'clean.lua');
  const ws = memWorkspace({
    'app/resty-build.json': JSON.stringify({ profile: 'openresty', path: ['lib/?.lua', '../vendor/?.lua'], embed: ['app.main', 'app.util', 'app.clean'] }),
    'app/lib/app/main.lua': 'local util = require "app.util"\nlocal v = require "vendored"\nlocal m = require "missing.one"\nreturn { util, v, m }\n',
    'app/lib/app/util.lua': 'local m = require "missing.two"\nreturn m\n',
    'app/lib/app/clean.lua': 'return {}\n',
    // Outside the project: its finding is reported at main.lua's require of it.
    'vendor/vendored.lua': 'local m = require "missing.three"\nreturn m\n',
  });
  const edits: [string, string][] = [
    // Ranges move, names change, a finding goes and comes back, a clean file gains one and loses it.
    [util, '-- a comment\nlocal m = require "missing.two"\nreturn m\n'],
    [util, 'local m = require "missing.four"\nreturn m\n'],
    [util, 'return 1\n'],
    [util, 'local m = require "missing.two"\nreturn m\n'],
    [main, '\n\nlocal util = require "app.util"\nlocal v = require "vendored"\nlocal m = require "missing.one"\nreturn { util, v, m }\n'],
    [clean, 'local x = require "missing.five"\nreturn x\n'],
    [clean, 'return {}\n'],
    [util, 'local m = require "missing.two"\nlocal n = require "missing.six"\nreturn m, n\n'],
  ];
  ws.closureState();
  let carried = 0;
  for (const [file, text] of edits) {
    const before = ws.embeddings()[0].closure;
    ws.setDocument(file, text);
    const state = ws.closureState();
    const [embedding] = ws.embeddings();
    if (embedding.closure !== before && embedding.closure.files === before.files) {
      carried++;
    }
    const again = fresh(embedding);
    assert.deepEqual(shown(embedding.closure.byFile), shown(again.closure.byFile), `by file, after editing ${path.basename(file)}`);
    assert.deepEqual(shown(state.byFile), shown(reportedClosureFindings(again.embedding, outsideContext(ws))), `reported, after editing ${path.basename(file)}`);
  }
  assert.ok(carried >= 7, `the edits patched the closure (${carried})`);
  // The vendored finding is reported at main.lua, through its require of 'vendored'.
  const atMain = ws.closureState().byFile.get(main) ?? [];
  assert.ok(atMain.some((f) => f.message.includes('outside the project')), JSON.stringify(atMain.map((f) => f.message)));
});
