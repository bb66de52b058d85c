import {
  CodeActionRequest,
  CompletionRequest,
  Connection,
  DefinitionRequest,
  DocumentLinkRequest,
  DocumentSymbolRequest,
  HoverRequest,
  MessageType,
  ReferencesRequest,
  ShowMessageNotification,
  SignatureHelpRequest,
  WillRenameFilesRequest,
  WorkspaceSymbolRequest,
} from 'vscode-languageserver/node';
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

  onRequest(
    DefinitionRequest.type,
    'definition',
    (raw) => {
      const params = positionParams(DefinitionRequest.method, raw);
      const at = documentFile(params.textDocument.uri);
      return (at && findDefinition(at.ws, at.file, params.position)) ?? null;
    },
    { fallback: null },
  );

  onRequest(
    DocumentLinkRequest.type,
    'document links',
    (raw) => {
      const at = documentFile(documentParams(DocumentLinkRequest.method, raw).textDocument.uri);
      return at ? findDocumentLinks(at.ws, at.file) : [];
    },
    { fallback: [] },
  );

  onRequest(
    HoverRequest.type,
    'hover',
    (raw) => {
      const params = positionParams(HoverRequest.method, raw);
      const at = documentFile(params.textDocument.uri);
      return at ? findHover(at.ws, at.file, params.position) : null;
    },
    { fallback: null },
  );

  onRequest(
    CompletionRequest.type,
    'completion',
    (raw) => {
      const params = positionParams(CompletionRequest.method, raw);
      const at = documentFile(params.textDocument.uri);
      return at ? findCompletions(at.ws, at.file, params.position) : [];
    },
    { fallback: [] },
  );

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
    DocumentSymbolRequest.type,
    'document symbols',
    (raw) => {
      const at = documentFile(documentParams(DocumentSymbolRequest.method, raw).textDocument.uri);
      return at ? findDocumentSymbols(at.ws, at.file) : [];
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
    SignatureHelpRequest.type,
    'signature help',
    (raw) => {
      const params = positionParams(SignatureHelpRequest.method, raw);
      const at = documentFile(params.textDocument.uri);
      return at ? findSignatureHelp(at.ws, at.file, params.position) : null;
    },
    { fallback: null },
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
