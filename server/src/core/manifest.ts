import * as path from 'node:path';
import { findNodeAtLocation, getNodeValue, Node, parseTree, ParseError, printParseErrorCode } from 'jsonc-parser';
import { Finding, LineIndex, Range } from './types';

export const MANIFEST_NAME = 'resty-build.json';

export type LinkMode = 'objects' | 'archive';

export interface EmbedEntry {
  module: string;
  /** An explicit source file, absolute; else resolved through the search path. */
  file?: string;
  /** Where the entry stands in the manifest, for positioned diagnostics and code actions. */
  range: Range;
}

/**
 * The project manifest. Its keys are a contract shared with CI scripts and
 * other tools (see README): extend, never rename. Relative paths are made
 * absolute against the manifest's folder here, once.
 */
export interface Manifest {
  file: string;
  dir: string;
  profile?: 'openresty' | 'luakit';
  buildScript?: string;
  stdlib?: string;
  /** Templates as written (absolute after loading), with ";;" kept as the marker for defaults. */
  path?: string[];
  cpath?: string[];
  nginxConf?: string;
  embed: EmbedEntry[];
  provided: string[];
  luajit: { compiler: string; runtime: string | null; debugInfo: boolean };
  outDir: string;
  link: { mode: LinkMode; extraLdOpt: string[]; compat: boolean };
  /** Ranges of keys, by JSON path joined with '/', for diagnostics on the manifest. */
  ranges: Map<string, Range>;
}

export interface ManifestResult {
  /** Undefined when the text is not usable at all (invalid JSON, not an object). */
  manifest?: Manifest;
  findings: Finding[];
}

type Kind = 'string' | 'boolean' | 'string[]' | 'path[]' | 'embed[]' | 'object' | 'string|null';

interface KeySpec {
  kind: Kind;
  values?: string[];
  children?: Record<string, KeySpec>;
}

const SCHEMA: Record<string, KeySpec> = {
  $schema: { kind: 'string' },
  profile: { kind: 'string', values: ['openresty', 'luakit'] },
  buildScript: { kind: 'string' },
  stdlib: { kind: 'string' },
  path: { kind: 'path[]' },
  cpath: { kind: 'path[]' },
  nginxConf: { kind: 'string' },
  embed: { kind: 'embed[]' },
  provided: { kind: 'string[]' },
  luajit: {
    kind: 'object',
    children: {
      compiler: { kind: 'string' },
      runtime: { kind: 'string|null' },
      debugInfo: { kind: 'boolean' },
    },
  },
  outDir: { kind: 'string' },
  link: {
    kind: 'object',
    children: {
      mode: { kind: 'string', values: ['objects', 'archive'] },
      extraLdOpt: { kind: 'string[]' },
      compat: { kind: 'boolean' },
    },
  },
};

/** Edit distance, for "did you mean" on misspelt keys. */
function distance(a: string, b: string): number {
  const d: number[] = Array.from({ length: b.length + 1 }, (_, j) => j);
  for (let i = 1; i <= a.length; i++) {
    let prev = d[0];
    d[0] = i;
    for (let j = 1; j <= b.length; j++) {
      const tmp = d[j];
      d[j] = Math.min(d[j] + 1, d[j - 1] + 1, prev + (a[i - 1].toLowerCase() === b[j - 1].toLowerCase() ? 0 : 1));
      prev = tmp;
    }
  }
  return d[b.length];
}

