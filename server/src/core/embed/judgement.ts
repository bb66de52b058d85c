import { LuaFileFacts } from '../lua/luaFile';
import { loaderSymbol, MappingEntry, unembeddableHyphenReason } from './mapping';
import { ffiLibraryFile, isSystemLibrary, suspiciousNameReason } from '../resolve/moduleNames';
import { notFoundMessage, Resolution, searchTrail } from '../resolve/resolver';
import { Finding, Range } from '../types';

/** How a module reached from the embed closure will fare in the binary. */
export type ClosureStatus = 'embedded' | 'not-in-mapping' | 'builtin' | 'provided' | 'native' | 'unresolved' | 'hyphen-name';

/** What one module reached by a require is, as judged at one site. */
export interface ModuleNote {
  name: string;
  status: ClosureStatus;
  file?: string;
  optional: boolean;
  /** The require call, in the judged file (for nginx.conf Lua: in the conf). */
  range: Range;
}

/** A ModuleNote whose range is computed when asked, by one getter shared by all notes (a closure has a note per require). */
class SiteNote implements ModuleNote {
  constructor(
    readonly name: string,
    readonly status: ClosureStatus,
    readonly file: string | undefined,
    readonly optional: boolean,
    private readonly start: number,
    private readonly end: number,
    private readonly toFile: (start: number, end: number) => Range,
  ) {}

  get range(): Range {
    return this.toFile(this.start, this.end);
  }
}

/** The closure's verdict on the requires of one text: its findings, the modules it reaches, and the files to follow. */
export interface FileJudgement {
  facts: LuaFileFacts;
  /** Offsets of the judged text to ranges of its file. */
  toFile: (start: number, end: number) => Range;
  findings: Finding[];
  notes: ModuleNote[];
  next: string[];
}

/** What a guarded require's finding adds: why it is a warning. */
const GUARDED_NOTE = '(guarded by pcall/xpcall: an embedded binary that cannot find the module takes the guarded branch, as the code intends)';

