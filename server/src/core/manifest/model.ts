import type { DiagnosticCode, SeverityLevel } from '../codes';
import { Range } from '../types';

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
  /** `path` and `cpath` as the manifest spells them, entry for entry: what search trails show. */
  writtenTemplates?: { path?: string[]; cpath?: string[] };
  /** The `path`/`cpath` templates written as absolute paths (search roots the user named, e.g. /usr/share/lua/5.1/?.lua). */
  absoluteTemplates?: ReadonlySet<string>;
  nginxConf?: string;
  embed: EmbedEntry[];
  /** Module names, those of the presets included. */
  provided: string[];
  /** The `@presets` among them (`@openresty-1.27.1.2`). */
  providedPresets: string[];
  /** Glob patterns relative to `dir`: files not analysed or reported (still resolvable). */
  exclude: string[];
  /** `lua52compat` undefined: not written in the manifest (detected where allowed, else false). */
  luajit: { compiler: string; runtime: string | null; debugInfo: boolean; lua52compat?: boolean };
  outDir: string;
  link: { mode: LinkMode; extraLdOpt: string[]; compat: boolean };
  /** The `severity` key: codes whose findings get another severity, or none (`off`). Empty when absent. */
  severity: ReadonlyMap<DiagnosticCode, SeverityLevel>;
  /** Ranges of keys, by JSON path joined with '/', for diagnostics on the manifest. */
  ranges: Map<string, Range>;
}
