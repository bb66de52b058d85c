import { DocumentLink, Location, Position } from 'vscode-languageserver/node';
import { RequireSite } from '../core/requires';
import { Workspace } from '../core/workspace';
import { pathToUri } from '../convert';

/** The require whose string literal contains the position, if any. */
export function requireAt(workspace: Workspace, file: string, position: Position): RequireSite | undefined {
  const facts = workspace.facts(file);
  if (!facts) {
    return undefined;
  }
  const offset = facts.lines.offset(position);
  return facts.requires.find((r) => !r.dynamic && r.start <= offset && offset <= r.end);
}

export function findDefinition(workspace: Workspace, file: string, position: Position): Location | undefined {
  const site = requireAt(workspace, file, position);
  if (!site?.name) {
    return undefined;
  }
  const resolution = workspace.resolve(workspace.projectFor(file), site.name);
  if (resolution.status !== 'file' || !resolution.file) {
    return undefined;
  }
  const start = { line: 0, character: 0 };
  return { uri: pathToUri(resolution.file), range: { start, end: start } };
}

export function findDocumentLinks(workspace: Workspace, file: string): DocumentLink[] {
  const facts = workspace.facts(file);
  if (!facts) {
    return [];
  }
  const project = workspace.projectFor(file);
  const links: DocumentLink[] = [];
  for (const site of facts.requires) {
    if (!site.name) {
      continue;
    }
    const resolution = workspace.resolve(project, site.name);
    if (resolution.status === 'file' && resolution.file) {
      links.push({
        range: facts.lines.range(site.nameStart, site.nameEnd),
        target: pathToUri(resolution.file),
        tooltip: `Open ${resolution.file}`,
      });
    }
  }
  return links;
}
