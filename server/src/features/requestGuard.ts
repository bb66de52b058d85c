import { CancellationToken, Connection, ErrorCodes, RequestType, RequestType0, ResponseError } from '../lsp';

export interface GuardOptions<R> {
  /** The answer to an unexpected failure when the request has an empty one (`null`, `[]`); without it, an InternalError. */
  fallback?: R;
  /** Turns a known kind of failure into its answer (an unusable build environment into RequestFailed). */
  translate?: (error: unknown) => ResponseError<void> | undefined;
}

/** The handler of a guarded request: `params` is whatever the client sent (validate it), `token` its cancellation. */
export type GuardedHandler<R> = (params: unknown, token: CancellationToken) => R | Promise<R>;

export type RegisterRequest = <R>(type: RequestType<unknown, R, void> | RequestType0<R, void>, what: string, handler: GuardedHandler<R>, options?: GuardOptions<R>) => void;

function describe(error: unknown): string {
  return error instanceof Error ? (error.stack ?? error.message) : String(error);
}

function preview(params: unknown): string {
  let text: string | undefined;
  try {
    text = JSON.stringify(params);
  } catch {
    text = String(params);
  }
  text ??= 'none';
  return text.length > 300 ? `${text.slice(0, 300)}…` : text;
}

/**
 * Registers request handlers so that every request is answered and no
 * failure escapes: a ResponseError the handler throws (a refusal, invalid
 * params) is the answer as it is; any other failure is logged with the
 * request and its params, then answered with the request's empty result or
 * an InternalError. The handler sees the params as sent, so null or
 * misshapen params reach its validation instead of failing before it (as
 * they do in vscode-languageserver's own wrappers, which read
 * `params.workDoneToken` first).
 */
export function requestRegistrar(connection: Connection, log: (message: string) => void): RegisterRequest {
  return function register<R>(type: RequestType<unknown, R, void> | RequestType0<R, void>, what: string, handler: GuardedHandler<R>, options: GuardOptions<R> = {}): void {
    const fail = (error: unknown, params: unknown): R => {
      if (error instanceof ResponseError) {
        throw error;
      }
      const translated = options.translate?.(error);
      if (translated) {
        throw translated;
      }
      log(`${what} failed: ${describe(error)}\n    params: ${preview(params)}`);
      if ('fallback' in options) {
        return options.fallback as R;
      }
      throw new ResponseError(ErrorCodes.InternalError, `${what} failed: ${error instanceof Error ? error.message : String(error)}`);
    };
    // vscode-jsonrpc passes the params (spread when they are an array), then the token.
    connection.onRequest(type.method, (...args: unknown[]) => {
      const last = args[args.length - 1];
      const token = CancellationToken.is(last) ? last : CancellationToken.None;
      const params = type.numberOfParams === 0 || args.length === 1 ? undefined : args.length === 2 ? args[0] : args.slice(0, -1);
      try {
        const result = handler(params, token);
        return result instanceof Promise ? result.catch((e: unknown) => fail(e, params)) : result;
      } catch (e) {
        return fail(e, params);
      }
    });
  };
}
