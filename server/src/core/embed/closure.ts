import * as path from 'node:path';
import { analyzeLua, LuaFileFacts } from '../lua/luaFile';
import { NO_FFI } from '../lua/ffiFacts';
import { FfiFile, missingDeclarationFindings } from './ffi';
import { MappingEntry, unembeddableHyphenReason } from './mapping';
import { nginxPrefix, Project } from '../resolve/project';
import { Resolution } from '../resolve/resolver';
import { Finding, LineIndex, Range } from '../types';
import { findingsByFileAfterPatch } from './patchedFindings';
import { ClosureStatus, embeddedByName, FileJudgement, judge } from './judgement';

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
    /** What the runtime declares before any module of the closure runs (runtimeDeclarations), worked out when first asked. */
    private readonly runtime: () => readonly FfiFile[] = () => [],
  ) {
    this.byFileCache = byFile;
  }

  /** The texts the runtime ran before the closure's (resty.core's, in OpenResty): only their C declarations count. */
  runtimeFfi(): readonly FfiFile[] {
    return this.runtime();
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
    return (this.ffiFindingsCache ??= missingDeclarationFindings(this.ffiFiles(), this.runtime));
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
    return new Closure(this.files, judgements, this.roots, this.entries, ffiUnchanged ? this.ffiFindingsCache : undefined, byFile, this.runtime);
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

  let runtime: FfiFile[] | undefined;
  // Only a read no closure cdef declares asks: resty.core's FFI facts take a parse of some 30 files.
  return new Closure(files, judgements, roots, entries, undefined, undefined, () => (runtime ??= runtimeDeclarations(input)));
}

/** More files than lua-resty-core's closure (some 30): a bound for a resty.core that requires without end. */
const MAX_RUNTIME_FILES = 200;

/**
 * The C declarations a Lua state has before the closure's first module
 * runs. OpenResty requires resty.core at VM start (ngx_lua 0.10.16 and
 * later), and LuaJIT keeps one C namespace per Lua state, so everything
 * resty.core and the modules it requires declare (resty.core.shdict's
 * `void free(void *ptr);`, say) is declared for every module. The
 * resty.core found on the project's path stands for the runtime's; when
 * none is found nothing is assumed.
 */
function runtimeDeclarations(input: ClosureInput): FfiFile[] {
  if (input.project.profile !== 'openresty') {
    return [];
  }
  const files: FfiFile[] = [];
  const seen = new Set<string>();
  const queue = ['resty.core'];
  for (let head = 0; head < queue.length && seen.size < MAX_RUNTIME_FILES; head++) {
    const found = input.resolve(queue[head]);
    const file = found.status === 'file' ? found.file : undefined;
    if (!file || seen.has(file)) {
      continue;
    }
    seen.add(file);
    const facts = input.facts(file);
    if (!facts) {
      continue;
    }
    files.push({ file, ffi: facts.ffi, toFile: (s, e) => facts.lines.range(s, e) });
    for (const r of facts.requires) {
      if (r.name !== undefined && !r.dynamic) {
        queue.push(r.name);
      }
    }
  }
  return files;
}
