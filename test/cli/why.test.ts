// `resty-build why <module>`: the require chain that pulls a module into the
// embed closure; `map --format dot|mermaid`: the closure as a graph (the dot
// output rendered by Graphviz itself).
import { describe, test } from 'node:test';
import * as assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { runCli } from '../helpers/cli';
import { fixture } from '../helpers/paths';
import { requireCapability } from '../e2e/capability';

const DIR = fixture('why-chain');

describe('resty-build why', () => {
  test('the shortest chain from an entry point, then the other sites', () => {
    const run = runCli(['why', 'app.deep', DIR]);
    assert.equal(run.status, 0, run.stderr);
    assert.deepEqual(run.stdout.trimEnd().split('\n'), [
      'app.deep (not embedded: missing from "embed") is in the embed closure through:',
      '  conf/nginx.conf:8:46  content_by_lua_file lua/hook.lua',
      '  lua/hook.lua:1:22     require "app.deep"',
      'Also named at 1 more site:',
      '  lib/app/util.lua:1:22  require "app.deep"',
    ]);
  });

  test('from an embed entry through each require, as JSON too', () => {
    const run = runCli(['why', 'app.util', DIR, '--format', 'json']);
    assert.equal(run.status, 0, run.stderr);
    const json = JSON.parse(run.stdout) as { module: string; status: string; chain: { kind: string; file: string; line: number; column: number; module: string }[]; otherSites: unknown[] };
    assert.equal(json.status, 'not-in-mapping');
    assert.deepEqual(
      json.chain.map((l) => [l.kind, l.file.slice(DIR.length + 1), l.line, l.column, l.module]),
      [
        ['embed', 'resty-build.json', 5, 13, 'app.main'],
        ['require', 'lib/app/main.lua', 1, 22, 'app.util'],
      ],
    );
    assert.equal(json.otherSites.length, 1);
  });

  test('a module the closure does not reach exits 1 and says so; the module is required on the command line', () => {
    const run = runCli(['why', 'app.elsewhere', DIR]);
    assert.equal(run.status, 1);
    assert.equal(run.stdout, '');
    assert.match(run.stderr, /^app\.elsewhere is not in the embed closure of .*resty-build\.json/);
    const missing = runCli(['why']);
    assert.equal(missing.status, 2);
    assert.match(missing.stderr, /missing <module>/);
    assert.match(missing.stderr, /Usage: resty-build why <module> \[dir\]/);
    assert.equal(runCli(['why', 'a', DIR, 'extra']).status, 2);
  });
});

describe('resty-build map as a graph', () => {
  test('--format dot: a node per module reached, coloured by status, that Graphviz renders', (t) => {
    const run = runCli(['map', DIR, '--format', 'dot']);
    const lines = run.stdout.split('\n');
    assert.equal(lines[0], 'digraph "embed closure" {');
    assert.ok(lines.includes('  "app.deep" [label="app.deep\\n(missing from embed)", fillcolor="#ffebee", color="#c62828"];'), run.stdout);
    assert.ok(lines.includes('  "conf/nginx.conf" -> "lua/hook.lua";'));
    assert.ok(lines.includes('  "app.main" -> "app.util";'));
    const dot = spawnSync('dot', ['-V'], { encoding: 'utf8' });
    if (!requireCapability(t, 'graphviz', dot.status === 0 ? undefined : 'dot is not installed: apt-get install graphviz (.ci/run does)')) {
      return;
    }
    const svg = spawnSync('dot', ['-Tsvg'], { input: run.stdout, encoding: 'utf8' });
    assert.equal(svg.status, 0, svg.stderr);
    for (const name of ['app.main', 'app.util', 'app.deep', 'app.handler', 'lua/hook.lua']) {
      assert.ok(svg.stdout.includes(`<title>${name}</title>`), name);
    }
  });

  test('--format mermaid: a flowchart with one node per module and a class per status', () => {
    const run = runCli(['map', DIR, '--format', 'mermaid']);
    const lines = run.stdout.trimEnd().split('\n');
    assert.equal(lines[0], 'flowchart LR');
    assert.ok(lines.includes('  n0["app.main"]:::embedded'));
    assert.ok(lines.includes('  n1["app.deep (missing from embed)"]:::notinmapping'));
    assert.ok(lines.includes('  n0 --> n3'), 'app.main requires app.util');
    assert.ok(lines.includes('  classDef notinmapping fill:#ffebee,stroke:#c62828'));
  });
});
