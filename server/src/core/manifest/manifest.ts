import * as path from 'node:path';
import { createScanner, findNodeAtLocation, getNodeValue, Node, parseTree, ParseError, printParseErrorCode, SyntaxKind } from 'jsonc-parser';
import schemaJson from '../../../../schemas/resty-build.schema.json';
import { splitSearchPath } from '../resolve/resolver';
import { isPresetName, RUNTIME_PRESETS } from '../resolve/runtimePresets';
import { checkManifestPaths } from './manifestPaths';
import { EmbedEntry, LinkMode, Manifest, MANIFEST_NAME } from './model';
import { isDiagnosticCode, SeverityLevel } from '../codes';
import { didYouMean } from '../didYouMean';
import { DiagnosticCode, Finding, LineIndex, Range, rangeOf } from '../types';

export { MANIFEST_NAME } from './model';
export type { EmbedEntry, LinkMode, Manifest } from './model';

export interface ManifestResult {
  /** Undefined when the text is not usable at all (invalid JSON, not an object). */
  manifest?: Manifest;
  findings: Finding[];
}

/** The subset of JSON Schema the manifest's schema uses; the schema file is the one source of truth. */
export interface SchemaNode {
  type?: string | string[];
  enum?: string[];
  properties?: Record<string, SchemaNode>;
  additionalProperties?: boolean;
  items?: SchemaNode;
  oneOf?: SchemaNode[];
  required?: string[];
  default?: unknown;
  markdownDescription?: string;
  description?: string;
}

export const MANIFEST_SCHEMA = schemaJson as unknown as SchemaNode;

/**
 * How many items of a list the manifest reader takes. A real manifest embeds
 * hundreds of modules and names a few search templates; a hostile one can
 * list millions, and every template is tried for every require. Beyond the
 * bound the rest is ignored, with a manifest-invalid finding at the first
 * item left out.
 */
export const MANIFEST_LIST_LIMITS: Readonly<Record<string, number>> = { embed: 50_000, provided: 50_000, path: 100, cpath: 100, 'link.extraLdOpt': 1_000 };

function jsonType(node: Node): string {
  return node.type === 'null' ? 'null' : node.type;
}

function typesOf(schema: SchemaNode): string[] {
  return schema.type === undefined ? [] : Array.isArray(schema.type) ? schema.type : [schema.type];
}

function describeTypes(types: string[]): string {
  const words = types.map((t) => (t === 'array' ? 'an array' : t === 'object' ? 'an object' : t === 'null' ? 'null' : `a ${t}`));
  return words.length <= 1 ? (words[0] ?? 'a value') : `${words.slice(0, -1).join(', ')} or ${words[words.length - 1]}`;
}

class Validator {
  readonly findings: Finding[] = [];
  constructor(
    private readonly file: string,
    private readonly lines: LineIndex,
  ) {}

  range(node: Node): Range {
    return this.lines.range(node.offset, node.offset + node.length);
  }

  error(node: Node, message: string, code: DiagnosticCode = 'manifest-invalid'): void {
    this.findings.push({ file: this.file, range: this.range(node), severity: 'error', code, message });
  }

  /** Checks a value against its schema; returns false (after reporting) when it does not fit. */
  check(node: Node, schema: SchemaNode, where: string): boolean {
    if (schema.oneOf) {
      const branch = schema.oneOf.find((b) => typesOf(b).includes(jsonType(node)));
      if (!branch) {
        this.error(node, `${where} must be ${describeTypes(schema.oneOf.flatMap(typesOf))}, not ${jsonType(node)}.`);
        return false;
      }
      return this.check(node, branch, where);
    }
    const types = typesOf(schema);
    if (types.length > 0 && !types.includes(jsonType(node))) {
      const itemTypes = schema.items ? (schema.items.oneOf?.flatMap(typesOf) ?? typesOf(schema.items)) : [];
      const what = types.length === 1 && types[0] === 'array' && itemTypes.length > 0 ? `an array of ${itemTypes.map((t) => `${t}s`).join(' or ')}` : describeTypes(types);
      this.error(node, `${where} must be ${what}, not ${jsonType(node)}.`);
      return false;
    }
    if (schema.enum && !schema.enum.includes(node.value as string)) {
      this.error(node, `${where} must be one of ${schema.enum.map((v) => `"${v}"`).join(', ')}, not ${JSON.stringify(node.value)}.`);
      return false;
    }
    if (node.type === 'array' && schema.items) {
      let ok = true;
      const items = node.children ?? [];
      const limit = MANIFEST_LIST_LIMITS[where] ?? Infinity;
      for (let i = 0; i < items.length && i < limit; i++) {
        ok = this.check(items[i], schema.items, `${where}[${i}]`) && ok;
      }
      if (items.length > limit) {
        this.error(items[limit], `${where} has ${items.length} entries; only the first ${limit} are read.`);
      }
      return ok;
    }
    if (node.type === 'object' && schema.properties) {
      return this.checkObject(node, schema, where);
    }
    return true;
  }

