import * as fs from 'node:fs';
import * as path from 'node:path';
import { performance } from 'node:perf_hooks';
import { SymbolInformation } from 'vscode-languageserver-protocol/node';
import { fileUri, startServer } from '../helpers/lspClient';
import { tempCopy } from '../helpers/paths';
import { chooseKind, Corpus, mutate, Rng } from './mutate';

export interface LspFuzzReport {
  cases: number;
  seed: number;
  /** Requests that failed or did not answer within the client's timeout. */
  unanswered: number;
  maxMs: number;
  failures: string[];
  serverAlive: boolean;
}

const REQUESTS = ['textDocument/hover', 'textDocument/documentSymbol', 'textDocument/completion', 'textDocument/definition', 'textDocument/documentLink', 'textDocument/codeAction'];

/**
 * The server over stdio: random and mutated texts through didOpen and
 * didChange, each followed by a request that must be answered (a result or
 * an error response, never silence), and a final request proving the
 * server is still up.
 */
export async function runLspFuzz(corpus: Corpus, options: { cases: number; seed: number }): Promise<LspFuzzReport> {
  const tmp = tempCopy('lsp-embedding');
  const client = await startServer(tmp.dir);
  const report: LspFuzzReport = { cases: 0, seed: options.seed, unanswered: 0, maxMs: 0, failures: [], serverAlive: false };
  try {
    const file = path.join(tmp.dir, 'lib', 'fuzz.lua');
    fs.writeFileSync(file, 'return {}\n');
    const uri = fileUri(file);
    await client.open(uri, 'return {}\n');
    let version = 1;
    for (let i = 0; i < options.cases; i++) {
      const rng = new Rng((options.seed * 7919 + i) >>> 0);
      const kind = chooseKind(rng);
      // The server's path is exercised by the core fuzz at scale; over LSP keep texts small.
      const text = kind === 'deep-nesting' || kind === 'huge-literal' || kind === 'many-requires' ? mutate(rng, '', 'deep-nesting', '') : mutate(rng, rng.pick(corpus.lua), kind, rng.pick(corpus.lua));
      if (rng.next() < 0.1) {
        await client.notify('textDocument/didClose', { textDocument: { uri } });
        await client.open(uri, text);
        version = 1;
      } else {
        await client.notify('textDocument/didChange', { textDocument: { uri, version: ++version }, contentChanges: [{ text }] });
      }
      const lines = text.split(/\r\n|\r|\n/);
      const line = rng.int(lines.length + 2);
      const position = { line, character: rng.int((lines[line]?.length ?? 0) + 3) };
      const method = rng.pick(REQUESTS);
      const params =
        method === 'textDocument/codeAction'
          ? { textDocument: { uri }, range: { start: position, end: position }, context: { diagnostics: [] } }
          : method === 'textDocument/documentSymbol' || method === 'textDocument/documentLink'
            ? { textDocument: { uri } }
            : { textDocument: { uri }, position };
      const t0 = performance.now();
      try {
        await client.request(method, params);
      } catch (err) {
        // An error response is an answer; a timeout (the helper's 10 s) is not.
        if (/timed out/.test(String(err))) {
          report.unanswered++;
          report.failures.push(`case ${i} (${kind}, ${method}): ${String(err).split('\n')[0]}`);
        }
      }
      report.maxMs = Math.max(report.maxMs, Math.round(performance.now() - t0));
      report.cases++;
    }
    // A failing handler answers [] as well: only a real answer (the fixture's entry module) shows the server is fine.
    const symbols = await client.request<SymbolInformation[]>('workspace/symbol', { query: 'app.main' });
    report.serverAlive = symbols.some((s) => s.name === 'app.main' && s.location.uri === fileUri(path.join(tmp.dir, 'lib', 'app', 'main.lua')));
  } finally {
    await client.stop().catch(() => undefined);
    tmp.cleanup();
  }
  return report;
}
