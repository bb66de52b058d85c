import { parseArgs } from 'node:util';
import { CommandArgs, CommandIO } from './commandIO';

/** One option of a command, as the parser checks it and the help shows it. */
export interface OptionSpec {
  help: string;
  /** The values it accepts: checked here, and shown in the help. */
  choices?: readonly string[];
  /** Shown after the option in the help (`<path>`); an option with neither this nor choices is a flag without a value. */
  value?: string;
  /** A message when the value is not acceptable. */
  check?: (value: string) => string | undefined;
}

export interface CommandSpec {
  summary: string;
  /** Arguments the command needs before the folder (`why <module> [dir]`). */
  operands?: readonly string[];
  /** What the positional argument may be, for the usage line (default `[dir]`). */
  operand?: string;
  options: Readonly<Record<string, OptionSpec>>;
  run: (args: CommandArgs, io: CommandIO) => number | Promise<number>;
}

export type CommandTable = Readonly<Record<string, CommandSpec>>;

/** A mistake in the command line: exit 2 with the message and the usage (of `command` when known). */
export class UsageError extends Error {
  constructor(
    message: string,
    readonly command?: string,
    /** The message says all there is to say: no usage text after it (an unknown command names the commands). */
    readonly brief = false,
  ) {
    super(message);
  }
}

export type CommandLine = { kind: 'help'; command?: string } | { kind: 'version' } | { kind: 'run'; command: string; args: CommandArgs };

const GLOBAL_OPTIONS = {
  help: { type: 'boolean', short: 'h' },
  version: { type: 'boolean', short: 'v' },
} as const;

function takesValue(spec: OptionSpec): boolean {
  return spec.choices !== undefined || spec.value !== undefined;
}

function oneOf(choices: readonly string[]): string {
  return choices.length === 1 ? choices[0] : `${choices.slice(0, -1).join(', ')} or ${choices[choices.length - 1]}`;
}

/**
 * Parses `resty-build <command> [dir] [options]` with node's parseArgs, the
 * options of every command known, so that an option's value is never taken
 * for the command or the folder; then checks the options against the
 * command's own. `--help` and `--version` win wherever they stand.
 */
export function parseCommandLine(argv: readonly string[], commands: CommandTable): CommandLine {
  const options: Record<string, { type: 'string' | 'boolean'; short?: string }> = { ...GLOBAL_OPTIONS };
  for (const command of Object.values(commands)) {
    for (const [name, spec] of Object.entries(command.options)) {
      options[name] = { type: takesValue(spec) ? 'string' : 'boolean' };
    }
  }
  const { tokens } = parseArgs({ args: [...argv], options, strict: false, allowPositionals: true, tokens: true });
  const positionals = tokens.filter((t) => t.kind === 'positional');
  const name = positionals[0]?.value;
  const known = name !== undefined && Object.hasOwn(commands, name) ? name : undefined;
  if (tokens.some((t) => t.kind === 'option' && t.name === 'help')) {
    return { kind: 'help', command: known };
  }
  if (tokens.some((t) => t.kind === 'option' && t.name === 'version')) {
    return { kind: 'version' };
  }
  if (name === undefined) {
    throw new UsageError('missing command');
  }
  if (known === undefined) {
    throw new UsageError(`unknown command '${name}' (commands: ${Object.keys(commands).join(', ')}; resty-build --help describes them)`, undefined, true);
  }
  const command = commands[known];
  const operandNames = command.operands ?? [];
  const values = new Map<string, string>();
  for (const token of tokens) {
    if (token.kind !== 'option') {
      continue;
    }
    const spec = Object.hasOwn(command.options, token.name) ? command.options[token.name] : undefined;
    if (!spec) {
      throw new UsageError(`unknown option '${token.rawName}' for '${known}'`, known);
    }
    if (!takesValue(spec)) {
      if (token.value !== undefined) {
        throw new UsageError(`${token.rawName} takes no value`, known);
      }
      values.set(token.name, 'true');
      continue;
    }
    if (token.value === undefined || token.value === '') {
      throw new UsageError(`${token.rawName} needs a value`, known);
    }
    if (spec.choices && !spec.choices.includes(token.value)) {
      throw new UsageError(`unknown ${token.name} '${token.value}' (use ${oneOf(spec.choices)})`, known);
    }
    const problem = spec.check?.(token.value);
    if (problem) {
      throw new UsageError(problem, known);
    }
    values.set(token.name, token.value);
  }
  const given = positionals.slice(1).map((p) => p.value);
  if (given.length < operandNames.length) {
    throw new UsageError(`missing ${operandNames.slice(given.length).map((o) => `<${o}>`).join(' ')}`, known);
  }
  if (given.length > operandNames.length + 1) {
    throw new UsageError(`unexpected argument '${given[operandNames.length + 1]}'`, known);
  }
  return { kind: 'run', command: known, args: { dir: given[operandNames.length] ?? '.', operands: given.slice(0, operandNames.length), options: values } };
}

