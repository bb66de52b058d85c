import * as fs from 'node:fs';
import { MAX_INPUT_BYTES } from './core/fs';
import { LUA52_LUAJIT, parseSyntax } from './core/lua/luaFile';
import { scanAndCheck } from './core/lua/syntaxCheck';
import { lineStarts } from './core/types';
import { FileAnalysis } from './analysisPool';

/**
 * The facts of one Lua file on disk, as the store keeps them: what a worker
 * thread computes for each file of its batch, and the main thread for the
 * few files it analyses itself. Undefined when the file is gone or
 * unreadable: the analysis then finds out on its own.
 */
export function analyseFile(file: string): FileAnalysis | undefined {
  try {
    // One open, one fstat, one read: the stamp and the text come from the same file.
    // Non-blocking: a file swapped for a FIFO since the folder walk must not hang the thread.
    const fd = fs.openSync(file, fs.constants.O_RDONLY | fs.constants.O_NONBLOCK);
    let st: fs.Stats;
    let text: string;
    try {
      st = fs.fstatSync(fd);
      if (!st.isFile() || st.size > MAX_INPUT_BYTES) {
        return undefined;
      }
      const buffer = Buffer.allocUnsafe(st.size);
      let read = 0;
      while (read < st.size) {
        const n = fs.readSync(fd, buffer, read, st.size - read, read);
        if (n === 0) {
          break;
        }
        read += n;
      }
      text = buffer.toString('utf8', 0, read);
    } finally {
      fs.closeSync(fd);
    }
    const { scan, surelyValid } = scanAndCheck(text);
    const syntax = parseSyntax(text, scan.binaryNumbers, surelyValid) ?? null;
    const result: FileAnalysis = { file, stamp: `${st.size}:${st.mtimeMs}:${st.ino}`, scan, syntax, lines: { starts: lineStarts(text), length: text.length } };
    if ((syntax !== null && !syntax.skipped) || scan.usesGoto) {
      // Judged here, in parallel, rather than on the main thread when a check asks.
      result.syntax52 = parseSyntax(text, scan.binaryNumbers, false, LUA52_LUAJIT) ?? null;
    }
    return result;
  } catch {
    return undefined;
  }
}
