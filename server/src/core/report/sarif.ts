import { pathToFileURL } from 'node:url';
import { DIAGNOSTIC_CODES, DiagnosticCodeInfo, docsUrlFor } from '../codes';
import { relativeInside } from '../paths';
import { sortFindings } from '../findingFormat';
import { Finding, Range, RelatedPlace, Severity } from '../types';

/**
 * `check --format sarif`: a SARIF 2.1.0 log (OASIS), the format code
 * scanning services read (GitHub's upload-sarif, Azure DevOps, SARIF
 * viewers). One rule per code of the registry, with its summary as help
 * and its README row as helpUri; one result per finding. Artifact URIs are
 * relative to `base` (the repository root a CI job runs in) through the
 * SRCROOT base id, and absolute file URIs outside it.
 */

const SARIF_SCHEMA = 'https://json.schemastore.org/sarif-2.1.0.json';
const INFORMATION_URI = 'https://github.com/resty-build/resty-build';

type SarifLevel = 'error' | 'warning' | 'note';

const LEVEL: Record<Severity, SarifLevel> = { error: 'error', warning: 'warning', info: 'note', hint: 'note' };

/** Markdown as plain text: code spans and emphasis marks dropped, links kept as their text. */
function plain(markdown: string): string {
  return markdown
    .replace(/\[([^\]]+)\]\([^)]+\)/g, '$1')
    .replace(/`([^`]*)`/g, '$1')
    .replace(/\*\*?([^*]+)\*\*?/g, '$1');
}

/** The first sentence, for the short description. */
function firstSentence(text: string): string {
  const end = text.search(/[.:](\s|$)/);
  return end < 0 ? text : text.slice(0, end + 1).replace(/:$/, '.');
}

/** `unresolved-module` -> `UnresolvedModule`, the name SARIF viewers show next to the id. */
function ruleName(code: string): string {
  return code.replace(/(^|-)([a-z0-9])/g, (_, _dash: string, c: string) => c.toUpperCase());
}

function sentence(text: string): string {
  const trimmed = text.trimEnd();
  return /[.!?]$/.test(trimmed) ? trimmed : `${trimmed}.`;
}

function rule(info: DiagnosticCodeInfo) {
  const summary = plain(info.summary);
  const url = docsUrlFor(info.code);
  const severity = info.otherwise ? `Default severity: ${info.severity} (${plain(info.otherwise)}).` : `Default severity: ${info.severity}.`;
  return {
    id: info.code,
    name: ruleName(info.code),
    shortDescription: { text: sentence(firstSentence(summary)) },
    fullDescription: { text: sentence(summary) },
    help: { text: `${sentence(summary)} ${severity} See ${url}`, markdown: `${info.summary} ${severity} [Details](${url})` },
    helpUri: url,
    defaultConfiguration: { level: LEVEL[info.severity] },
  };
}

function region(range: Range) {
  // SARIF lines and columns are 1-based; the end column is exclusive, as in LSP ranges.
  return { startLine: range.start.line + 1, startColumn: range.start.character + 1, endLine: range.end.line + 1, endColumn: range.end.character + 1 };
}

function artifactLocation(file: string, base: string) {
  const rel = relativeInside(base, file);
  if (rel === undefined || rel === '') {
    return { uri: pathToFileURL(file).href };
  }
  return { uri: rel.split('/').map(encodeURIComponent).join('/'), uriBaseId: 'SRCROOT' };
}

function location(file: string, range: Range, base: string) {
  return { physicalLocation: { artifactLocation: artifactLocation(file, base), region: region(range) } };
}

function relatedLocation(place: RelatedPlace, index: number, base: string) {
  return { id: index + 1, ...location(place.file, place.range, base), message: { text: sentence(place.message) } };
}

export interface SarifOptions {
  /** Paths inside it are written relative (SRCROOT). */
  base: string;
  toolVersion: string;
}

export function sarifLog(findings: readonly Finding[], options: SarifOptions) {
  const ruleIndex = new Map(DIAGNOSTIC_CODES.map((info, i) => [info.code, i]));
  const results = sortFindings(findings).map((f) => ({
    ruleId: f.code,
    ruleIndex: ruleIndex.get(f.code)!,
    level: LEVEL[f.severity],
    message: { text: sentence(f.message) },
    locations: [location(f.file, f.range, options.base)],
    ...(f.related && f.related.length > 0 ? { relatedLocations: f.related.map((r, i) => relatedLocation(r, i, options.base)) } : {}),
  }));
  return {
    $schema: SARIF_SCHEMA,
    version: '2.1.0',
    runs: [
      {
        tool: {
          driver: {
            name: 'resty-build',
            version: options.toolVersion,
            semanticVersion: options.toolVersion,
            informationUri: INFORMATION_URI,
            rules: DIAGNOSTIC_CODES.map(rule),
          },
        },
        originalUriBaseIds: { SRCROOT: { uri: pathToFileURL(options.base.endsWith('/') ? options.base : `${options.base}/`).href } },
        columnKind: 'utf16CodeUnits',
        results,
      },
    ],
  };
}
