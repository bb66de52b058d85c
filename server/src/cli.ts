import { CommandSpec, CommandTable, commandUsage, OptionSpec, parseCommandLine, usage, UsageError } from './commands/commandLine';
import { CommandError, CommandIO, EXIT_BROKEN_PIPE, EXIT_OK, EXIT_USAGE } from './commands/commandIO';
import { TerminalStatusLine } from './commands/terminalStatus';

const VERSION = '0.1.0';

const format = (...choices: string[]): OptionSpec => ({ help: 'Output format', choices });

/** node's timers hold at most 2^31-1 ms: a longer limit fires after 1 ms, and every luajit run would be killed at once. */
const MAX_TIMEOUT_SECONDS = Math.floor(0x7fffffff / 1000);

/** compile, flags and verify take the same options, so one task or script line works for each. */
const BUILD_OPTIONS: Record<string, OptionSpec> = {
  format: format('text', 'json'),
  luajit: { value: '<path>', help: 'The LuaJIT that compiles (default: "luajit.compiler" of resty-build.json)' },
  mode: { choices: ['objects', 'archive'], help: 'How flags and verify link the objects (default: "link.mode")' },
  jobs: {
    value: '<n>',
    help: 'Parallel luajit processes (default: CPU count)',
    check: (v) => (Number.isInteger(Number(v)) && Number(v) >= 1 ? undefined : '--jobs needs a whole number of at least 1'),
  },
  timeout: {
    value: '<seconds>',
    help: 'Limit per luajit run (default: 60)',
    check: (v) => (Number(v) > 0 && Number(v) <= MAX_TIMEOUT_SECONDS ? undefined : `--timeout needs a number of seconds up to ${MAX_TIMEOUT_SECONDS}`),
  },
  force: { help: 'Recompile everything' },
  'no-export-dynamic': { help: 'verify: link the probe without -Wl,-E' },
};

const NGINX_OPTION: OptionSpec = { value: '<binary>', help: 'A built nginx: verify audits it instead of linking a probe; runtime lists the libluajit it links' };

/** The commands that analyse the folder's Lua files, as the server does at start-up. */
const ANALYSIS_OPTIONS: Record<string, OptionSpec> = {
  'no-cache': { help: 'Parse every file again; neither read nor write the stored facts (~/.cache/resty-build/facts)' },
  verbose: { help: 'Say on stderr how many files came from stored facts and where the time went' },
};

/** A command's code is loaded when it runs: `check` never loads the toolchain, `--help` loads no command. */
function lazily(load: () => Promise<CommandSpec['run']>): CommandSpec['run'] {
  return async (args, io) => (await load())(args, io);
}

/** compile, flags and verify: the build pipeline around a step. */
function buildStep(load: () => Promise<Parameters<typeof import('./commands/build').buildCommand>[0]>): CommandSpec['run'] {
  return lazily(async () => (await import('./commands/build')).buildCommand(await load()));
}

/** The commands, declared once: parsing, dispatch and help all come from this table. */
const COMMANDS: CommandTable = {
  check: {
    summary: 'Resolve every require() and report problems (of a subfolder or one file: with the enclosing project\'s manifest)',
    operand: '[dir|file]',
    options: {
      format: format('text', 'json', 'sarif', 'github'),
      summary: { help: 'Counts per code and the modules with the most sites, instead of every finding' },
      ...ANALYSIS_OPTIONS,
    },
    run: lazily(async () => {
      const { runCheck } = await import('./commands/check');
      return (args, io) => runCheck(args, io, VERSION);
    }),
  },
  map: {
    summary: 'Show the name mapping and the embed closure',
    options: { format: format('text', 'json', 'markdown', 'dot', 'mermaid'), ...ANALYSIS_OPTIONS },
    run: lazily(async () => (await import('./commands/map')).runMap),
  },
  why: {
    summary: 'Show the require chain that pulls a module into the embed closure',
    operands: ['module'],
    options: { format: format('text', 'json'), ...ANALYSIS_OPTIONS },
    run: lazily(async () => (await import('./commands/why')).runWhy),
  },
  fix: {
    summary: 'Apply the safe quick fixes to resty-build.json (add missing modules to embed, declare what OpenResty bundles provided)',
    options: { 'dry-run': { help: 'Print the edit as a unified diff instead of writing it' }, ...ANALYSIS_OPTIONS },
    run: lazily(async () => (await import('./commands/fix')).runFix),
  },
  init: {
    summary: 'Write a resty-build.json inferred from the folder',
    options: { stdout: { help: 'Print the manifest instead of writing it' }, ...ANALYSIS_OPTIONS },
    run: lazily(async () => (await import('./commands/init')).runInit),
  },
  compile: {
    summary: 'Compile the embedded modules to LuaJIT bytecode objects in outDir',
    options: BUILD_OPTIONS,
    run: buildStep(async () => (await import('./commands/compile')).runCompileCommand),
  },
  flags: { summary: 'Print the nginx ./configure flags that link them', options: BUILD_OPTIONS, run: buildStep(async () => (await import('./commands/flags')).runFlags) },
  verify: {
    summary: 'Compile, link a probe program like nginx and check every module is found; with --nginx, audit that built nginx instead',
    options: { ...BUILD_OPTIONS, nginx: NGINX_OPTION },
    run: buildStep(async () => (await import('./commands/verify')).runVerify),
  },
  runtime: {
    summary: 'List what the runtime image needs besides nginx: C modules, ffi.load libraries, libluajit, dynamic modules',
    options: { format: format('text', 'json', 'dockerfile'), nginx: NGINX_OPTION },
    run: buildStep(async () => (await import('./commands/runtime')).runRuntime),
  },
};

