import * as path from 'node:path';
import { LinkMode } from '../core/manifest/manifest';

/** The options of `compile`, `flags`, `verify` and `runtime`; parsed here so cli.ts only dispatches. */
export interface BuildArgs {
  command: 'compile' | 'flags' | 'verify' | 'runtime';
  dir: string;
  /** `dockerfile`: runtime only. */
  format: 'text' | 'json' | 'dockerfile';
  /** verify: audit this built nginx instead of linking a probe; runtime: list its libluajit. */
  nginx?: string;
  mode?: LinkMode;
  luajit?: string;
  jobs?: number;
  timeoutMs?: number;
  force: boolean;
  exportDynamic: boolean;
}

export const BUILD_COMMANDS = ['compile', 'flags', 'verify', 'runtime'] as const;

export const BUILD_USAGE = `  compile [dir]   Compile the embedded modules to LuaJIT bytecode objects in outDir
  flags [dir]     Print the nginx ./configure flags that link them (--mode objects|archive)
  verify [dir]    Compile, link a probe program like nginx and check every module is found;
                  with --nginx <binary>: audit that built nginx (exports, load test, FFI, versions, modules)
  runtime [dir]   List what the runtime image needs besides nginx (--format text|json|dockerfile)

Build options:
  --luajit <path>        The LuaJIT that compiles (default: "luajit.compiler" of resty-build.json)
  --mode objects|archive How flags and verify link the objects (default: "link.mode")
  --jobs <n>             Parallel luajit processes (default: CPU count)
  --timeout <seconds>    Limit per luajit run (default: 60)
  --force                Recompile everything
  --no-export-dynamic    verify: link the probe without -Wl,-E
  --nginx <binary>       verify: audit this nginx; runtime: also list the libluajit it links`;

export class BuildUsageError extends Error {}

/** The command name if argv asks for a build command, else undefined (another command's job). */
export function buildCommandOf(argv: readonly string[]): BuildArgs['command'] | undefined {
  const takesValue = new Set(['--format', '--luajit', '--mode', '--jobs', '--timeout', '--nginx']);
  for (let i = 0; i < argv.length; i++) {
    const a = argv[i];
    if (takesValue.has(a)) {
      i++;
    } else if (!a.startsWith('-')) {
      return (BUILD_COMMANDS as readonly string[]).includes(a) ? (a as BuildArgs['command']) : undefined;
    }
  }
  return undefined;
}

export function parseBuildArgs(argv: readonly string[]): BuildArgs | 'help' {
  const positional: string[] = [];
  const args: Omit<BuildArgs, 'command' | 'dir'> = { format: 'text', force: false, exportDynamic: true };
  for (let i = 0; i < argv.length; i++) {
    let arg = argv[i];
    let value: string | undefined;
    const eq = arg.indexOf('=');
    if (arg.startsWith('--') && eq > 0) {
      value = arg.slice(eq + 1);
      arg = arg.slice(0, eq);
    }
    const need = () => {
      const v = value ?? argv[++i];
      if (v === undefined || v === '') {
        throw new BuildUsageError(`${arg} needs a value`);
      }
      return v;
    };
    switch (arg) {
      case '-h':
      case '--help':
        return 'help';
      case '--format': {
        const v = need();
        if (v !== 'text' && v !== 'json' && v !== 'dockerfile') {
          throw new BuildUsageError(`unknown format '${v}' (use text or json${positional[0] === 'runtime' ? ' or dockerfile' : ''})`);
        }
        args.format = v;
        break;
      }
      case '--mode': {
        const v = need();
        if (v !== 'objects' && v !== 'archive') {
          throw new BuildUsageError(`unknown mode '${v}' (use objects or archive)`);
        }
        args.mode = v;
        break;
      }
      case '--luajit':
        // A bare name is looked up on PATH, like the manifest's "luajit.compiler".
        args.luajit = ((v) => (v.includes('/') ? path.resolve(v) : v))(need());
        break;
      case '--jobs': {
        const n = Number(need());
        if (!Number.isInteger(n) || n < 1) {
          throw new BuildUsageError('--jobs needs a whole number of at least 1');
        }
        args.jobs = n;
        break;
      }
      case '--timeout': {
        const s = Number(need());
        if (!(s > 0)) {
          throw new BuildUsageError('--timeout needs a number of seconds');
        }
        args.timeoutMs = s * 1000;
        break;
      }
      case '--force':
        args.force = true;
        break;
      case '--no-export-dynamic':
        args.exportDynamic = false;
        break;
      case '--nginx':
        args.nginx = path.resolve(need());
        break;
      default:
        if (arg.startsWith('-')) {
          throw new BuildUsageError(`unknown option '${arg}'`);
        }
        positional.push(arg);
    }
  }
  if (positional.length > 2) {
    throw new BuildUsageError(`unexpected argument '${positional[2]}'`);
  }
  if (args.format === 'dockerfile' && positional[0] !== 'runtime') {
    throw new BuildUsageError(`unknown format 'dockerfile' for ${positional[0]} (use text or json)`);
  }
  if (args.nginx !== undefined && positional[0] !== 'verify' && positional[0] !== 'runtime') {
    throw new BuildUsageError(`--nginx is an option of verify and runtime, not of ${positional[0]}`);
  }
  return { command: positional[0] as BuildArgs['command'], dir: positional[1] ?? '.', ...args };
}
