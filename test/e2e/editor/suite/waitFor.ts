// Waiting on a real signal inside the extension host: re-check when an event fires, with a
// bounded timeout that names what was awaited. Shared by the *.suite.ts files.
import type { Disposable, Event } from 'vscode';

export interface WaitOptions {
  /** Named in the timeout error; a function is called at the timeout (to show the state then). */
  what: string | (() => string);
  timeoutMs: number;
  /** Re-check whenever this fires (e.g. vscode.languages.onDidChangeDiagnostics). */
  onDidChange?: Event<unknown>;
  /** Without an event, re-check this often. Default 50 ms. */
  pollMs?: number;
}

export function waitFor<T>(check: () => T | undefined, options: WaitOptions): Promise<T> {
  return new Promise((resolve, reject) => {
    // Filled in after the first attempt; finish() may run before that.
    const handles: { subscription?: Disposable; poll?: NodeJS.Timeout } = {};
    const finish = (): void => {
      handles.subscription?.dispose();
      clearInterval(handles.poll);
      clearTimeout(timer);
    };
    const attempt = (): boolean => {
      try {
        const value = check();
        if (value !== undefined) {
          finish();
          resolve(value);
          return true;
        }
      } catch (err) {
        finish();
        reject(err instanceof Error ? err : new Error(String(err)));
        return true;
      }
      return false;
    };
    const timer = setTimeout(() => {
      finish();
      reject(new Error(`timed out after ${options.timeoutMs} ms waiting for ${typeof options.what === 'function' ? options.what() : options.what}`));
    }, options.timeoutMs);
    if (attempt()) {
      return;
    }
    handles.subscription = options.onDidChange?.(() => void attempt());
    handles.poll = setInterval(() => void attempt(), options.pollMs ?? 50);
  });
}