/** Judges the requires of one text; `toFile` maps its offsets to ranges of `file`. */
export function judge(file: string, facts: LuaFileFacts, toFile: (start: number, end: number) => Range, embedded: EmbeddedModules, resolve: (name: string) => Resolution): FileJudgement {
  const findings: Finding[] = [];
  const notes: ModuleNote[] = [];
  const next: string[] = [];
  for (const site of facts.requires) {
    if (site.dynamic || site.name === undefined) {
      if (!site.forwarding) {
        findings.push({
          file,
          range: toFile(site.start, site.end),
          severity: 'warning',
          code: 'dynamic-require',
          message: 'This require is part of the embed closure but its module name is neither a literal nor built from constants, so what it loads cannot be checked or embedded.',
        });
      }
      continue;
    }
    const name = site.name;
    // A guarded require (pcall/xpcall) is never an error: the binary that cannot find the module takes the guarded branch.
    const at = (severity: Finding['severity'], code: Finding['code'], message: string) =>
      findings.push({
        file,
        range: toFile(site.start, site.end),
        severity: site.optional && severity === 'error' ? 'warning' : severity,
        code,
        message: site.optional ? `${message}\n${GUARDED_NOTE}` : message,
        module: name,
      });
    // The range is asked for only by the require chains (why, hovers, findings moved from outside a project):
    // computing it for every require would build the line index of every file in the closure.
    const note = (status: ClosureStatus, target?: string) => notes.push(new SiteNote(name, status, target, site.optional, site.start, site.end, toFile));
    const resolution = resolve(name);
    if (resolution.status === 'builtin' || resolution.status === 'provided') {
      note(resolution.status);
      continue;
    }
    const hyphen = unembeddableHyphenReason(name);
    if (hyphen) {
      note('hyphen-name', resolution.file);
      at('error', 'hyphen-name', `'${name}' can never be found as embedded bytecode: ${hyphen}. Rename the module.`);
      if (resolution.file && resolution.status === 'file') {
        next.push(resolution.file);
      }
      continue;
    }
    const odd = suspiciousNameReason(name);
    if (odd) {
      note('unresolved', resolution.file);
      at('error', 'suspicious-module-name', `'${name}' cannot be embedded: ${odd}, and luajit -n rejects such names.`);
      continue;
    }
    const entry = embedded.byName.get(name);
    if (entry) {
      note('embedded', entry.file);
      if (entry.file) {
        next.push(entry.file);
      }
      continue;
    }
    const twin = embedded.bySymbol.get(loaderSymbol(name));
    if (twin) {
      // The loader finds the other module's bytecode under this name: the wrong code runs, silently.
      note(resolution.status === 'file' ? 'not-in-mapping' : 'unresolved', resolution.file);
      at(
        'error',
        'symbol-collision',
        `'${name}' is looked up as ${twin.symbol}, the symbol of the embedded '${twin.module}' (require drops everything up to a name's first '-'): the binary would run '${twin.module}' for it. Rename one of them; they cannot be embedded together.`,
      );
      continue;
    }
    if (resolution.status === 'file') {
      note('not-in-mapping', resolution.file);
      at('error', 'not-in-mapping', `'${name}' is required here but not embedded: the nginx binary will say "module '${name}' not found". Add it to "embed" in resty-build.json.`);
      next.push(resolution.file!);
    } else if (resolution.status === 'native') {
      note('native', resolution.file);
      at('error', 'native-module', `'${name}' is a C module (${resolution.file}): it cannot be compiled to bytecode; the library must ship in the runtime image.`);
    } else {
      note('unresolved');
      findings.push({
        file,
        range: toFile(site.start, site.end),
        severity: site.optional ? 'warning' : 'error',
        code: 'unresolved-module',
        message: `${notFoundMessage(resolution)}\n(part of the embed closure)${site.optional ? `\n${GUARDED_NOTE}` : ''}`,
        module: name,
        trail: searchTrail(resolution),
      });
    }
  }
  for (const load of facts.ffiLoads) {
    const range = toFile(load.start, load.end);
    if (load.library === undefined) {
      findings.push({
        file,
        range,
        severity: 'warning',
        code: 'native-module',
        message: 'ffi.load with a library name computed at run time: the Lua code can be embedded, but whatever native library it loads must ship in the runtime image, and resty-build cannot tell which.',
      });
    } else if (!isSystemLibrary(load.library)) {
      findings.push({
        file,
        range,
        severity: 'warning',
        code: 'native-module',
        message: `ffi.load("${load.library}") loads a native library: the Lua code can be embedded, but ${ffiLibraryFile(load.library)} must ship in the runtime image.`,
      });
    }
  }
  return { facts, toFile, findings, notes, next };
}

/** The embedded modules by name, and by the symbol the loader looks them up as. */
export interface EmbeddedModules {
  byName: Map<string, MappingEntry>;
  bySymbol: Map<string, MappingEntry>;
}

/** Built once per mapping: an edit judges one file against the same mapping again. */
const embeddedOf = new WeakMap<readonly MappingEntry[], EmbeddedModules>();

export function embeddedByName(mapping: readonly MappingEntry[]): EmbeddedModules {
  let known = embeddedOf.get(mapping);
  if (!known) {
    known = indexEmbedded(mapping);
    embeddedOf.set(mapping, known);
  }
  return known;
}

function indexEmbedded(mapping: readonly MappingEntry[]): EmbeddedModules {
  const byName = new Map<string, MappingEntry>();
  const bySymbol = new Map<string, MappingEntry>();
  for (const entry of mapping) {
    if (!byName.has(entry.module)) {
      byName.set(entry.module, entry);
    }
    if (!bySymbol.has(entry.symbol)) {
      bySymbol.set(entry.symbol, entry);
    }
  }
  return { byName, bySymbol };
}

/** True when two judgements of a file lead the walk to the same files (so the closure's file set stands). */
export function sameReach(a: FileJudgement, b: FileJudgement): boolean {
  return a.next.length === b.next.length && a.next.every((f, i) => f === b.next[i]);
}
