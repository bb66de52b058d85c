// A worker thread of the initial analysis: reads and parses a batch of
// files (the CPU-heavy part) so the main thread stays free for the editor.
import * as fs from 'node:fs';
import { parentPort } from 'node:worker_threads';
import { parseSyntax } from './core/lua/luaFile';
import { scanAndCheck } from './core/lua/syntaxCheck';
import { lineStarts } from './core/types';
import { AnalysisRequest, AnalysisResult, FileAnalysis } from './analysisPool';

function analyse(file: string): FileAnalysis | undefined {
  try {
    // One open, one fstat, one read: the stamp and the text come from the same file.
    const fd = fs.openSync(file, 'r');
    let st: fs.Stats;
    let text: string;
    try {
      st = fs.fstatSync(fd);
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
    return {
      file,
      stamp: `${st.size}:${st.mtimeMs}:${st.ino}`,
      scan,
      syntax: parseSyntax(text, scan.binaryNumbers, surelyValid) ?? null,
      lines: { starts: lineStarts(text), length: text.length },
    };
  } catch {
    // Gone or unreadable: the main thread will find out on its own.
    return undefined;
  }
}

parentPort?.on('message', (request: AnalysisRequest) => {
  const results: FileAnalysis[] = [];
  for (const file of request.files) {
    const r = analyse(file);
    if (r) {
      results.push(r);
    }
  }
  const reply: AnalysisResult = { id: request.id, results };
  // The line starts are handed over, not copied.
  parentPort!.postMessage(
    reply,
    results.map((r) => r.lines.starts.buffer as ArrayBuffer),
  );
});
