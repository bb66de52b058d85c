import * as vscode from 'vscode';
import { CloseAction, CloseHandlerResult, ErrorAction, ErrorHandler, ErrorHandlerResult, Message } from 'vscode-languageclient/node';

/** At most this many automatic restarts within RESTART_WINDOW_MS; then the server stays down. */
export const MAX_RESTARTS = 4;
export const RESTART_WINDOW_MS = 3 * 60_000;

/**
 * Restarts a crashed server with a visible message, at most MAX_RESTARTS
 * times in RESTART_WINDOW_MS (a server that dies on every start would
 * otherwise loop forever), then gives up with an error offering the output.
 * vscode-languageclient calls closed() only for an unexpected end, never for
 * stop() or restart().
 */
export class RestartLimiter implements ErrorHandler {
  private readonly recent: number[] = [];
  /** Automatic restarts so far (for the status bar and the tests). */
  restarts = 0;

  constructor(
    private readonly showOutput: () => void,
    private readonly restart: () => Promise<void>,
  ) {}

  error(_error: Error, _message: Message | undefined, count: number | undefined): ErrorHandlerResult {
    // The default handler's rule: a few write errors are transient, more mean the pipe is gone.
    return { action: count !== undefined && count <= 3 ? ErrorAction.Continue : ErrorAction.Shutdown, handled: true };
  }

  closed(): CloseHandlerResult {
    const now = Date.now();
    while (this.recent.length > 0 && now - this.recent[0] > RESTART_WINDOW_MS) {
      this.recent.shift();
    }
    if (this.recent.length >= MAX_RESTARTS) {
      void vscode.window
        .showErrorMessage(
          `resty-build: the language server stopped ${MAX_RESTARTS + 1} times in ${RESTART_WINDOW_MS / 60_000} minutes and was not restarted again. The output has its last words.`,
          'Show Output',
          'Restart',
        )
        .then((choice) => (choice === 'Show Output' ? this.showOutput() : choice === 'Restart' ? this.restart() : undefined));
      return { action: CloseAction.DoNotRestart, handled: true };
    }
    this.recent.push(now);
    this.restarts++;
    void vscode.window
      .showWarningMessage(
        `resty-build: the language server stopped unexpectedly and was restarted (${this.recent.length} of ${MAX_RESTARTS} in ${RESTART_WINDOW_MS / 60_000} minutes).`,
        'Show Output',
      )
      .then((choice) => (choice === 'Show Output' ? this.showOutput() : undefined));
    return { action: CloseAction.Restart, handled: true };
  }

  /** A manual restart starts a fresh count. */
  reset(): void {
    this.recent.length = 0;
  }
}
