// npm run docs:codes: rewrites the README's diagnostic-code table and the
// manifest schema's `severity` properties from the registry.
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { withCodesTable } from './codesTable';
import { withSeverityProperties } from './severitySchema';

function rewrite(file: string, what: string, update: (text: string) => string): void {
  const before = readFileSync(file, 'utf8');
  const after = update(before);
  if (after === before) {
    console.log(`${file}: ${what} up to date`);
  } else {
    writeFileSync(file, after);
    console.log(`${file}: ${what} rewritten`);
  }
}

rewrite(join(__dirname, '..', 'README.md'), 'the diagnostic-code table is', withCodesTable);
rewrite(join(__dirname, '..', 'schemas', 'resty-build.schema.json'), 'the severity properties are', withSeverityProperties);
