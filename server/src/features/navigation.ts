import * as path from 'node:path';
import { DocumentLink, Location, Position } from 'vscode-languageserver/node';
import { hostViews } from '../core/navigate/luaViews';
import { targetAt } from '../core/navigate/moduleNav';
import { parseNginxConf } from '../core/nginx/nginxConf';
import { nginxPrefix } from '../core/resolve/project';
import { LineIndex } from '../core/types';
import { Workspace } from '../core/workspace/workspace';
import { pathToUri } from '../convert';

const FILE_START = { start: { line: 0, character: 0 }, end: { line: 0, character: 0 } };

/**
 * Go to definition: a module string or an alias of a required module goes
 * to the module's file; `alias.member` to the member's definition there.
 */
export function findDefinition(workspace: Workspace, file: string, position: Position): Location | undefined {
  const target = targetAt(workspace, file, position);
  switch (target?.kind) {
    case 'require':
    case 'alias':
      return target.resolution.status === 'file' && target.resolution.file ? { uri: pathToUri(target.resolution.file), range: FILE_START } : undefined;
    case 'member': {
      const { module, member } = target;
      return module && member ? { uri: pathToUri(module.file), range: module.facts.lines.range(member.nameStart, member.nameEnd) } : undefined;
    }
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