  checkObject(node: Node, schema: SchemaNode, where: string): boolean {
    let ok = true;
    const properties = schema.properties ?? {};
    const seen = new Set<string>();
    for (const prop of node.children ?? []) {
      const [keyNode, valueNode] = prop.children ?? [];
      if (!keyNode || !valueNode) {
        continue;
      }
      const key = keyNode.value as string;
      const label = where ? `${where}.${key}` : key;
      if (seen.has(key)) {
        // JSON leaves a repeated key's meaning open (JSON.parse keeps the last); the reader, fix and the editor's edits all take the first.
        this.error(keyNode, `${label} is given twice: only the first is read.`);
        ok = false;
        continue;
      }
      seen.add(key);
      // Own keys only: the schema is a plain object, so "constructor" or "toString" would find a member of every object.
      const sub = Object.hasOwn(properties, key) ? properties[key] : undefined;
      if (!sub) {
        if (schema.additionalProperties === false) {
          this.error(keyNode, `Unknown key ${label}.${didYouMean(key, Object.keys(properties))}`, 'manifest-unknown-key');
          ok = false;
        }
        continue;
      }
      ok = this.check(valueNode, sub, label) && ok;
    }
    for (const key of schema.required ?? []) {
      if (!seen.has(key)) {
        this.error(node, `${where || 'The manifest'} needs "${key}".`);
        ok = false;
      }
    }
    return ok;
  }
}

function splitTemplates(value: unknown): string[] | undefined {
  if (typeof value === 'string') {
    return splitSearchPath(value);
  }
  // Lua's loader skips empty entries of a search path (loadlib.c, pushnexttemplate); as a path, "" would be the folder itself.
  return Array.isArray(value) ? (value as string[]).filter((t) => t !== '') : undefined;
}

function absolute(dir: string, p: string): string {
  return path.isAbsolute(p) ? path.normalize(p) : path.join(dir, p);
}

function absoluteTemplate(dir: string, t: string): string {
  return t === ';;' ? t : absolute(dir, t);
}

/** "CloseBraceExpected" -> "'}' expected". */
function parseErrorText(code: string): string {
  const words: Record<string, string> = {
    CloseBraceExpected: "'}' expected",
    CloseBracketExpected: "']' expected",
    ColonExpected: "':' expected",
    CommaExpected: "',' expected",
    ValueExpected: 'a value expected',
    PropertyNameExpected: 'a property name expected',
    EndOfFileExpected: 'end of file expected',
    InvalidSymbol: 'invalid symbol',
    UnexpectedEndOfString: 'unterminated string',
    UnexpectedEndOfComment: 'unterminated comment',
    InvalidNumberFormat: 'invalid number',
  };
  return words[code] ?? code;
}


/**
 * Where a finding about an embedded module goes: its `embed` entry, else
 * (no entry, or no module named) the `embed` key, else the manifest's start.
 */
