// Every diagnostic links to its code's row of the README (codeDescription): the
// rows are written from the code registry, which every producer's Finding.code
// is typed by, so the README must hold exactly what the registry says.
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { test } from 'node:test';
import { codesTable, TABLE_END, TABLE_START, withCodesTable } from '../../scripts/codesTable';
import { codeInfo, DIAGNOSTIC_CODES, isDiagnosticCode } from '../../server/src/core/codes';
import { docsUrlFor, toDiagnostic } from '../../server/src/convert';

const REPO = join(__dirname, '..', '..');
const readme = readFileSync(join(REPO, 'README.md'), 'utf8');

function diagnosticSection(): string {
  const section = readme.slice(readme.indexOf('## Diagnostic codes'));
  return section.slice(0, section.indexOf('\n## ', 3));
}

function anchors(): Set<string> {
  return new Set([...readme.matchAll(/<a name="([a-z0-9-]+)"><\/a>/g)].map((m) => m[1]));
}

test('docs links: the README table is what npm run docs:codes writes from the registry', () => {
  const section = diagnosticSection();
  assert.ok(section.includes(TABLE_START) && section.includes(TABLE_END), 'the generated table belongs in the "Diagnostic codes" section');
  assert.equal(readme, withCodesTable(readme), 'README.md differs from the code registry: run npm run docs:codes');
});

test('docs links: the registry lists every code once, each with its own README anchor', () => {
  const codes = DIAGNOSTIC_CODES.map((c) => c.code);
  assert.equal(new Set(codes).size, codes.length);
  assert.ok(codes.length >= 27, `found ${codes.length} codes`);
  for (const code of ['unresolved-module', 'compile-error', 'compiler-failed', 'symbol-missing', 'bad-module-name', 'verify-link-failed', 'manifest-unknown-key'] as const) {
    assert.ok(isDiagnosticCode(code), code);
  }
  assert.equal(isDiagnosticCode('static-glibc'), false, 'link-flag warnings are not diagnostics');
  const have = anchors();
  for (const info of DIAGNOSTIC_CODES) {
    assert.match(info.code, /^[a-z0-9]+(-[a-z0-9]+)+$/);
    assert.equal(info.anchor, `code-${info.code}`);
    assert.ok(have.has(info.anchor), `README lacks <a name="${info.anchor}"></a>`);
    assert.ok(info.summary.length > 0 && !info.summary.includes('\n'), `${info.code}: the summary is one line`);
  }
});

test('docs links: a table row carries the code, its default severity and its summary', () => {
  const rows = codesTable().split('\n');
  const row = rows.find((r) => r.includes('`unresolved-module`'));
  assert.equal(
    row,
    '| <a name="code-unresolved-module"></a>`unresolved-module` | error (warning when guarded by `pcall`/`xpcall`) | ' + codeInfo('unresolved-module').summary + ' |',
  );
  assert.equal(codeInfo('require-cycle').severity, 'warning');
  assert.ok(rows.some((r) => r.includes('(`//`, `&`, `\\|`, `~`')), 'a | inside a summary is escaped for the table');
});

test('docs links: a diagnostic links to its code anchor', () => {
  const d = toDiagnostic({
    file: '/x.lua',
    range: { start: { line: 0, character: 0 }, end: { line: 0, character: 1 } },
    severity: 'error',
    code: 'unresolved-module',
    message: 'm',
  });
  assert.equal(d.codeDescription?.href, 'https://github.com/resty-build/resty-build/blob/main/README.md#code-unresolved-module');
  assert.equal(docsUrlFor('not-in-mapping'), 'https://github.com/resty-build/resty-build/blob/main/README.md#code-not-in-mapping');
});