function suggest(key: string, known: string[]): string {
  const best = known.map((k) => [k, distance(key, k)] as const).sort((x, y) => x[1] - y[1])[0];
  return best && best[1] <= Math.max(2, Math.floor(key.length / 3)) ? ` Did you mean '${best[0]}'?` : '';
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

  error(node: Node, message: string, code = 'manifest-invalid'): void {
    this.findings.push({ file: this.file, range: this.range(node), severity: 'error', code, message });
  }

  /** Checks a value against its spec; returns false (after reporting) when its type is wrong. */
  check(node: Node, spec: KeySpec, where: string): boolean {
    const typeName = (n: Node) => (n.type === 'null' ? 'null' : n.type);
    switch (spec.kind) {
      case 'string':
        if (node.type !== 'string') {
          this.error(node, `${where} must be a string, not ${typeName(node)}.`);
          return false;
        }
        if (spec.values && !spec.values.includes(node.value as string)) {
          this.error(node, `${where} must be one of ${spec.values.map((v) => `"${v}"`).join(', ')}, not "${node.value}".`);
          return false;
        }
        return true;
      case 'string|null':
        if (node.type !== 'string' && node.type !== 'null') {
          this.error(node, `${where} must be a string or null, not ${typeName(node)}.`);
          return false;
        }
        return true;
      case 'boolean':
        if (node.type !== 'boolean') {
          this.error(node, `${where} must be true or false, not ${typeName(node)}.`);
          return false;
        }
        return true;
      case 'path[]':
      case 'string[]':
        if (spec.kind === 'path[]' && node.type === 'string') {
          return true;
        }
        if (node.type !== 'array') {
          this.error(node, `${where} must be an array of strings${spec.kind === 'path[]' ? ' (or one ";"-separated string)' : ''}.`);
          return false;
        }
        return (node.children ?? []).every((c, i) => {
          if (c.type !== 'string') {
            this.error(c, `${where}[${i}] must be a string, not ${typeName(c)}.`);
            return false;
          }
          return true;
        });
      case 'embed[]':
        if (node.type !== 'array') {
          this.error(node, `${where} must be an array of module names or { "module", "file" } objects.`);
          return false;
        }
        return (node.children ?? []).every((c, i) => this.checkEmbedEntry(c, `${where}[${i}]`));
      case 'object':
        if (node.type !== 'object') {
          this.error(node, `${where} must be an object, not ${typeName(node)}.`);
          return false;
        }
        return this.checkObject(node, spec.children ?? {}, where);
    }
  }

  checkEmbedEntry(node: Node, where: string): boolean {
    if (node.type === 'string') {
      return true;
    }
    if (node.type !== 'object') {
      this.error(node, `${where} must be a module name or an object { "module": …, "file": … }.`);
      return false;
    }
    const ok = this.checkObject(node, { module: { kind: 'string' }, file: { kind: 'string' } }, where);
    if (ok && !findNodeAtLocation(node, ['module'])) {
      this.error(node, `${where} needs a "module" name.`);
      return false;
    }
    return ok;
  }

  checkObject(node: Node, children: Record<string, KeySpec>, where: string): boolean {
    let ok = true;
    for (const prop of node.children ?? []) {
      const [keyNode, valueNode] = prop.children ?? [];
      if (!keyNode || !valueNode) {
        continue;
      }
      const key = keyNode.value as string;
      const spec = children[key];
      const label = where ? `${where}.${key}` : `"${key}"`;
      if (!spec) {
        this.error(keyNode, `Unknown key ${label}.${suggest(key, Object.keys(children))}`, 'manifest-unknown-key');
        ok = false;
        continue;
      }
      ok = this.check(valueNode, spec, label) && ok;
    }
    return ok;
  }
}

function splitTemplates(value: unknown): string[] | undefined {
  if (typeof value === 'string') {
    // "a;b;;" — keep ";;" as its own marker for "the defaults go here".
    const out: string[] = [];
    for (const part of value.split(/(;;)/)) {
      if (part === ';;') {
        out.push(';;');
      } else {
        out.push(...part.split(';').filter((p) => p !== ''));
      }
    }
    return out;
  }
  return Array.isArray(value) ? (value as string[]) : undefined;
}

function absolute(dir: string, p: string): string {
  return path.isAbsolute(p) ? path.normalize(p) : path.join(dir, p);
}

function absoluteTemplate(dir: string, t: string): string {
  return t === ';;' ? t : absolute(dir, t);
}

