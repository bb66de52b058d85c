import * as path from 'node:path';
import { computeClosure } from '../embed/closure';
import { buildMapping, loaderSymbol, unembeddableHyphenReason } from '../embed/mapping';
import { excludeMatcher } from './exclude';
import { excludesFor, rootsFromRockspec, SearchRoot, templatesFor } from './initLayout';
import { Manifest, MANIFEST_NAME, parseManifest } from './manifest';
import { findRockspec } from './rockspec';
import { displayPath, isInside } from '../paths';
import { locateLuakitStdlib } from '../resolve/luakitStdlib';
import { printableName, suspiciousNameReason } from '../resolve/moduleNames';
import { createProject, Project } from '../resolve/project';
import { moduleNameForFile, resolveModule } from '../resolve/resolver';
import { Workspace } from '../workspace/workspace';

/** An embed entry as written: a name, or a name with its file when no search template finds that file. */
type EmbedItem = string | { module: string; file: string };

/**
 * Writes down what the analysis infers for a folder without a manifest.
 * luakit: the build script (any Lua file calling the bk API) and a stdlib
 * shipped in the tree. OpenResty: search roots from the rockspec's
 * `build.modules`, else `lib/` for opm-style libraries, else the folder;
 * `exclude` for tests, specs, examples and benchmarks; and as `embed` the
 * closure of the nginx.conf's Lua, else the library's modules (the
 * rockspec's, else every module under the search roots) plus whatever
 * else they require from the folder. Modules that cannot be embedded are
 * left out with a comment saying why, so the build commands accept every
 * manifest this writes.
 */
/** An inferred manifest: its text, and for the message that writes it, what it embeds and what it left out (and why). */
export interface InferredManifest {
  file: string;
  text: string;
  profile: string;
  embedded: number;
  skipped: string[];
}

export function inferManifest(workspace: Workspace, root: string): InferredManifest {
  const file = path.join(root, MANIFEST_NAME);
  const project = createProject(workspace.fs, workspace.env, root);
  // A subfolder with its own manifest is another project: its files are not this one's.
  const nested = workspace
    .manifests()
    .map((m) => path.dirname(m))
    .filter((dir) => dir !== root && isInside(root, dir));
  const files = workspace.files().filter((f) => isInside(root, f) && !nested.some((dir) => isInside(dir, f)));
  const scripts = files.filter((f) => workspace.facts(f)?.luakitApi).sort((a, b) => depth(a) - depth(b) || a.localeCompare(b));
  if (project.profile === 'luakit') {
    return render(file, luakitManifest(workspace, root, project.buildScript ?? path.join(root, 'build.lua')), []);
  }
  const rockspec = findRockspec(workspace.fs, root);
  const openrestySigns = rockspec !== undefined || project.nginxConfFile !== undefined || workspace.fs.isDirectory(path.join(root, 'lib'));
  if (!openrestySigns && scripts.length > 0) {
    return render(file, luakitManifest(workspace, root, scripts[0]), []);
  }

  const out: Record<string, unknown> = { profile: 'openresty' };
  const exclude = excludesFor(root, files);
  let roots: SearchRoot[] = workspace.fs.isDirectory(path.join(root, 'lib')) ? ['lib/'] : [''];
  let explicit = new Map<string, string>();
  if (rockspec) {
    const fromRockspec = rootsFromRockspec(rockspec);
    roots = fromRockspec.roots.length > 0 ? fromRockspec.roots : roots;
    explicit = fromRockspec.explicit;
  }
  const confHasPath = project.nginxConf?.directives.some((d) => d.name === 'lua_package_path') ?? false;
  if (project.nginxConfFile) {
    out.nginxConf = displayPath(root, project.nginxConfFile);
  }
  if (!confHasPath) {
    out.path = templatesFor(roots);
  }
  out.exclude = exclude;

  const draft = parseManifest(file, JSON.stringify({ ...out, embed: [] })).manifest!;
  const draftProject = createProject(workspace.fs, workspace.env, root, draft);
  const candidates = new Map<string, EmbedItem>();
  const missing: string[] = [];
  const chunks = project.nginxConf ? project.nginxConf.chunks.length + project.nginxConf.files.length : 0;
  if (chunks > 0) {
    for (const name of reached(workspace, draftProject, draft, [], () => true)) {
      candidates.set(name, name);
    }
  } else {
    if (rockspec) {
      for (const [name, rel] of rockspec.lua) {
        if (workspace.fs.isFile(path.join(root, rel))) {
          candidates.set(name, explicit.has(name) ? { module: name, file: rel } : name);
        } else {
          missing.push(`${name}: ${displayPath(root, rockspec.file)} maps it to ${rel}, which does not exist`);
        }
      }
      for (const name of rockspec.native) {
        missing.push(`${name}: a C module in ${displayPath(root, rockspec.file)}, which cannot be compiled to bytecode (ship it in the runtime image)`);
      }
    } else {
      const excluded = excludeMatcher(root, exclude);
      const templates = draftProject.resolver.lua.filter((t) => t.origin === 'workspace');
      for (const f of files) {
        const name = excluded(f) || workspace.facts(f)?.luakitApi ? undefined : moduleNameForFile(f, templates);
        if (name !== undefined) {
          candidates.set(name, name);
        }
      }
    }
    // Tests and examples stay out, unless an embedded module requires one of them.
    for (const name of reached(workspace, draftProject, draft, [...candidates.values()], (f) => isInside(root, f))) {
      candidates.set(name, name);
    }
  }
  const { embed, skipped } = embeddable([...candidates.values()]);
  out.embed = embed;
  out.provided = [];
  out.luajit = { compiler: 'luajit', runtime: null, debugInfo: true };
  out.outDir = 'build/bytecode';
  out.link = { mode: 'objects', extraLdOpt: [], compat: true };
  return render(file, out, [...missing, ...skipped].sort());
}

