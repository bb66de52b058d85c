import { childProcess } from '../lazyBuiltins';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { readCacheFile, writeCacheFile } from '../userCache';
import { findExecutable } from './tool';

/**
 * A LuaJIT built with LUAJIT_ENABLE_LUA52COMPAT (OpenResty's) has
 * `table.pack`; a plain one (Debian's luajit2) does not. The same build flag
 * removes the "ambiguous syntax (function call x new statement)" error, so
 * asking the binary tells which syntax verdict applies.
 */
const PROBE = "io.write(table.pack and 'lua52compat' or 'plain')";

/** Answers by executable, modification time, size and inode: a rebuilt binary is asked again. */
const answers = new Map<string, boolean | undefined>();

/** The answers kept across runs in the user's cache: each `check` would otherwise start a LuaJIT to ask. */
const STORED_ANSWERS = 'luajit-dialects.json';
const MAX_STORED_BYTES = 64 * 1024;
const MAX_STORED_ANSWERS = 64;

/**
 * Runs `<command> -e <probe>` (synchronously: once per executable and
 * process, a few milliseconds) and says whether it is 5.2-compatible;
 * undefined when it cannot be run or does not answer like LuaJIT. With
 * `cacheDir` (the user's cache folder) a definite answer is kept there for
 * the next run, keyed by the same stamp.
 */
export function detectLua52Compat(command: string, cwd: string, env: NodeJS.ProcessEnv = process.env, cacheDir?: string): boolean | undefined {
  const exe = findExecutable(command, env, cwd);
  if (!exe) {
    return undefined;
  }
  let key: string;
  try {
    const st = fs.statSync(exe);
    key = `${exe}\0${st.mtimeMs}\0${st.size}\0${st.ino}`;
  } catch {
    return undefined;
  }
  if (answers.has(key)) {
    return answers.get(key);
  }
  const file = cacheDir === undefined ? undefined : path.join(cacheDir, STORED_ANSWERS);
  const stored = file === undefined ? {} : readStoredAnswers(file);
  if (typeof stored[key] === 'boolean') {
    answers.set(key, stored[key]);
    return stored[key];
  }
  const run = childProcess().spawnSync(exe, ['-e', PROBE], { cwd, env, encoding: 'utf8', timeout: 5000, stdio: ['ignore', 'pipe', 'ignore'] });
  const answer = run.status === 0 && run.stdout === 'lua52compat' ? true : run.status === 0 && run.stdout === 'plain' ? false : undefined;
  answers.set(key, answer);
  if (file !== undefined && answer !== undefined) {
    writeStoredAnswers(file, { ...stored, [key]: answer });
  }
  return answer;
}

/** The stored answers; none when the file is missing, not a regular file, too large or not what this module writes. */
function readStoredAnswers(file: string): Record<string, boolean> {
  try {
    const data: unknown = JSON.parse(readCacheFile(file, MAX_STORED_BYTES)?.toString('utf8') ?? '{}');
    if (typeof data !== 'object' || data === null || Array.isArray(data)) {
      return {};
    }
    return Object.fromEntries(Object.entries(data).filter((e): e is [string, boolean] => typeof e[1] === 'boolean'));
  } catch {
    return {};
  }
}

/** The newest answers kept; a cache that cannot be written is no error. */
function writeStoredAnswers(file: string, all: Record<string, boolean>): void {
  writeCacheFile(file, JSON.stringify(Object.fromEntries(Object.entries(all).slice(-MAX_STORED_ANSWERS))));
}