function optionLine(name: string, spec: OptionSpec, choices = spec.choices, note = ''): string {
  const head = `--${name}${choices ? ` ${choices.join('|')}` : spec.value ? ` ${spec.value}` : ''}`;
  return `  ${head.padEnd(28)} ${spec.help}${note}`;
}

const HELP_LINES = ['  -h, --help                   Show this help (after a command: its options)', '  -v, --version                Show the version'];

const EXIT_CODES = 'Exit codes: 0 no errors, 1 errors found, 2 usage or environment error, 130 interrupted, 141 output closed early (| head).';

/**
 * The help of the whole tool, from the table: the commands, then the
 * options grouped by the commands that take them (a value only some of them
 * accept is named with them).
 */
export function usage(commands: CommandTable): string {
  const all = Object.keys(commands);
  const options = new Map<string, { spec: OptionSpec; commands: string[]; choices: Map<string, string[]> }>();
  for (const [command, c] of Object.entries(commands)) {
    for (const [name, spec] of Object.entries(c.options)) {
      const option = options.get(name) ?? { spec, commands: [], choices: new Map<string, string[]>() };
      option.commands.push(command);
      for (const choice of spec.choices ?? []) {
        option.choices.set(choice, [...(option.choices.get(choice) ?? []), command]);
      }
      options.set(name, option);
    }
  }
  const groups = new Map<string, string[]>();
  for (const [name, o] of options) {
    const byTakers = new Map<string, string[]>();
    for (const [choice, taking] of o.choices) {
      if (taking.length < o.commands.length) {
        byTakers.set(taking.join(', '), [...(byTakers.get(taking.join(', ')) ?? []), choice]);
      }
    }
    const rare = [...byTakers].map(([taking, choices]) => `${choices.join(', ')} only for ${taking}`);
    const line = optionLine(name, o.spec, o.spec.choices && [...o.choices.keys()], rare.length > 0 ? ` (${rare.join('; ')})` : '');
    const group = o.commands.length === all.length ? '' : o.commands.join(', ');
    groups.set(group, [...(groups.get(group) ?? []), line]);
  }
  const sections = [...groups].filter(([group]) => group !== '').flatMap(([group, lines]) => ['', `Options of ${group}:`, ...lines]);
  return [
    'Usage: resty-build <command> [dir] [options]',
    '',
    'Commands:',
    ...Object.entries(commands).map(([name, c]) => `  ${`${name}${(c.operands ?? []).map((o) => ` <${o}>`).join('')}`.padEnd(17)} ${c.summary}`),
    '',
    'dir defaults to the current folder.',
    '',
    'Options:',
    ...(groups.get('') ?? []),
    ...HELP_LINES,
    ...sections,
    '',
    EXIT_CODES,
  ].join('\n');
}

/** The help of one command: what it does and exactly the options it takes. */
export function commandUsage(name: string, command: CommandSpec): string {
  return [
    `Usage: resty-build ${name}${(command.operands ?? []).map((o) => ` <${o}>`).join('')} ${command.operand ?? '[dir]'} [options]`,
    '',
    `${command.summary}. ${command.operand === '[dir|file]' ? 'dir (or file) defaults' : 'dir defaults'} to the current folder.`,
    '',
    'Options:',
    ...Object.entries(command.options).map(([option, spec]) => optionLine(option, spec)),
    ...HELP_LINES,
    '',
    EXIT_CODES,
  ].join('\n');
}
