// Why a module is in the binary: the chains of the embed closure (from embed
// entries and the nginx.conf, breadth first), and the hover of a require that
// is not embedded, which shows the chain to it.
import { test } from 'node:test';
import * as assert from 'node:assert/strict';
import * as path from 'node:path';
import { closureChains, describeLink } from '../../server/src/core/embed/why';
import { NodeFileSystem } from '../../server/src/core/nodeFileSystem';
import { Workspace } from '../../server/src/core/workspace/workspace';
import { findHover } from '../../server/src/features/hover';
import { fixture } from '../helpers/paths';

const DIR = fixture('why-chain');

function workspace() {
  const ws = new Workspace(new NodeFileSystem(), { roots: [DIR], env: {} });
  return { ws, embedding: ws.embedding(ws.allProjects()[0])! };
}

const steps = (links: ReturnType<ReturnType<typeof closureChains>['toFile']>) => (links ?? []).map((l) => Object.values(describeLink(l, DIR)).join(' '));

test('chains to files and modules start at an embed entry or the nginx.conf and follow the first require that reached each file', () => {
  const { embedding } = workspace();
  const chains = closureChains(embedding);
  assert.deepEqual(steps(chains.toFile(path.join(DIR, 'lib', 'app', 'deep.lua'))), ['conf/nginx.conf:8:46 content_by_lua_file lua/hook.lua', 'lua/hook.lua:1:22 require "app.deep"']);
  assert.deepEqual(steps(chains.toModule('app.handler')), ['conf/nginx.conf:5:25 require "app.handler"']);
  assert.deepEqual(steps(chains.toModule('app.main')), ['resty-build.json:5:13 embed "app.main"']);
  assert.deepEqual(
    chains.sitesOf('app.util').map((l) => l.file.slice(DIR.length + 1)),
    ['lib/app/main.lua', 'lib/app/handler.lua'],
  );
  assert.equal(chains.toModule('string'), undefined, 'never named');
  assert.equal(chains.toFile('/nowhere.lua'), undefined);
  assert.equal(closureChains(embedding), chains, 'computed once per closure');
});

test('the hover of a require that is not embedded shows the chain to it', () => {
  const { ws } = workspace();
  const util = path.join(DIR, 'lib', 'app', 'util.lua');
  const hover = findHover(ws, util, { line: 0, character: 24 });
  const value = (hover?.contents as { value: string }).value;
  assert.match(value, /Not embedded \(not in "embed" of resty-build\.json\)/);
  assert.ok(
    value.endsWith(['In the embed closure through:', '', '1. `resty-build.json:5:13` embed "app.main"', '2. `lib/app/main.lua:1:22` require "app.util"', '3. `lib/app/util.lua:1:22` require "app.deep" (here)'].join('\n')),
    value,
  );
});
