import { BuildEnvironmentError, findExecutable, runTool } from './tool';

/**
 * `luajit -n` turns every '-' of a name into '_', but LuaJIT's loader keeps
 * the '-'s after the first one (`app.limit-count.sliding-window` is looked
 * up as luaJIT_BC_count_sliding-window). Such an object gets its symbol
 * renamed after compiling, with binutils' `objcopy --redefine-sym`, which
 * rewrites the ELF symbol table and nothing else.
 */
export interface SymbolRename {
  from: string;
  to: string;
}

/** The objcopy to use: `$OBJCOPY`, else `objcopy` on PATH; a clear error when there is none. */
export function findObjcopy(env: NodeJS.ProcessEnv = process.env): string {
  const named = env.OBJCOPY || 'objcopy';
  const found = findExecutable(named, env);
  if (!found) {
    throw new BuildEnvironmentError(
      `'${named}' not found${named.includes('/') ? '' : ' on PATH'}: a module whose name keeps a '-' after its first one needs its bytecode symbol renamed with objcopy (Debian: apt-get install binutils, or set $OBJCOPY).`,
    );
  }
  return found;
}

/** Renames one symbol of an object in place; resolves to an error message, or undefined when it worked. */
export async function renameSymbol(objcopy: string, object: string, rename: SymbolRename, options: { signal?: AbortSignal; timeoutMs?: number } = {}): Promise<string | undefined> {
  const result = await runTool(objcopy, [`--redefine-sym=${rename.from}=${rename.to}`, object], { timeoutMs: options.timeoutMs ?? 60_000, signal: options.signal });
  if (result.aborted) {
    return 'cancelled';
  }
  if (result.code !== 0) {
    const why = result.timedOut ? 'timed out' : result.stderr.trim().split('\n')[0] || `exit ${result.code ?? result.signal}`;
    return `${objcopy} --redefine-sym ${rename.from}=${rename.to} failed: ${why}`;
  }
  return undefined;
}
