// The manifest schema's `severity` properties, one per code of the registry
// (server/src/core/codes.ts): the editor's JSON help completes and checks the
// codes, and the core's validator reports an unknown one with a "did you
// mean". `npm run docs:codes` rewrites them; a test fails when the schema
// differs from what this would write.
import { modify, applyEdits, parse } from 'jsonc-parser';
import { DIAGNOSTIC_CODES, SEVERITY_LEVELS } from '../server/src/core/codes';

const SEVERITY_PATH = ['properties', 'severity', 'properties'];

export function severityProperties(): Record<string, unknown> {
  return Object.fromEntries(
    DIAGNOSTIC_CODES.map((info) => [
      info.code,
      {
        type: 'string',
        enum: [...SEVERITY_LEVELS],
        markdownDescription: `${info.summary} Default: \`${info.severity}\`${info.otherwise ? ` (${info.otherwise})` : ''}.`,
      },
    ]),
  );
}

/** The schema text with the generated `severity` properties; the rest of the file keeps its layout. */
export function withSeverityProperties(schemaText: string): string {
  const current = (parse(schemaText) as { properties?: { severity?: { properties?: unknown } } }).properties?.severity?.properties;
  if (JSON.stringify(current) === JSON.stringify(severityProperties())) {
    return schemaText;
  }
  const edits = modify(schemaText, SEVERITY_PATH, severityProperties(), { formattingOptions: { insertSpaces: true, tabSize: 2, eol: '\n' } });
  return applyEdits(schemaText, edits);
}
