import * as path from 'node:path';
import { analyzeLua, LuaFileFacts } from '../lua/luaFile';
import { NO_FFI } from '../lua/ffiFacts';
import { FfiFile, missingDeclarationFindings } from './ffi';
import { loaderSymbol, MappingEntry, unembeddableHyphenReason } from './mapping';
import { ffiLibraryFile, isSystemLibrary, suspiciousNameReason } from '../resolve/moduleNames';
import { nginxPrefix, Project } from '../resolve/project';
import { notFoundMessage, Resolution, searchTrail } from '../resolve/resolver';
import { Finding, LineIndex, Range } from '../types';
import { findingsByFileAfterPatch } from './patchedFindings';

/** How a module reached from the embed closure will fare in the binary. */
export type ClosureStatus = 'embedded' | 'not-in-mapping' | 'builtin' | 'provided' | 'native' | 'unresolved' | 'hyphen-name';

export interface ClosureModule {
  name: string;
  status: ClosureStatus;
  file?: string;
  /** Where it is required from (the first few, in walk order). */
  requiredFrom: { file: string; range: Range }[];
  /** Only ever required through pcall. */
  optional: boolean;
}

/** Where a module or file is named: an `embed` entry, an nginx.conf `*_by_lua_file` directive, or a require call. */
export interface ClosureLink {
  kind: 'embed' | 'nginx.conf' | 'require';
  /** The file holding it (the manifest, the nginx.conf or a Lua file) and its range there. */
  file: string;
  range: Range;
  /** The module named; for a `*_by_lua_file`, the path as written. */
  module: string;
  /** The Lua file it leads to, when there is one. */
  target?: string;
  /** nginx.conf: the directive (`content_by_lua_file`). */
  directive?: string;
}

/** A project's name mapping and the embed closure it starts. */
export interface Embedding {
  project: Project;
  mapping: MappingEntry[];
  closure: Closure;
}

/**
 * The result of a closure walk: the files reached and, per file, the
 * judgement of its requires. Findings and modules are derived on first use,
 * so patching one file's judgement after an edit costs little.
 */
export class Closure {
  private findingsCache: Finding[] | undefined;
  private byFileCache: Map<string, Finding[]> | undefined;
  private modulesCache: Map<string, ClosureModule> | undefined;

  constructor(
    /** Lua files reached: their requires are judged by the closure's rules. */
    readonly files: Set<string>,
    /** Judgements in walk order (nginx.conf chunks first). */
    readonly judgements: readonly { file: string; judgement: FileJudgement }[],
    /** The modules of the mapping, which head the module list. */
    private readonly roots: readonly ClosureModule[],
    /** Where the walk starts: the embed entries with a source, then the nginx.conf's `*_by_lua_file` files. */
    readonly entries: readonly ClosureLink[] = [],
    /** The `ffi.C` findings, when known to be those of this closure (carried over by patched). */
    private ffiFindingsCache?: Finding[],
    /** The findings by file, when known to be those of this closure (carried over by patched). */
    byFile?: Map<string, Finding[]>,
  ) {
    this.byFileCache = byFile;
  }

  /** Whether the findings by file are computed already (asking for them would not compute them). */
  get hasByFile(): boolean {
    return this.byFileCache !== undefined;
  }

  /** Findings at require sites (in Lua files and in the nginx.conf), then at `ffi.C` reads. */
  get findings(): Finding[] {
    return (this.findingsCache ??= [...this.judgements.flatMap((j) => j.judgement.findings), ...this.ffiFindings()]);
  }

  /** Findings at `ffi.C` reads that no `ffi.cdef` of the closure declares. */
  private ffiFindings(): Finding[] {
    return (this.ffiFindingsCache ??= missingDeclarationFindings(this.ffiFiles()));
  }

  /** The FFI facts of every text the closure reached (nginx.conf chunks included). */
  ffiFiles(): FfiFile[] {
    return this.judgements.map(({ file, judgement }) => ({ file, ffi: judgement.facts.ffi, toFile: judgement.toFile }));
  }

  /** The same findings by file. */
  get byFile(): Map<string, Finding[]> {
    if (!this.byFileCache) {
      const byFile = new Map<string, Finding[]>();
      for (const f of this.findings) {
        let list = byFile.get(f.file);
        if (!list) {
          list = [];
          byFile.set(f.file, list);
        }
        list.push(f);
      }
      this.byFileCache = byFile;
    }
    return this.byFileCache;
  }

