import * as path from 'node:path';
import { DocumentLink, Location, Position } from '../lsp';
import { hostViews } from '../core/navigate/luaViews';
import { ModuleSource } from '../core/navigate/chains';
import { ExportedMember } from '../core/navigate/exports';
import { targetAt } from '../core/navigate/moduleNav';
import { parseNginxConf } from '../core/nginx/nginxConf';
import { nginxPrefix } from '../core/resolve/project';
import { LineIndex } from '../core/types';
import { Workspace } from '../core/workspace/workspace';
import { pathToUri } from '../convert';

const FILE_START = { start: { line: 0, character: 0 }, end: { line: 0, character: 0 } };

/**
 * Go to definition: a module string, or a name or field holding a module,
 * goes to the module's file; a member (`alias.member`, `core.json.encode`,
 * `require("m").f`, a local bound to one) to its definition, through
 * re-exports. A module or member outside the workspace goes to the field
 * that brought it in, when there is one.
 */
export function findDefinition(workspace: Workspace, file: string, position: Position): Location | undefined {
  const target = targetAt(workspace, file, position);
  const at = (source: ModuleSource, member: ExportedMember): Location => ({ uri: pathToUri(source.file), range: source.facts.lines.range(member.nameStart, member.nameEnd) });
  switch (target?.kind) {
    case 'require':
    case 'alias':
      if (target.resolution.status === 'file' && target.resolution.file) {
        return { uri: pathToUri(target.resolution.file), range: FILE_START };
      }
      return target.kind === 'alias' && target.via ? at(target.via.source, target.via.member) : undefined;
    case 'member': {
      const { module, member } = target;
      return module && member ? at(module, member) : undefined;
    }
    case 'foreign':
      return target.via ? at(target.via.source, target.via.member) : undefined;
    case 'export':
      return { uri: pathToUri(file), range: target.range };
    default:
      return undefined;
  }
}

/** Links on module names in requires (in Lua files and nginx conf Lua), and on `*_by_lua_file` paths. */
export function findDocumentLinks(workspace: Workspace, file: string): DocumentLink[] {
  const host = hostViews(workspace, file);
  if (!host) {
    return [];
  }
  const project = workspace.projectFor(file);
  const links: DocumentLink[] = [];
  for (const view of host.views) {
    for (const site of view.facts.requires) {
      if (!site.name) {
        continue;
      }
      const resolution = workspace.resolve(project, site.name);
      if (resolution.status === 'file' && resolution.file) {
        links.push({
          range: host.lines.range(view.base + site.nameStart, view.base + site.nameEnd),
          target: pathToUri(resolution.file),
          tooltip: `Open ${resolution.file}`,
        });
      }
    }
  }
  if (host.isConf) {
    const text = workspace.readText(file) ?? '';
    const lines = new LineIndex(text);
    const prefix = nginxPrefix(file);
    for (const f of parseNginxConf(text).files) {
      const quoted = /^["']/.test(text[f.path.start] ?? '');
      const start = f.path.start + (quoted ? 1 : 0);
      const end = f.path.end - (quoted ? 1 : 0);
      // nginx resolves a relative *_by_lua_file path against its prefix (the folder holding conf/).
      const target = path.isAbsolute(f.path.value) ? f.path.value : path.join(prefix, f.path.value);
      if (!f.path.value.includes('$') && workspace.fs.isFile(target)) {
        links.push({ range: lines.range(start, end), target: pathToUri(target), tooltip: `Open ${target}` });
      }
    }
  }
  return links;
}
