// Entry point of an extension-host test run: the same contract as @vscode/test-electron (VS Code
// loads this module as `extensionTestsPath` and awaits run()), so one suite serves both the
// code-server runner and test-electron. Loads every *.suite.js bundled next to it.
import { readdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import Mocha from 'mocha';
import { REPORT_FILE, type SuiteReport } from './report';

export function run(): Promise<void> {
  const mocha = new Mocha({ ui: 'tdd', color: false, timeout: 60_000 });
  const files = readdirSync(__dirname)
    .filter((name) => name.endsWith('.suite.js'))
    .sort();
  for (const name of files) {
    mocha.addFile(join(__dirname, name));
  }
  const report: SuiteReport = { passes: [], pending: [], failures: [] };
  return new Promise((resolve, reject) => {
    if (files.length === 0) {
      reject(new Error(`no *.suite.js files next to ${__filename}`));
      return;
    }
    try {
      const runner = mocha.run((failures) => {
        // The runner reads this file, so failures reach it whatever happens to the console.
        writeFileSync(join(__dirname, REPORT_FILE), JSON.stringify(report, null, 2));
        if (failures > 0) {
          const lines = report.failures.map((f) => `  ${f.title}: ${f.message}`);
          reject(new Error(`${failures} editor e2e test(s) failed:\n${lines.join('\n')}`));
        } else {
          resolve();
        }
      });
      runner.on('pass', (test) => report.passes.push(test.fullTitle()));
      runner.on('pending', (test) => report.pending.push(test.fullTitle()));
      runner.on('fail', (test, err: Error) => report.failures.push({ title: test.fullTitle(), message: err.message, stack: err.stack }));
    } catch (err) {
      reject(err instanceof Error ? err : new Error(String(err)));
    }
  });
}