  get modules(): Map<string, ClosureModule> {
    if (!this.modulesCache) {
      const modules = new Map<string, ClosureModule>();
      for (const root of this.roots) {
        modules.set(root.name, { ...root, requiredFrom: [] });
      }
      for (const { file, judgement } of this.judgements) {
        for (const n of judgement.notes) {
          let m = modules.get(n.name);
          if (!m) {
            m = { name: n.name, status: n.status, file: n.file, requiredFrom: [], optional: true };
            modules.set(n.name, m);
          }
          if (m.requiredFrom.length < 20) {
            m.requiredFrom.push({
              file,
              get range() {
                return n.range;
              },
            });
          }
          m.optional = m.optional && n.optional;
        }
      }
      this.modulesCache = modules;
    }
    return this.modulesCache;
  }

  /** The same closure with one file's judgement replaced by one that reaches the same files. */
  patched(file: string, judgement: FileJudgement): Closure {
    let ffiUnchanged = true;
    const replaced: FileJudgement[] = [];
    const judgements = this.judgements.map((j) => {
      if (j.file !== file || j.judgement === judgement) {
        return j;
      }
      // A text with no ffi.C read and no cdef, before and after: the closure's FFI findings stay as they are.
      ffiUnchanged &&= j.judgement.facts.ffi === NO_FFI && judgement.facts.ffi === NO_FFI;
      replaced.push(j.judgement);
      return { file, judgement };
    });
    const byFile = ffiUnchanged && replaced.length === 1 ? findingsByFileAfterPatch(this.byFileCache, file, replaced[0], judgement) : undefined;
    return new Closure(this.files, judgements, this.roots, this.entries, ffiUnchanged ? this.ffiFindingsCache : undefined, byFile);
  }

}

export interface ClosureInput {
  project: Project;
  mapping: MappingEntry[];
  facts: (file: string) => LuaFileFacts | undefined;
  resolve: (name: string) => Resolution;
  readText: (file: string) => string | undefined;
  isFile: (file: string) => boolean;
  /**
   * Judgements of files from an earlier run with the same mapping and
   * resolutions, keyed by file; reused while a file's facts are the same
   * object. An edit then costs one file's judgement plus a walk.
   */
  cache?: Map<string, FileJudgement>;
}

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

/**
 * The embed closure: from the embedded modules (and the nginx.conf's Lua),
 * follow literal requires transitively and judge every module reached by
 * what the static binary will do with it.
 */
export function computeClosure(input: ClosureInput): Closure {
  const { project, mapping } = input;
  const embedded = embeddedByName(mapping);
  const files = new Set<string>();
  const roots: ClosureModule[] = [];
  const entries: ClosureLink[] = [];
  const judgements: { file: string; judgement: FileJudgement }[] = [];
  const queue: string[] = [];

  const enqueueFile = (file: string) => {
    if (!files.has(file)) {
      files.add(file);
      queue.push(file);
    }
  };

  for (const entry of mapping) {
    if (entry.file && entry.origin !== 'native') {
      roots.push({ name: entry.module, status: unembeddableHyphenReason(entry.module) ? 'hyphen-name' : 'embedded', file: entry.file, requiredFrom: [], optional: false });
      if (project.manifest) {
        entries.push({ kind: 'embed', file: project.manifest.file, range: entry.range, module: entry.module, target: entry.file });
      }
      enqueueFile(entry.file);
    }
  }

  if (project.nginxConfFile && project.nginxConf) {
    const confFile = project.nginxConfFile;
    const confText = input.readText(confFile) ?? '';
    const confLines = new LineIndex(confText);
    for (const chunk of project.nginxConf.chunks) {
      const facts = analyzeLua(chunk.text);
      judgements.push({ file: confFile, judgement: judge(confFile, facts, (s, e) => confLines.range(chunk.offset + s, chunk.offset + e), embedded, input.resolve) });
    }
    const prefix = nginxPrefix(confFile);
    for (const f of project.nginxConf.files) {
      const target = path.isAbsolute(f.path.value) ? f.path.value : path.join(prefix, f.path.value);
      if (input.isFile(target)) {
        entries.push({ kind: 'nginx.conf', file: confFile, range: confLines.range(f.path.start, f.path.end), module: f.path.value, target, directive: f.directive });
        enqueueFile(target);
      }
    }
  }
  for (const { judgement } of judgements) {
    judgement.next.forEach(enqueueFile);
  }

  for (let head = 0; head < queue.length; head++) {
    const file = queue[head];
    const facts = input.facts(file);
    if (!facts) {
      files.delete(file);
      continue;
    }
    let judgement = input.cache?.get(file);
    if (!judgement || judgement.facts !== facts) {
      judgement = judge(file, facts, (s, e) => facts.lines.range(s, e), embedded, input.resolve);
      input.cache?.set(file, judgement);
    }
    judgements.push({ file, judgement });
    judgement.next.forEach(enqueueFile);
  }

  return new Closure(files, judgements, roots, entries);
}