/** Parses and validates a manifest text. Never throws. */
export function parseManifest(file: string, text: string): ManifestResult {
  const lines = new LineIndex(text);
  const v = new Validator(file, lines);
  const errors: ParseError[] = [];
  const root = parseTree(text, errors, { allowTrailingComma: true, disallowComments: false });
  if (errors.length > 0 || !root) {
    for (const e of errors.slice(0, 5)) {
      v.findings.push({
        file,
        range: lines.range(e.offset, e.offset + Math.max(e.length, 1)),
        severity: 'error',
        code: 'manifest-invalid',
        message: `${MANIFEST_NAME} is not valid JSON: ${printParseErrorCode(e.error)}.`,
      });
    }
    if (!root) {
      v.findings.push({ file, range: lines.range(0, 0), severity: 'error', code: 'manifest-invalid', message: `${MANIFEST_NAME} is empty.` });
    }
    return { findings: v.findings };
  }
  if (root.type !== 'object') {
    v.error(root, `${MANIFEST_NAME} must contain one JSON object.`);
    return { findings: v.findings };
  }
  v.checkObject(root, SCHEMA, '');

  const dir = path.dirname(file);
  const ranges = new Map<string, Range>();
  for (const prop of root.children ?? []) {
    const key = prop.children?.[0]?.value as string;
    ranges.set(key, v.range(prop));
  }
  // Only well-typed values are taken; a wrong one falls back to its default (already reported).
  const valid = (key: string[], spec: KeySpec): unknown => {
    const node = findNodeAtLocation(root, key);
    if (!node) {
      return undefined;
    }
    const probe = new Validator(file, lines);
    return probe.check(node, spec, '') ? getNodeValue(node) : undefined;
  };
  const str = (key: string[], spec: KeySpec = { kind: 'string' }) => valid(key, spec) as string | undefined;

  const embed: EmbedEntry[] = [];
  const embedNode = findNodeAtLocation(root, ['embed']);
  if (embedNode?.type === 'array') {
    for (const item of embedNode.children ?? []) {
      const probe = new Validator(file, lines);
      if (!probe.checkEmbedEntry(item, '')) {
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
  const templates = (key: string) => splitTemplates(valid([key], SCHEMA[key]))?.map((t) => absoluteTemplate(dir, t));
  const stdlib = str(['stdlib']);
  const buildScript = str(['buildScript']);
  const nginxConf = str(['nginxConf']);
  const runtimeNode = findNodeAtLocation(root, ['luajit', 'runtime']);
  const runtime = runtimeNode?.type === 'string' ? (runtimeNode.value as string) : null;

  const manifest: Manifest = {
    file,
    dir,
    profile: str(['profile'], SCHEMA.profile) as Manifest['profile'],
    buildScript: buildScript !== undefined ? absolute(dir, buildScript) : undefined,
    stdlib: stdlib !== undefined ? absolute(dir, stdlib) : undefined,
    path: templates('path'),
    cpath: templates('cpath'),
    nginxConf: nginxConf !== undefined ? absolute(dir, nginxConf) : undefined,
    embed,
    provided: (valid(['provided'], SCHEMA.provided) as string[] | undefined) ?? [],
    luajit: {
      compiler: str(['luajit', 'compiler']) ?? 'luajit',
      runtime,
      debugInfo: (valid(['luajit', 'debugInfo'], { kind: 'boolean' }) as boolean | undefined) ?? true,
    },
    outDir: absolute(dir, str(['outDir']) ?? 'build/bytecode'),
    link: {
      mode: (str(['link', 'mode'], { kind: 'string', values: ['objects', 'archive'] }) as LinkMode | undefined) ?? 'objects',
      extraLdOpt: (valid(['link', 'extraLdOpt'], { kind: 'string[]' }) as string[] | undefined) ?? [],
      compat: (valid(['link', 'compat'], { kind: 'boolean' }) as boolean | undefined) ?? true,
    },
    ranges,
  };
  return { manifest, findings: v.findings };
}
