// What suite/index.ts writes after a run, read by the runner on the Node side (kept apart from
// index.ts so that reading it does not load mocha).

/** Written next to the bundled index.js. */
export const REPORT_FILE = 'mocha-report.json';

export interface SuiteReport {
  passes: string[];
  pending: string[];
  failures: Array<{ title: string; message: string; stack?: string }>;
}
