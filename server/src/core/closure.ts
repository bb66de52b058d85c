import * as path from 'node:path';
import { analyzeLua, LuaFileFacts } from './luaFile';
import { MappingEntry } from './mapping';
import { hasHyphen, isSystemLibrary, suspiciousNameReason } from './moduleNames';
import { nginxPrefix, Project } from './project';
import { RequireSite } from './requires';
import { notFoundMessage, Resolution } from './resolver';
import { Finding, LineIndex, Range } from './types';

/** How a module reached from the embed closure will fare in the binary. */
export type ClosureStatus = 'embedded' | 'not-in-mapping' | 'builtin' | 'provided' | 'native' | 'unresolved' | 'hyphen-name';

export interface ClosureModule {
  name: string;
  status: ClosureStatus;
  file?: string;
  /** Where it is required from (first few). */
  requiredFrom: { file: string; range: Range }[];
  /** Only ever required through pcall. */
  optional: boolean;
}

export interface Closure {
  /** Lua files reached: their requires are judged by the closure's rules. */
  files: Set<string>;
  modules: Map<string, ClosureModule>;
  /** Findings at require sites (in Lua files and in the nginx.conf). */
  findings: Finding[];
}

export interface ClosureInput {
  project: Project;
  mapping: MappingEntry[];
  facts: (file: string) => LuaFileFacts | undefined;
  resolve: (name: string) => Resolution;
  readText: (file: string) => string | undefined;
  isFile: (file: string) => boolean;
}

interface Source {
  file: string;
  facts: LuaFileFacts;
  /** Maps a range in the Lua text to a range in `file` (identity for .lua files). */
  toFile: (start: number, end: number) => Range;
}

/**
 * The embed closure: from the embedded modules (and the nginx.conf's Lua),
 * follow literal requires transitively and judge every module reached by
 * what the static binary will do with it.
 */
export function computeClosure(input: ClosureInput): Closure {
  const { project, mapping } = input;
  const embedded = new Map<string, MappingEntry>();
  for (const entry of mapping) {
    if (!embedded.has(entry.module)) {
      embedded.set(entry.module, entry);
    }
  }
  const files = new Set<string>();
  const modules = new Map<string, ClosureModule>();
  const findings: Finding[] = [];
  const queue: Source[] = [];

  const enqueueFile = (file: string) => {
    if (files.has(file)) {
      return;
    }
    const facts = input.facts(file);
    if (!facts) {
      return;
    }
    files.add(file);
    queue.push({ file, facts, toFile: (s, e) => facts.lines.range(s, e) });
  };

  for (const entry of mapping) {
    if (entry.file && entry.origin !== 'native') {
      modules.set(entry.module, { name: entry.module, status: hasHyphen(entry.module) ? 'hyphen-name' : 'embedded', file: entry.file, requiredFrom: [], optional: false });
      enqueueFile(entry.file);
    }
  }

  if (project.nginxConfFile && project.nginxConf) {
    const confFile = project.nginxConfFile;
    const confText = input.readText(confFile) ?? '';
    const confLines = new LineIndex(confText);
    for (const chunk of project.nginxConf.chunks) {
      const facts = analyzeLua(chunk.text);
      queue.push({ file: confFile, facts, toFile: (s, e) => confLines.range(chunk.offset + s, chunk.offset + e) });
    }
    const prefix = nginxPrefix(confFile);
    for (const f of project.nginxConf.files) {
      const target = path.isAbsolute(f.path.value) ? f.path.value : path.join(prefix, f.path.value);
      if (input.isFile(target)) {
        enqueueFile(target);
      }
    }
  }

  const note = (site: RequireSite, src: Source, status: ClosureStatus, file?: string) => {
    const name = site.name!;
    let m = modules.get(name);
    if (!m) {
      m = { name, status, file, requiredFrom: [], optional: true };
      modules.set(name, m);
    }
    if (m.requiredFrom.length < 20) {
      m.requiredFrom.push({ file: src.file, range: src.toFile(site.start, site.end) });
    }
    m.optional = m.optional && site.optional;
  };

  while (queue.length > 0) {
    const src = queue.shift()!;
    for (const site of src.facts.requires) {
      const range = src.toFile(site.start, site.end);
      const at = (severity: Finding['severity'], code: string, message: string): void => {
        findings.push({ file: src.file, range, severity, code, message, module: site.name });
      };
      if (site.dynamic || site.name === undefined) {
        if (!site.forwarding) {
          at('warning', 'dynamic-require', 'This require is part of the embed closure but its module name is not a literal, so what it loads cannot be checked or embedded.');
        }
        continue;
      }
      const name = site.name;
      const resolution = input.resolve(name);
      if (resolution.status === 'builtin' || resolution.status === 'provided') {
        note(site, src, resolution.status);
        continue;
      }
      if (hasHyphen(name)) {
        note(site, src, 'hyphen-name', resolution.file);
        at('error', 'hyphen-name', `'${name}' can never be found as embedded bytecode: at run time a name with '-' is cut after its first '-', so require looks for luaJIT_BC_${name.slice(name.indexOf('-') + 1).replace(/[.-]/g, '_')}. Rename the module without '-'.`);
        if (resolution.file && resolution.status === 'file') {
          enqueueFile(resolution.file);
        }
        continue;
      }
      const odd = suspiciousNameReason(name);
      if (odd) {
        note(site, src, 'unresolved', resolution.file);
        at('error', 'suspicious-module-name', `'${name}' cannot be embedded: ${odd}, and luajit -n rejects such names.`);
        continue;
      }
      const entry = embedded.get(name);
      if (entry) {
        note(site, src, 'embedded', entry.file);
        if (entry.file) {
          enqueueFile(entry.file);
        }
        continue;
      }
      if (resolution.status === 'file') {
        note(site, src, 'not-in-mapping', resolution.file);
        at(
          site.optional ? 'warning' : 'error',
          'not-in-mapping',
          `'${name}' is required here but not embedded: in the nginx binary this will be "module '${name}' not found"${site.optional ? ' (required through pcall, so the code may cope)' : ''}. Add it to "embed" in resty-build.json (source: ${resolution.file}).`,
        );
        enqueueFile(resolution.file!);
      } else if (resolution.status === 'native') {
        note(site, src, 'native', resolution.file);
        at(
          site.optional ? 'warning' : 'error',
          'native-module',
          `'${name}' is a C module (${resolution.file}): it cannot be compiled to bytecode; the library must ship in the runtime image.`,
        );
      } else {
        note(site, src, 'unresolved');
        at('error', 'unresolved-module', `${notFoundMessage(resolution)}\n(part of the embed closure)`);
      }
    }
    for (const load of src.facts.ffiLoads) {
      if (!isSystemLibrary(load.library)) {
        findings.push({
          file: src.file,
          range: src.toFile(load.start, load.end),
          severity: 'warning',
          code: 'native-module',
          message: `ffi.load("${load.library}") loads a native library: the Lua code can be embedded, but lib${load.library.replace(/^lib/, '').replace(/\.so.*$/, '')}.so must ship in the runtime image.`,
          module: undefined,
        });
      }
    }
  }
  return { files, modules, findings };
}
