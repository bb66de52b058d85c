import { FileOperationRegistrationOptions, RenameFilesParams, TextEdit, WorkspaceEdit } from '../lsp';
import { PathMove, planModuleMoves } from '../core/navigate/moduleMoves';
import { Workspace } from '../core/workspace/workspace';
import { pathToUri, uriToPath } from '../convert';

/**
 * `workspace/willRenameFiles` for Lua files and for folders (which may hold
 * Lua modules): the client asks before a move and applies the edit first.
 */
export const WILL_RENAME_FILTERS: FileOperationRegistrationOptions = {
  filters: [
    { scheme: 'file', pattern: { glob: '**/*.lua', matches: 'file' } },
    { scheme: 'file', pattern: { glob: '**/*', matches: 'folder' } },
  ],
};

/** The edit that keeps requires and embed entries pointing at moved modules, or why there is none. */
export function editForRenamedFiles(workspace: Workspace, params: RenameFilesParams): { edit: WorkspaceEdit | null; refusal?: string } {
  const moves: PathMove[] = [];
  for (const f of params.files) {
    const from = uriToPath(f.oldUri);
    const to = uriToPath(f.newUri);
    if (from !== undefined && to !== undefined) {
      moves.push({ from, to });
    }
  }
  // File events of an earlier move may still be on their way: read the tree as it is now.
  workspace.refresh();
  const plan = planModuleMoves(workspace, moves);
  if (plan.refusal !== undefined || plan.edits.size === 0) {
    return { edit: null, refusal: plan.refusal && `resty-build: ${plan.refusal}` };
  }
  const changes: Record<string, TextEdit[]> = {};
  for (const [file, edits] of plan.edits) {
    changes[pathToUri(file)] = edits.map((e) => TextEdit.replace(e.range, e.newText));
  }
  return { edit: { changes } };
}
