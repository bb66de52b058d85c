// What every command shares with the command line, and nothing more: the
// CLI loads this at start, before it knows which command (if any) runs.

/**
 * Exit codes, a contract for CI scripts: 0 clean, 1 findings at error severity, 2 usage or environment error,
 * 130 interrupted, 141 the output's reader went away (as a process ended by SIGPIPE).
 */
export const EXIT_OK = 0;
export const EXIT_FINDINGS = 1;
export const EXIT_USAGE = 2;
export const EXIT_INTERRUPTED = 130;
export const EXIT_BROKEN_PIPE = 141;

export interface CommandIO {
  out: (s: string) => void;
  err: (s: string) => void;
  /**
   * Rewrites one status line of stderr in place (progress); present only
   * when stderr is a terminal that can do so. `out` and `err` clear it first.
   */
  status?: (s: string) => void;
  env: Record<string, string | undefined>;
}

/** A parsed command line (commandLine.ts): the folder, and the options given, flags as 'true'. */
export interface CommandArgs {
  dir: string;
  /** The command's operands before the folder, in the order its table entry names them. */
  operands: string[];
  options: Map<string, string>;
}

/** A user-facing failure: the message is printed as is and the exit code is 2. */
export class CommandError extends Error {}
