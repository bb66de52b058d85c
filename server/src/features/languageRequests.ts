import {
  CodeActionRequest,
  CompletionRequest,
  Connection,
  DefinitionRequest,
  DocumentLinkRequest,
  DocumentSymbolRequest,
  HoverRequest,
  MessageType,
  Position,
  ReferencesRequest,
  RequestType,
  ShowMessageNotification,
  SignatureHelpRequest,
  WillRenameFilesRequest,
  WorkspaceSymbolRequest,
} from '../lsp';
import { Workspace } from '../core/workspace/workspace';
import { uriToPath } from '../convert';
import { findCodeActions } from './codeActions';
import { findCompletions } from './completion';
import { findHover } from './hover';
import { editForRenamedFiles } from './moduleMoves';
import { findDefinition, findDocumentLinks } from './navigation';
import { findReferenceLocations } from './references';
import { RegisterRequest } from './requestGuard';
import { codeActionParams, documentParams, positionParams, referenceParams, renameFilesParams, workspaceSymbolParams } from './requestParams';
import { findSignatureHelp } from './signatureHelp';
import { findDocumentSymbols, findWorkspaceSymbols } from './symbols';

/**
 * The language features the editor asks for with the LSP's own requests
 * (definition, document links, hover, completion, references, symbols,
 * signature help, code actions, the require edits for moved files), each a
 * params check (requestParams.ts) handed to its feature. Apart from
 * server.ts, which holds the session: these read nothing of it but the
 * current workspace.
 */
export function registerLanguageRequests(connection: Connection, onRequest: RegisterRequest, currentWorkspace: () => Workspace | undefined): void {
  /** The workspace and the file a document request is about; undefined (an empty answer) before the workspace exists or for a non-file URI. */
  function documentFile(uri: string): { ws: Workspace; file: string } | undefined {
    const file = uriToPath(uri);
    const workspace = currentWorkspace();
    return file && workspace ? { ws: workspace, file } : undefined;
  }

  /** A request about a whole document: its params checked, answered by `find`, or `empty` where there is nothing to ask. */
  function onDocumentRequest<R>(type: RequestType<unknown, R, void>, what: string, find: (ws: Workspace, file: string) => R | undefined, empty: R): void {
    onRequest(
      type,
      what,
      (raw) => {
        const at = documentFile(documentParams(type.method, raw).textDocument.uri);
        return (at && find(at.ws, at.file)) ?? empty;
      },
      { fallback: empty },
    );
  }

  /** A request at a position in a document, likewise. */
  function onPositionRequest<R>(type: RequestType<unknown, R, void>, what: string, find: (ws: Workspace, file: string, position: Position) => R | undefined, empty: R): void {
    onRequest(
      type,
      what,
      (raw) => {
        const params = positionParams(type.method, raw);
        const at = documentFile(params.textDocument.uri);
        return (at && find(at.ws, at.file, params.position)) ?? empty;
      },
      { fallback: empty },
    );
  }

  onPositionRequest(DefinitionRequest.type, 'definition', findDefinition, null);
  onDocumentRequest(DocumentLinkRequest.type, 'document links', findDocumentLinks, []);
  onPositionRequest(HoverRequest.type, 'hover', findHover, null);
  onPositionRequest(CompletionRequest.type, 'completion', findCompletions, []);
  onDocumentRequest(DocumentSymbolRequest.type, 'document symbols', findDocumentSymbols, []);
  onPositionRequest(SignatureHelpRequest.type, 'signature help', findSignatureHelp, null);

  onRequest(
    ReferencesRequest.type,
    'references',
    (raw) => {
      const params = referenceParams(ReferencesRequest.method, raw);
      const at = documentFile(params.textDocument.uri);
      return at ? findReferenceLocations(at.ws, at.file, params.position, params.context.includeDeclaration) : [];
    },
    { fallback: [] },
  );

  onRequest(
    WorkspaceSymbolRequest.type,
    'workspace symbols',
    (raw) => {
      const { query } = workspaceSymbolParams(WorkspaceSymbolRequest.method, raw);
      const workspace = currentWorkspace();
      return workspace ? findWorkspaceSymbols(workspace, query) : [];
    },
    { fallback: [] },
  );

  onRequest(
    WillRenameFilesRequest.type,
    'updating requires for a move',
    (raw) => {
      const ws = currentWorkspace();
      const answer = ws ? editForRenamedFiles(ws, renameFilesParams(WillRenameFilesRequest.method, raw)) : { edit: null };
      if (answer.refusal) {
        // A notification (window/showMessage), not a request: there is nothing to choose, and no answer to wait for.
        void connection.sendNotification(ShowMessageNotification.type, { type: MessageType.Warning, message: answer.refusal });
      }
      return answer.edit;
    },
    { fallback: null },
  );

  onRequest(
    CodeActionRequest.type,
    'code actions',
    (raw) => {
      const params = codeActionParams(CodeActionRequest.method, raw);
      const at = documentFile(params.textDocument.uri);
      return at ? findCodeActions(at.ws, at.file, params.context.diagnostics) : [];
    },
    { fallback: [] },
  );
}
