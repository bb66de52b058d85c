import { runCheck } from './commands/check';
import { CommandArgs, CommandError, CommandIO, EXIT_OK, EXIT_USAGE } from './commands/common';
import { runInit } from './commands/init';
import { runMap } from './commands/map';
import { BUILD_USAGE, buildCommandOf, runBuildCommand } from './commands/build';

const VERSION = '0.1.0';

interface Command {
  summary: string;
  /** Options the command takes; `true` when the option has a value. */
  options: Record<string, boolean>;
  run: (args: CommandArgs, io: CommandIO) => number;
}

/** The commands, declared once: dispatch and help both come from this table. */
const COMMANDS: Record<string, Command> = {
  check: { summary: 'Resolve every require() and report problems', options: { format: true }, run: runCheck },
  map: { summary: 'Show the name mapping and the embed closure', options: { format: true }, run: runMap },
  init: { summary: 'Write a resty-build.json inferred from the folder', options: { stdout: false }, run: runInit },
};

const USAGE = `Usage: resty-build <command> [dir] [options]

Commands:
${Object.entries(COMMANDS)
  .map(([name, c]) => `  ${name.padEnd(10)} ${c.summary}`)
  .join('\n')}
${BUILD_USAGE.replace(/^ {2}(\w+) \[dir\] +/gm, (_, name: string) => `  ${name.padEnd(10)} `).replace(/^ {18}(?=\S)/gm, ' '.repeat(13))}

dir defaults to the current folder.

Options:
  --format text|json   Output format (check, map: also markdown)
  --stdout             init: print the manifest instead of writing it
  -h, --help           Show this help
  -v, --version        Show the version

Exit codes: 0 no errors, 1 errors found, 2 usage or environment error.`;

class UsageError extends Error {}

function parseArgs(argv: string[]): { name: string; command: Command; args: CommandArgs } | 'help' | 'version' {
  if (argv.some((a) => a === '-h' || a === '--help')) {
    return 'help';
  }
  if (argv.some((a) => a === '-v' || a === '--version')) {
    return 'version';
  }
  const name = argv.find((a) => !a.startsWith('-'));
  if (name === undefined) {
    throw new UsageError('missing command');
  }
  const command = COMMANDS[name];
  if (!command) {
    throw new UsageError(`unknown command '${name}'`);
  }
  const positional: string[] = [];
  const options = new Map<string, string>();
  const rest = argv.slice(argv.indexOf(name) + 1);
  for (let i = 0; i < rest.length; i++) {
    const arg = rest[i];
    if (!arg.startsWith('-') || arg === '-') {
      positional.push(arg);
      continue;
    }
    if (!arg.startsWith('--')) {
      throw new UsageError(`unknown option '${arg}'`);
    }
    const eq = arg.indexOf('=');
    const key = eq > 0 ? arg.slice(2, eq) : arg.slice(2);
    const takesValue = command.options[key];
    if (takesValue === undefined) {
      throw new UsageError(`unknown option '--${key}' for '${name}'`);
    }
    if (!takesValue) {
      options.set(key, 'true');
      continue;
    }
    const value = eq > 0 ? arg.slice(eq + 1) : rest[++i];
    if (value === undefined || value === '') {
      throw new UsageError(`--${key} needs a value`);
    }
    options.set(key, value);
  }
  if (positional.length > 1) {
    throw new UsageError(`unexpected argument '${positional[1]}'`);
  }
  return { name, command, args: { dir: positional[0] ?? '.', options } };
}

export function main(argv: string[], io: CommandIO): number | Promise<number> {
  if (buildCommandOf(argv) && !argv.some((a) => a === '-v' || a === '--version')) {
    return runBuildCommand(argv, io.out, io.err);
  }
  let parsed: ReturnType<typeof parseArgs>;
  try {
    parsed = parseArgs(argv);
  } catch (e) {
    if (e instanceof UsageError) {
      io.err(`resty-build: ${e.message}\n\n${USAGE}`);
      return EXIT_USAGE;
    }
    throw e;
  }
  if (parsed === 'help') {
    io.out(USAGE);
    return EXIT_OK;
  }
  if (parsed === 'version') {
    io.out(VERSION);
    return EXIT_OK;
  }
  try {
    return parsed.command.run(parsed.args, io);
  } catch (e) {
    if (e instanceof CommandError) {
      io.err(`resty-build ${parsed.name}: ${e.message}`);
      return EXIT_USAGE;
    }
    throw e;
  }
}

if (require.main === module) {
  const io: CommandIO = {
    out: (s) => process.stdout.write(s + '\n'),
    err: (s) => process.stderr.write(s + '\n'),
    env: process.env,
  };
  Promise.resolve()
    .then(() => main(process.argv.slice(2), io))
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