/** Runs the command line; resolves to the exit code (0 ok, 1 findings, 2 usage or environment error, 130 interrupted; 141, a closed output, is set where the pipe breaks). */
export async function main(argv: string[], io: CommandIO): Promise<number> {
  let parsed: ReturnType<typeof parseCommandLine>;
  try {
    parsed = parseCommandLine(argv, COMMANDS);
  } catch (e) {
    if (e instanceof UsageError) {
      io.err(e.brief ? `resty-build: ${e.message}` : `resty-build: ${e.message}\n\n${e.command ? commandUsage(e.command, COMMANDS[e.command]) : usage(COMMANDS)}`);
      return EXIT_USAGE;
    }
    throw e;
  }
  if (parsed.kind === 'help') {
    io.out(parsed.command ? commandUsage(parsed.command, COMMANDS[parsed.command]) : usage(COMMANDS));
    return EXIT_OK;
  }
  if (parsed.kind === 'version') {
    io.out(VERSION);
    return EXIT_OK;
  }
  try {
    return await COMMANDS[parsed.command].run(parsed.args, io);
  } catch (e) {
    if (e instanceof CommandError) {
      io.err(`resty-build ${parsed.command}: ${e.message}`);
      return EXIT_USAGE;
    }
    throw e;
  }
}

/**
 * Control characters of a workspace's text (a module name, a file name)
 * written raw would drive the terminal: retitle it, clear it, or move the
 * cursor over the findings printed before. Each is written as `\u00XX`,
 * which inside a JSON string is the same character. Line ends and tabs stay,
 * and so does `\r` before `\n` (fix's diff of a CRLF manifest).
 */
const TERMINAL_CONTROLS = /[\u0000-\u0008\u000b\u000c\u000e-\u001f\u007f-\u009f]|\r(?!\n)/g;

function terminalSafe(text: string): string {
  return text.replace(TERMINAL_CONTROLS, (c) => `\\u${c.charCodeAt(0).toString(16).padStart(4, '0')}`);
}

if (require.main === module) {
  // A reader that stops early (`check | head`) closes the pipe: end quietly, as a process ended by SIGPIPE does.
  for (const stream of [process.stdout, process.stderr]) {
    stream.on('error', (e: NodeJS.ErrnoException) => {
      if (e.code !== 'EPIPE') {
        throw e;
      }
      process.exit(EXIT_BROKEN_PIPE);
    });
  }
  // A dumb terminal (an editor's shell buffer) cannot erase a line: it gets the log's output.
  const status = process.stderr.isTTY && process.env.TERM !== 'dumb' ? new TerminalStatusLine((s) => process.stderr.write(s), () => process.stderr.columns) : undefined;
  const io: CommandIO = {
    out: (s) => {
      status?.clear();
      process.stdout.write(terminalSafe(s) + '\n');
    },
    err: (s) => {
      status?.clear();
      process.stderr.write(terminalSafe(s) + '\n');
    },
    status: status && ((s) => status.show(terminalSafe(s))),
    env: process.env,
  };
  main(process.argv.slice(2), io).then(
    (code) => {
      process.exitCode = code;
      // Done: exit once the output is flushed rather than when the event loop drains, which waits for the
      // collector's foreground tasks (incremental marking started by the run's garbage: 8-24 ms on 1,000 files).
      // A write that fails leaves the exit to the stream's error handler (141 for a closed pipe), or to the loop.
      const flushed = (stream: NodeJS.WriteStream, then: () => void) => stream.write('', (err) => (err ? undefined : then()));
      flushed(process.stdout, () => flushed(process.stderr, () => process.exit(code)));
    },
    (e: unknown) => {
      status?.clear();
      process.stderr.write(`resty-build: internal error: ${e instanceof Error ? (e.stack ?? e.message) : String(e)}\n`);
      process.exitCode = EXIT_USAGE;
    },
  );
}
