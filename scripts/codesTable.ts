// The README's "Diagnostic codes" table, written from the code registry
// (server/src/core/codes.ts). `npm run docs:codes` rewrites it; a test fails
// when README.md differs from what this would write.
import { DIAGNOSTIC_CODES, DiagnosticCodeInfo } from '../server/src/core/codes';

export const TABLE_START = '<!-- diagnostic codes: generated from server/src/core/codes.ts by `npm run docs:codes` -->';
export const TABLE_END = '<!-- end of diagnostic codes -->';

/** A table cell: a bare `|` would end the cell, even inside a code span. */
function cell(markdown: string): string {
  return markdown.replace(/(?<!\\)\|/g, '\\|');
}

function row(info: DiagnosticCodeInfo): string {
  const severity = info.otherwise ? `${info.severity} (${info.otherwise})` : info.severity;
  return `| <a name="${info.anchor}"></a>\`${info.code}\` | ${cell(severity)} | ${cell(info.summary)} |`;
}

export function codesTable(): string {
  return ['| code | severity | meaning |', '|---|---|---|', ...DIAGNOSTIC_CODES.map(row)].join('\n');
}

/** The README with the text between the markers replaced by the table. */
export function withCodesTable(readme: string): string {
  const start = readme.indexOf(TABLE_START);
  const end = readme.indexOf(TABLE_END);
  if (start < 0 || end < start) {
    throw new Error(`README.md has no "${TABLE_START}" … "${TABLE_END}" block for the diagnostic codes`);
  }
  return `${readme.slice(0, start)}${TABLE_START}\n${codesTable()}\n${readme.slice(end)}`;
}
