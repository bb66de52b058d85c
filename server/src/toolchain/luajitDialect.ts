import { spawnSync } from 'node:child_process';
import * as fs from 'node:fs';
import { findExecutable } from './tool';

/**
 * A LuaJIT built with LUAJIT_ENABLE_LUA52COMPAT (OpenResty's) has
 * `table.pack`; a plain one (Debian's luajit2) does not. The same build flag
 * removes the "ambiguous syntax (function call x new statement)" error, so
 * asking the binary tells which syntax verdict applies.
 */
const PROBE = "io.write(table.pack and 'lua52compat' or 'plain')";

/** Answers by executable and its modification time: a rebuilt binary is asked again. */
const answers = new Map<string, boolean | undefined>();

/**
 * Runs `<command> -e <probe>` (synchronously: once per executable and
 * process, a few milliseconds) and says whether it is 5.2-compatible;
 * undefined when it cannot be run or does not answer like LuaJIT.
 */
export function detectLua52Compat(command: string, cwd: string, env: NodeJS.ProcessEnv = process.env): boolean | undefined {
  const exe = findExecutable(command, env, cwd);
  if (!exe) {
    return undefined;
  }
  let key: string;
  try {
    key = `${exe}\0${fs.statSync(exe).mtimeMs}`;
  } catch {
    return undefined;
  }
  if (answers.has(key)) {
    return answers.get(key);
  }
  const run = spawnSync(exe, ['-e', PROBE], { cwd, env, encoding: 'utf8', timeout: 5000, stdio: ['ignore', 'pipe', 'ignore'] });
  const answer = run.status === 0 && run.stdout === 'lua52compat' ? true : run.status === 0 && run.stdout === 'plain' ? false : undefined;
  answers.set(key, answer);
  return answer;
}
