// npm run docs:codes: rewrites the README's diagnostic-code table from the registry.
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { withCodesTable } from './codesTable';

const readmeFile = join(__dirname, '..', 'README.md');
const before = readFileSync(readmeFile, 'utf8');
const after = withCodesTable(before);
if (after === before) {
  console.log('README.md: the diagnostic-code table is up to date');
} else {
  writeFileSync(readmeFile, after);
  console.log('README.md: diagnostic-code table rewritten');
}
