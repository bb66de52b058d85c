import { analyzeLua, LuaFileFacts } from '../lua/luaFile';
import { Project } from '../resolve/project';
import { RegisteredModule } from '../resolve/resolver';
import type { AnalysedWorkspace } from './analysedWorkspace';

/** What the index reads of the workspace. */
export type RegistrationSource = Pick<AnalysedWorkspace, 'files' | 'facts' | 'projectFor' | 'readText'> & {
  /** The facts of a file computed before (checked against the disk, parsed again only if it changed); undefined for a file never analysed. */
  knownFacts(file: string): LuaFileFacts | undefined;
};

/**
 * The modules a project's own code puts into `package.loaded` or
 * `package.preload` (`package.loaded["prometheus_resty_counter"] = …`):
 * LuaJIT's require finds them before any search. Collected from every Lua
 * file of the project and the Lua of its nginx.conf, on first use.
 */
export class RegisteredModules {
  private byProject = new Map<Project, Map<string, RegisteredModule>>();

  constructor(private readonly source: RegistrationSource) {}

  /** Files or projects changed: collected again on next use. */
  clear(): void {
    this.byProject = new Map();
  }

  lookup(project: Project, name: string): RegisteredModule | undefined {
    let names = this.byProject.get(project);
    if (!names) {
      names = this.collect(project);
      this.byProject.set(project, names);
    }
    return names.get(name);
  }

  private collect(project: Project): Map<string, RegisteredModule> {
    const names = new Map<string, RegisteredModule>();
    const add = (file: string, offset: number, registrations: readonly { name: string; table: 'loaded' | 'preload'; start: number; end: number }[]) => {
      for (const r of registrations) {
        if (!names.has(r.name)) {
          names.set(r.name, { file, table: r.table, start: offset + r.start, end: offset + r.end });
        }
      }
    };
    if (project.nginxConfFile && project.nginxConf) {
      for (const chunk of project.nginxConf.chunks) {
        add(project.nginxConfFile, chunk.offset, analyzeLua(chunk.text).registrations);
      }
    }
    for (const file of this.source.files()) {
      if (this.source.projectFor(file) === project) {
        // A registration is written `package.loaded…`/`package.preload…`: a file whose facts are not
        // known yet (the workers are still parsing it) is parsed here only if its text has those words.
        const known = this.source.knownFacts(file);
        if (known) {
          add(file, 0, known.registrations);
        } else if (mayRegister(this.source.readText(file))) {
          add(file, 0, this.source.facts(file)?.registrations ?? []);
        }
      }
    }
    return names;
  }
}

function mayRegister(text: string | undefined): boolean {
  return text !== undefined && text.includes('package') && (text.includes('loaded') || text.includes('preload'));
}
