// The manifest's `severity` key: per code off/info/warning/error, validated by
// the schema (whose code list is written from the registry) with a did-you-mean.
import { describe, test } from 'node:test';
import * as assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import * as path from 'node:path';
import { severityProperties, withSeverityProperties } from '../../scripts/severitySchema';
import { checkAll } from '../../server/src/core/checks/fileChecks';
import { DIAGNOSTIC_CODES } from '../../server/src/core/codes';
import { parseManifest } from '../../server/src/core/manifest/manifest';
import { memWorkspace } from '../helpers/core';
import { repoRoot } from '../helpers/paths';

const MAIN = ['local a = require "gone.a"', 'local m = require(name)', 'local b = require "gone.b" -- resty-build: ignore unresolved-module', ''].join('\n');

function reported(severity: Record<string, string>): [string, string, number][] {
  const ws = memWorkspace({ 'resty-build.json': JSON.stringify({ profile: 'openresty', path: ['?.lua'], severity }), 'main.lua': MAIN });
  return [...checkAll(ws).values()].flat().map((f) => [f.code, f.severity, f.range.start.line]);
}

describe('severity in resty-build.json', () => {
  test('without it, the registry defaults apply', () => {
    assert.deepEqual(reported({}), [
      ['unresolved-module', 'error', 0],
      ['dynamic-require', 'info', 1],
    ]);
  });

  test('a level sets every finding of the code; off drops them; suppressions still apply first', () => {
    assert.deepEqual(reported({ 'unresolved-module': 'warning', 'dynamic-require': 'error' }), [
      ['unresolved-module', 'warning', 0],
      ['dynamic-require', 'error', 1],
    ]);
    assert.deepEqual(reported({ 'dynamic-require': 'off' }), [['unresolved-module', 'error', 0]]);
  });

  test('an unknown code is an unknown key with a did-you-mean, a wrong level names the levels; the valid entries still apply', () => {
    const text = JSON.stringify({ severity: { 'dynamic-requires': 'off', 'unresolved-module': 'fatal', 'require-cycle': 'off' } }, null, 2);
    const { manifest, findings } = parseManifest('/p/resty-build.json', text);
    assert.deepEqual(
      findings.map((f) => [f.code, f.message]),
      [
        ['manifest-unknown-key', "Unknown key severity.dynamic-requires. Did you mean 'dynamic-require'?"],
        ['manifest-invalid', 'severity.unresolved-module must be one of "off", "info", "warning", "error", not "fatal".'],
      ],
    );
    assert.deepEqual([...manifest!.severity], [['require-cycle', 'off']]);
    assert.match(parseManifest('/p/resty-build.json', '{ "severity": ["off"] }').findings[0].message, /^severity must be an object, not array\./);
  });

  test('the schema lists every code of the registry (npm run docs:codes writes them)', () => {
    const schemaText = readFileSync(path.join(repoRoot, 'schemas', 'resty-build.schema.json'), 'utf8');
    assert.equal(schemaText, withSeverityProperties(schemaText), 'the schema differs from the code registry: run npm run docs:codes');
    const properties = severityProperties() as Record<string, { enum: string[] }>;
    assert.deepEqual(Object.keys(properties), DIAGNOSTIC_CODES.map((c) => c.code));
    assert.deepEqual(properties['not-in-mapping'].enum, ['off', 'info', 'warning', 'error']);
  });
});

describe('severity and suppressions with guarded requires and excluded files', () => {
  // app (embedded) requires, under pcall, a module found nowhere, and vendor/shim.lua, which
  // exclude leaves out of the analysis but the closure still judges (it goes into the binary).
  function closureFindings(severity: Record<string, string>): string[] {
    const ws = memWorkspace({
      'resty-build.json': JSON.stringify({ profile: 'openresty', path: ['lib/?.lua', 'vendor/?.lua'], embed: ['app', 'shim'], exclude: ['vendor/**'], severity }),
      'lib/app.lua': ['local ok, a = pcall(require, "gone.a")', 'local ok2, b = pcall(require, "gone.b") -- resty-build: ignore unresolved-module', 'local shim = require "shim"', 'return {}', ''].join('\n'),
      'vendor/shim.lua': ['-- resty-build: ignore-file dynamic-require', 'local x = require(os.getenv("X"))', 'local ok, c = pcall(function() return require "gone.c" end)', 'local d = require "gone.d" -- resty-build: ignore unresolved-module', 'return {}', ''].join('\n'),
    });
    return [...checkAll(ws).values()].flat().map((f) => `${path.basename(f.file)}:${f.range.start.line} ${f.severity} ${f.code} ${f.module ?? ''}`.trimEnd());
  }

  test('a guarded require is a warning unless the manifest says otherwise; its line comment silences it; an excluded file keeps its comments', () => {
    assert.deepEqual(closureFindings({}), ['app.lua:0 warning unresolved-module gone.a', 'shim.lua:2 warning unresolved-module gone.c']);
    assert.deepEqual(closureFindings({ 'unresolved-module': 'error' }), ['app.lua:0 error unresolved-module gone.a', 'shim.lua:2 error unresolved-module gone.c']);
    assert.deepEqual(closureFindings({ 'unresolved-module': 'off', 'dynamic-require': 'error' }), []);
  });
});
