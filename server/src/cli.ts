import * as fs from 'node:fs';
import * as path from 'node:path';
import { NodeFileSystem } from './core/fs';
import { Workspace } from './core/workspace';
import { Finding } from './core/types';
import { BUILD_USAGE, buildCommandOf, runBuildCommand } from './commands/build';

/** Exit codes, a contract for CI scripts: 0 clean, 1 findings at error severity, 2 usage or environment error. */
export const EXIT_OK = 0;
export const EXIT_FINDINGS = 1;
export const EXIT_USAGE = 2;

const VERSION = '0.1.0';

const USAGE = `Usage: resty-build <command> [dir] [options]

Commands:
  check [dir]     Resolve every require() and report problems (default dir: .)
${BUILD_USAGE}

Options:
  --format text|json   Output format (default: text)
  -h, --help           Show this help
  -v, --version        Show the version

Exit codes: 0 no errors, 1 errors found, 2 usage or environment error.`;

class UsageError extends Error {}

interface Args {
  command: string;
  dir: string;
  format: string;
}

function parseArgs(argv: string[]): Args | 'help' | 'version' {
  const positional: string[] = [];
  let format = 'text';
  for (let i = 0; i < argv.length; i++) {
    const arg = argv[i];
    if (arg === '-h' || arg === '--help') {
      return 'help';
    }
    if (arg === '-v' || arg === '--version') {
      return 'version';
    }
    if (arg === '--format' || arg.startsWith('--format=')) {
      const value = arg.includes('=') ? arg.slice(arg.indexOf('=') + 1) : argv[++i];
      if (value === undefined) {
        throw new UsageError('--format needs a value: text or json');
      }
      format = value;
      continue;
    }
    if (arg.startsWith('-')) {
      throw new UsageError(`unknown option '${arg}'`);
    }
    positional.push(arg);
  }
  if (positional.length === 0) {
    throw new UsageError('missing command');
  }
  if (positional.length > 2) {
    throw new UsageError(`unexpected argument '${positional[2]}'`);
  }
  return { command: positional[0], dir: positional[1] ?? '.', format };
}

function sortFindings(findings: Finding[]): Finding[] {
  return findings.sort(
    (a, b) =>
      a.file.localeCompare(b.file) ||
      a.range.start.line - b.range.start.line ||
      a.range.start.character - b.range.start.character ||
      a.code.localeCompare(b.code),
  );
}

function relativePath(dir: string, file: string): string {
  const rel = path.relative(dir, file);
  return rel.startsWith('..') || path.isAbsolute(rel) ? file : rel.split(path.sep).join('/');
}

export function formatText(dir: string, findings: Finding[]): string {
  const lines: string[] = [];
  for (const f of findings) {
    const [first, ...rest] = f.message.split('\n');
    lines.push(`${relativePath(dir, f.file)}:${f.range.start.line + 1}:${f.range.start.character + 1}: ${f.severity} ${f.code}: ${first}`);
    for (const more of rest) {
      lines.push(`    ${more.replace(/^\t/, '')}`);
    }
  }
  return lines.join('\n');
}

export function formatJson(dir: string, findings: Finding[]): string {
  const diagnostics = findings.map((f) => ({
    file: relativePath(dir, f.file),
    line: f.range.start.line + 1,
    column: f.range.start.character + 1,
    endLine: f.range.end.line + 1,
    endColumn: f.range.end.character + 1,
    severity: f.severity,
    code: f.code,
    message: f.message,
    module: f.module ?? null,
  }));
  return JSON.stringify({ diagnostics }, null, 2);
}

function summary(findings: Finding[], files: number): string {
  const count = (s: string) => findings.filter((f) => f.severity === s).length;
  const plural = (n: number, w: string) => `${n} ${w}${n === 1 ? '' : 's'}`;
  return `${plural(count('error'), 'error')}, ${plural(count('warning'), 'warning')}, ${plural(count('info'), 'info')} in ${plural(files, 'Lua file')}`;
}

function runCheck(args: Args, out: (s: string) => void, err: (s: string) => void): number {
  const dir = path.resolve(args.dir);
  if (!fs.existsSync(dir) || !fs.statSync(dir).isDirectory()) {
    err(`resty-build: '${args.dir}' is not a folder`);
    return EXIT_USAGE;
  }
  const workspace = new Workspace(new NodeFileSystem(), { roots: [dir], env: process.env });
  const findings = sortFindings([...workspace.checkAll().values()].flat());
  if (args.format === 'json') {
    out(formatJson(dir, findings));
  } else {
    const text = formatText(dir, findings);
    if (text) {
      out(text);
    }
    err(summary(findings, workspace.files().length));
  }
  return findings.some((f) => f.severity === 'error') ? EXIT_FINDINGS : EXIT_OK;
}

export function main(argv: string[], out = (s: string) => process.stdout.write(s + '\n'), err = (s: string) => process.stderr.write(s + '\n')): number | Promise<number> {
  if (buildCommandOf(argv)) {
    return runBuildCommand(argv, out, err);
  }
  let args: ReturnType<typeof parseArgs>;
  try {
    args = parseArgs(argv);
  } catch (e) {
    if (e instanceof UsageError) {
      err(`resty-build: ${e.message}\n\n${USAGE}`);
      return EXIT_USAGE;
    }
    throw e;
  }
  if (args === 'help') {
    out(USAGE);
    return EXIT_OK;
  }
  if (args === 'version') {
    out(VERSION);
    return EXIT_OK;
  }
  if (args.format !== 'text' && args.format !== 'json') {
    err(`resty-build: unknown format '${args.format}' (use text or json)`);
    return EXIT_USAGE;
  }
  switch (args.command) {
    case 'check':
      return runCheck(args, out, err);
    default:
      err(`resty-build: unknown command '${args.command}'\n\n${USAGE}`);
      return EXIT_USAGE;
  }
}

if (require.main === module) {
  Promise.resolve()
    .then(() => main(process.argv.slice(2)))
    .then(
      (code) => {
        process.exitCode = code;
      },
      (e: unknown) => {
        process.stderr.write(`resty-build: internal error: ${e instanceof Error ? (e.stack ?? e.message) : String(e)}\n`);
        process.exitCode = EXIT_USAGE;
      },
    );
}
