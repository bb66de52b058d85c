// A worker thread of the initial analysis: reads and parses a batch of
// files (the CPU-heavy part) so the main thread stays free for the editor.
import { parentPort } from 'node:worker_threads';
import { AnalysisRequest, AnalysisResult, FileAnalysis } from './analysisPool';
import { analyseFile } from './fileAnalysis';

parentPort?.on('message', (request: AnalysisRequest) => {
  const results: FileAnalysis[] = [];
  for (const file of request.files) {
    const r = analyseFile(file);
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