export function embedEntryRange(manifest: Manifest): (module?: string) => Range {
  const entries = new Map(manifest.embed.map((e) => [e.module, e.range]));
  const fallback = manifest.ranges.get('embed') ?? rangeOf(0, 0, 0, 0);
  return (module) => (module !== undefined ? entries.get(module) : undefined) ?? fallback;
}
/** Parses and validates a manifest text. Never throws. */
export function parseManifest(file: string, text: string): ManifestResult {
  try {
    return parseManifestText(file, text);
  } catch (err) {
    // jsonc-parser and the validator recurse: a few thousand nested brackets overflow the stack.
    const why = err instanceof RangeError ? 'it is nested too deeply to be read' : `it could not be read (${String(err)})`;
    return { findings: [{ file, range: new LineIndex(text).range(0, 0), severity: 'error', code: 'manifest-invalid', message: `${MANIFEST_NAME} is not usable: ${why}.` }] };
  }
}

/** Only blanks and comments: nothing to parse. */
function holdsNoToken(text: string): boolean {
  return createScanner(text, true).scan() === SyntaxKind.EOF;
}

function parseManifestText(file: string, original: string): ManifestResult {
  // An editor saving "UTF-8 with BOM" puts U+FEFF first; as a blank of the same length, every offset stays the file's.
  const text = original.startsWith('\uFEFF') ? ` ${original.slice(1)}` : original;
  const lines = new LineIndex(text);
  const v = new Validator(file, lines);
  if (holdsNoToken(text)) {
    v.findings.push({ file, range: lines.range(0, 0), severity: 'error', code: 'manifest-invalid', message: `${MANIFEST_NAME} is empty.` });
    return { findings: v.findings };
  }
  const errors: ParseError[] = [];
  const root = parseTree(text, errors, { allowTrailingComma: true, disallowComments: false });
  if (errors.length > 0 || !root) {
    for (const e of errors.slice(0, 5)) {
      v.findings.push({
        file,
        range: lines.range(e.offset, e.offset + Math.max(e.length, 1)),
        severity: 'error',
        code: 'manifest-invalid',
        message: `${MANIFEST_NAME} is not valid JSON: ${parseErrorText(printParseErrorCode(e.error))}.`,
      });
    }
    return { findings: v.findings };
  }
  if (root.type !== 'object') {
    v.error(root, `${MANIFEST_NAME} must contain one JSON object.`);
    return { findings: v.findings };
  }
  v.checkObject(root, MANIFEST_SCHEMA, '');

  const dir = path.dirname(file);
  const ranges = new Map<string, Range>();
  for (const prop of root.children ?? []) {
    const key = prop.children?.[0]?.value as string;
    if (!ranges.has(key)) {
      ranges.set(key, v.range(prop));
    }
  }
  // Only well-typed values are taken; a wrong one falls back to its default (already reported).
  const schemaAt = (key: string[]): SchemaNode => key.reduce<SchemaNode>((s, k) => s.properties?.[k] ?? {}, MANIFEST_SCHEMA);
  const valid = (key: string[]): unknown => {
    const node = findNodeAtLocation(root, key);
    if (!node) {
      return undefined;
    }
    const probe = new Validator(file, lines);
    return probe.check(node, schemaAt(key), '') ? getNodeValue(node) : undefined;
  };
  const str = (key: string[]) => valid(key) as string | undefined;

  const embed: EmbedEntry[] = [];
  const embedNode = findNodeAtLocation(root, ['embed']);
  if (embedNode?.type === 'array') {
    for (const item of (embedNode.children ?? []).slice(0, MANIFEST_LIST_LIMITS.embed)) {
      const probe = new Validator(file, lines);
      if (!probe.check(item, MANIFEST_SCHEMA.properties!.embed.items!, '')) {
        continue;
      }
      const value = getNodeValue(item) as string | { module: string; file?: string };
      if (typeof value === 'string') {
        embed.push({ module: value, range: v.range(item) });
      } else {
        embed.push({ module: value.module, file: value.file ? absolute(dir, value.file) : undefined, range: v.range(item) });
      }
    }
  }
  const absoluteTemplates = new Set<string>();
  const writtenTemplates: NonNullable<Manifest['writtenTemplates']> = {};
  const templates = (key: 'path' | 'cpath') => {
    const all = splitTemplates(valid([key]));
    const node = findNodeAtLocation(root, [key]);
    if (all && node?.type === 'string' && all.length > MANIFEST_LIST_LIMITS[key]) {
      v.error(node, `${key} has ${all.length} templates; only the first ${MANIFEST_LIST_LIMITS[key]} are read.`);
    }
    writtenTemplates[key] = all?.slice(0, MANIFEST_LIST_LIMITS[key]);
    return all?.slice(0, MANIFEST_LIST_LIMITS[key]).map((t) => {
      if (t !== ';;' && path.isAbsolute(t)) {
        absoluteTemplates.add(path.normalize(t));
      }
      return absoluteTemplate(dir, t);
    });
  };
  const stdlib = str(['stdlib']);
  const buildScript = str(['buildScript']);
  const nginxConf = str(['nginxConf']);
  // `provided` names modules, or `@preset`s that stand for a runtime's modules.
  const provided: string[] = [];
  const providedPresets: string[] = [];
  const providedNode = findNodeAtLocation(root, ['provided']);
  for (const item of providedNode?.type === 'array' ? (providedNode.children ?? []).slice(0, MANIFEST_LIST_LIMITS.provided) : []) {
    if (item.type !== 'string') {
      continue;
    }
    const entry = item.value as string;
    if (!isPresetName(entry)) {
      provided.push(entry);
      continue;
    }
    const preset = RUNTIME_PRESETS[entry];
    if (preset) {
      providedPresets.push(entry);
      provided.push(...preset.modules);
    } else {
      const known = Object.keys(RUNTIME_PRESETS);
      v.error(item, `Unknown runtime preset '${entry}': the presets are ${known.join(', ')}.${didYouMean(entry, known)}`);
    }
  }
  const severity = new Map<DiagnosticCode, SeverityLevel>();
  const severityNode = findNodeAtLocation(root, ['severity']);
  if (severityNode?.type === 'object') {
    const read = new Set<string>();
    for (const prop of severityNode.children ?? []) {
      const [keyNode, valueNode] = prop.children ?? [];
      const code = keyNode?.value as string;
      const first = !read.has(code);
      read.add(code);
      const schema = MANIFEST_SCHEMA.properties?.severity?.properties?.[code];
      if (first && valueNode && schema && isDiagnosticCode(code) && new Validator(file, lines).check(valueNode, schema, '')) {
        severity.set(code, valueNode.value as SeverityLevel);
      }
    }
  }
  const runtimeNode = findNodeAtLocation(root, ['luajit', 'runtime']);
  const runtime = runtimeNode?.type === 'string' ? (runtimeNode.value as string) : null;

  const manifest: Manifest = {
    file,
    dir,
    profile: str(['profile']) as Manifest['profile'],
    buildScript: buildScript !== undefined ? absolute(dir, buildScript) : undefined,
    stdlib: stdlib !== undefined ? absolute(dir, stdlib) : undefined,
    path: templates('path'),
    cpath: templates('cpath'),
    absoluteTemplates,
    writtenTemplates,
    nginxConf: nginxConf !== undefined ? absolute(dir, nginxConf) : undefined,
    embed,
    provided,
    providedPresets,
    exclude: (valid(['exclude']) as string[] | undefined) ?? [],
    luajit: {
      compiler: str(['luajit', 'compiler']) ?? 'luajit',
      runtime,
      debugInfo: (valid(['luajit', 'debugInfo']) as boolean | undefined) ?? true,
      lua52compat: valid(['luajit', 'lua52compat']) as boolean | undefined,
    },
    outDir: absolute(dir, str(['outDir']) ?? 'build/bytecode'),
    link: {
      mode: (str(['link', 'mode']) as LinkMode | undefined) ?? 'objects',
      extraLdOpt: ((valid(['link', 'extraLdOpt']) as string[] | undefined) ?? []).slice(0, MANIFEST_LIST_LIMITS['link.extraLdOpt']),
      compat: (valid(['link', 'compat']) as boolean | undefined) ?? true,
    },
    severity,
    ranges,
  };
  return { manifest, findings: [...v.findings, ...checkManifestPaths(manifest)] };
}
