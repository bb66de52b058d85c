import { Diagnostic, ErrorCodes, Position, RenameFilesParams, ResponseError, TextDocumentIdentifier } from '../lsp';
import { AuditNginxRequest, AuditParams, BuildParams, InferManifestParams, InferManifestRequest, ModuleMapParams, ModuleMapRequest } from '../protocol/protocol';

/**
 * The params of the requests as the server takes them: checked here, at the
 * edge, so that a handler only ever sees the declared shape and a client
 * sending something else (null, a wrong type) gets InvalidParams naming what
 * was expected.
 */

export function invalidParams(method: string, expected: string): ResponseError<void> {
  return new ResponseError(ErrorCodes.InvalidParams, `Invalid params for ${method}: expected ${expected}.`);
}

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

const isOptionalString = (v: unknown): v is string | undefined => v === undefined || typeof v === 'string';
const isOptionalMode = (v: unknown): v is BuildParams['mode'] => v === undefined || v === 'objects' || v === 'archive';
const isOptionalToken = (v: unknown): v is string | number | undefined => isOptionalString(v) || typeof v === 'number';

/** All of ModuleMapParams is optional, so no params at all (or null) ask for the first project's map. */
export function moduleMapParams(params: unknown): ModuleMapParams {
  if (params === undefined || params === null) {
    return {};
  }
  const uri = isRecord(params) ? params.uri : undefined;
  const rows = isRecord(params) ? params.rows : undefined;
  if (!isRecord(params) || !isOptionalString(uri) || (rows !== undefined && typeof rows !== 'boolean')) {
    throw invalidParams(ModuleMapRequest.method, '{ uri?: string, rows?: boolean } or no params');
  }
  return rows === undefined ? { uri } : { uri, rows };
}

export function inferManifestParams(params: unknown): InferManifestParams {
  const folderUri = isRecord(params) ? params.folderUri : undefined;
  if (typeof folderUri !== 'string') {
    throw invalidParams(InferManifestRequest.method, '{ folderUri: string }');
  }
  return { folderUri };
}

const BUILD_PARAMS = '{ dir: string, luajitPath?: string, cc?: string, mode?: "objects" | "archive", workDoneToken?: string | number }';

/** The params of compile, linkFlags and verify. */
export function buildParams(method: string, params: unknown): BuildParams {
  const { dir, luajitPath, cc, mode, workDoneToken } = isRecord(params) ? params : {};
  if (typeof dir !== 'string' || !isOptionalString(luajitPath) || !isOptionalString(cc) || !isOptionalMode(mode) || !isOptionalToken(workDoneToken)) {
    throw invalidParams(method, BUILD_PARAMS);
  }
  return { dir, luajitPath, cc, mode, workDoneToken };
}

/** The params of auditNginx: the build params and the nginx to audit. */
export function auditParams(params: unknown): AuditParams {
  const nginxPath = isRecord(params) ? params.nginxPath : undefined;
  if (typeof nginxPath !== 'string' || nginxPath.trim() === '') {
    throw invalidParams(AuditNginxRequest.method, `${BUILD_PARAMS.slice(0, -2)}, nginxPath: string }`);
  }
  return { ...buildParams(AuditNginxRequest.method, params), nginxPath };
}

/** The parts of the standard document requests the handlers read. */
export function documentParams(method: string, params: unknown): { textDocument: TextDocumentIdentifier } {
  const textDocument = isRecord(params) ? params.textDocument : undefined;
  if (!TextDocumentIdentifier.is(textDocument)) {
    throw invalidParams(method, '{ textDocument: { uri: string } }');
  }
  return { textDocument };
}

export function positionParams(method: string, params: unknown): { textDocument: TextDocumentIdentifier; position: Position } {
  const position = isRecord(params) ? params.position : undefined;
  if (!isRecord(params) || !TextDocumentIdentifier.is(params.textDocument) || !Position.is(position)) {
    throw invalidParams(method, '{ textDocument: { uri: string }, position: { line: number, character: number } }');
  }
  return { textDocument: params.textDocument, position };
}

export function referenceParams(method: string, params: unknown): { textDocument: TextDocumentIdentifier; position: Position; context: { includeDeclaration: boolean } } {
  const context = isRecord(params) ? params.context : undefined;
  const includeDeclaration = isRecord(context) ? context.includeDeclaration : undefined;
  if (typeof includeDeclaration !== 'boolean') {
    throw invalidParams(method, '{ textDocument, position, context: { includeDeclaration: boolean } }');
  }
  return { ...positionParams(method, params), context: { includeDeclaration } };
}

export function codeActionParams(method: string, params: unknown): { textDocument: TextDocumentIdentifier; context: { diagnostics: Diagnostic[] } } {
  const context = isRecord(params) ? params.context : undefined;
  const diagnostics = isRecord(context) ? context.diagnostics : undefined;
  if (!Array.isArray(diagnostics)) {
    throw invalidParams(method, '{ textDocument, range, context: { diagnostics: Diagnostic[] } }');
  }
  // Quick fixes are offered for our own diagnostics only; anything that is not a diagnostic cannot be one.
  return { ...documentParams(method, params), context: { diagnostics: diagnostics.filter((d) => Diagnostic.is(d)) } };
}

export function workspaceSymbolParams(method: string, params: unknown): { query: string } {
  const query = isRecord(params) ? params.query : undefined;
  if (typeof query !== 'string') {
    throw invalidParams(method, '{ query: string }');
  }
  return { query };
}

/** `workspace/willRenameFiles`: the moves, each an old and a new URI. */
export function renameFilesParams(method: string, params: unknown): RenameFilesParams {
  const files = isRecord(params) ? params.files : undefined;
  if (!Array.isArray(files) || !files.every((f) => isRecord(f) && typeof f.oldUri === 'string' && typeof f.newUri === 'string')) {
    throw invalidParams(method, '{ files: { oldUri: string, newUri: string }[] }');
  }
  return { files: files as RenameFilesParams['files'] };
}
