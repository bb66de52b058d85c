import { Location, Position } from '../lsp';
import { findReferences } from '../core/navigate/moduleReferences';
import { Workspace } from '../core/workspace/workspace';
import { pathToUri } from '../convert';

export function findReferenceLocations(workspace: Workspace, file: string, position: Position, includeDeclaration: boolean): Location[] {
  return findReferences(workspace, file, position, includeDeclaration).map((r) => ({ uri: pathToUri(r.file), range: r.range }));
}
