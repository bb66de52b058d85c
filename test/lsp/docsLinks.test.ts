// Every diagnostic links to its code's row of the README (codeDescription): the
// anchors must exist there, for every code the core and the build produce.
import assert from 'node:assert/strict';
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { test } from 'node:test';
import { docsUrlFor, toDiagnostic } from '../../server/src/convert';

const REPO = join(__dirname, '..', '..');
const readme = readFileSync(join(REPO, 'README.md'), 'utf8');

function diagnosticTable(): string[] {
  const section = readme.slice(readme.indexOf('## Diagnostic codes'));
  return section
    .slice(0, section.indexOf('\n## ', 3))
    .split('\n')
    .filter((line) => line.startsWith('| <a name='));
}

function anchors(): Set<string> {
  return new Set([...readme.matchAll(/<a name="code-([a-z0-9-]+)"><\/a>/g)].map((m) => m[1]));
}

/** Codes given as literals where findings are made (link-flag warnings are not diagnostics: docs/build-commands.md). */
function producedCodes(): Set<string> {
  const codes = new Set<string>();
  const walk = (dir: string): void => {
    for (const entry of readdirSync(dir, { withFileTypes: true })) {
      const path = join(dir, entry.name);
      if (entry.isDirectory()) {
        walk(path);
      } else if (entry.name.endsWith('.ts') && entry.name !== 'linkFlags.ts') {
        const text = readFileSync(path, 'utf8');
        for (const m of text.matchAll(/\bcode: '([a-z]+(?:-[a-z]+)+)'|\b(?:fail|at|note|onManifest)\([^()']*'([a-z]+(?:-[a-z]+)+)'/g)) {
          codes.add(m[1] ?? m[2]);
        }
      }
    }
  };
  walk(join(REPO, 'server', 'src', 'core'));
  walk(join(REPO, 'server', 'src', 'toolchain'));
  return codes;
}

test('docs links: every code in the README table has its anchor', () => {
  const rows = diagnosticTable();
  assert.ok(rows.length >= 15, `found ${rows.length} rows`);
  const have = anchors();
  for (const row of rows) {
    const firstCell = row.split(' | ')[0];
    for (const [, code] of firstCell.matchAll(/`([a-z0-9-]+)`/g)) {
      assert.ok(have.has(code), `README row for ${code} lacks <a name="code-${code}"></a>`);
    }
  }
});

test('docs links: every code the core and the build produce is documented', () => {
  const have = anchors();
  const produced = producedCodes();
  assert.ok(produced.has('unresolved-module') && produced.has('compile-error'), [...produced].join(', '));
  const missing = [...produced].filter((code) => !have.has(code));
  assert.deepEqual(missing, [], 'add a row with <a name="code-…"></a> to the README table');
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