function depth(file: string): number {
  return file.split(path.sep).length;
}

function luakitManifest(workspace: Workspace, root: string, buildScript: string): Record<string, unknown> {
  const out: Record<string, unknown> = { profile: 'luakit', buildScript: displayPath(root, buildScript) };
  // Only a stdlib inside the folder is written: one from the environment belongs to the machine.
  const stdlib = locateLuakitStdlib(workspace.fs, workspace.env, undefined, path.dirname(buildScript)).dir;
  if (stdlib && isInside(root, stdlib)) {
    out.stdlib = displayPath(root, stdlib);
  }
  return out;
}

/** The modules the embed closure of `embed` (and the nginx.conf's Lua) reaches that are not embedded, in files `keep` accepts. */
function reached(workspace: Workspace, project: Project, draft: Manifest, embed: EmbedItem[], keep: (file: string) => boolean): string[] {
  const manifest: Manifest = {
    ...draft,
    embed: embed.map((e) => (typeof e === 'string' ? { module: e, range: draft.ranges.get('embed')! } : { module: e.module, file: path.join(draft.dir, e.file), range: draft.ranges.get('embed')! })),
  };
  const resolve = (name: string) => resolveModule(name, project.resolver, workspace.fs);
  const closure = computeClosure({
    project,
    mapping: buildMapping(manifest, resolve, (f) => workspace.fs.isFile(f)),
    facts: (f) => workspace.facts(f),
    resolve,
    readText: (f) => workspace.readText(f),
    isFile: (f) => workspace.fs.isFile(f),
  });
  return [...closure.modules.values()].filter((m) => m.status === 'not-in-mapping' && m.file !== undefined && keep(m.file)).map((m) => m.name);
}

/** The entries the build commands accept, sorted; the others with the reason they cannot be embedded. */
function embeddable(items: EmbedItem[]): { embed: EmbedItem[]; skipped: string[] } {
  const skipped: string[] = [];
  const bySymbol = new Map<string, string>();
  const embed: EmbedItem[] = [];
  const nameOf = (e: EmbedItem) => (typeof e === 'string' ? e : e.module);
  for (const item of [...items].sort((a, b) => nameOf(a).localeCompare(nameOf(b)))) {
    const name = nameOf(item);
    const why = suspiciousNameReason(name) ?? unembeddableHyphenReason(name);
    const other = bySymbol.get(loaderSymbol(name));
    if (why) {
      // Quoted when odd: the reason is also a `//` line of the manifest, which a line break in the name would end.
      skipped.push(`${printableName(name)}: ${why}`);
    } else if (other !== undefined) {
      skipped.push(`${printableName(name)}: looked up as ${loaderSymbol(name)}, like ${other}, which is embedded`);
    } else {
      bySymbol.set(loaderSymbol(name), name);
      embed.push(item);
    }
  }
  return { embed, skipped };
}

function render(file: string, out: Record<string, unknown>, skipped: string[]): InferredManifest {
  const note = skipped.length > 0 ? ['// resty-build init left these modules out of "embed":', ...skipped.map((s) => `//   ${s}`), ''].join('\n') : '';
  const embed = Array.isArray(out.embed) ? out.embed.length : 0;
  return { file, text: note + JSON.stringify(out, null, 2) + '\n', profile: String(out.profile), embedded: embed, skipped };
}
