// Latency benchmark for cross-module navigation (not a test).
//
//   npx tsx bench/navigation.ts [dir]      (npm run build first: it starts dist/server.js)
//
// Generates a synthetic OpenResty workspace (MODULES modules, default 5000, each
// requiring two others and exporting documented functions) in `dir` (kept) or in
// a temp folder (removed), starts the language server over stdio, and reports
// p50/p95 of definition, hover and completion over a few hundred requests.
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { fileUri, startServer } from '../test/helpers/lspClient';

const MODULES = Number(process.env.MODULES ?? 5000);
const REQUESTS = Number(process.env.REQUESTS ?? 300);
const FUNCTIONS = 6;

function moduleSource(i: number): string {
  const a = (i * 7 + 1) % MODULES;
  const b = (i * 13 + 5) % MODULES;
  const lines = [`local dep_a = require "app.m${Math.floor(a / 100)}.mod${a}"`, `local ok, dep_b = pcall(require, "app.m${Math.floor(b / 100)}.mod${b}")`, '', 'local _M = { _VERSION = "0.1" }', ''];
  for (let f = 0; f < FUNCTIONS; f++) {
    lines.push(`--- Function ${f} of module ${i}.`, `-- @param x input`, `function _M.fn${f}(x, opts)`, `  local y = dep_a.fn${(f + 1) % FUNCTIONS}(x)`, `  if ok then y = dep_b.fn${(f + 2) % FUNCTIONS}(y, opts) end`, '  return y', 'end', '');
  }
  lines.push('return _M', '');
  return lines.join('\n');
}

/** Line of `dep_a.fnK(` inside function f: header is 5 lines, each function 8 lines, the call is its 4th line. */
const callLine = (f: number) => 5 + f * 8 + 3;

function percentile(sorted: number[], p: number): number {
  return sorted[Math.min(sorted.length - 1, Math.floor((p / 100) * sorted.length))];
}

async function main(): Promise<void> {
  const given = process.argv[2];
  const dir = given ? path.resolve(given) : fs.mkdtempSync(path.join(os.tmpdir(), 'resty-build-bench-'));
  let t0 = Date.now();
  for (let i = 0; i < MODULES; i++) {
    const file = path.join(dir, 'lib', 'app', `m${Math.floor(i / 100)}`, `mod${i}.lua`);
    fs.mkdirSync(path.dirname(file), { recursive: true });
    fs.writeFileSync(file, moduleSource(i));
  }
  fs.writeFileSync(path.join(dir, 'resty-build.json'), JSON.stringify({ profile: 'openresty', path: ['lib/?.lua', 'lib/?/init.lua'], embed: ['app.m0.mod0'] }, null, 2));
  console.log(`generated ${MODULES} modules in ${dir} (${Date.now() - t0} ms)`);

  t0 = Date.now();
  const client = await startServer(dir);
  const fileOf = (i: number) => fileUri(path.join(dir, 'lib', 'app', `m${Math.floor(i / 100)}`, `mod${i}.lua`));
  // The first request waits for the start-up analysis (diagnostics of every file).
  await client.request('textDocument/hover', { textDocument: { uri: fileOf(0) }, position: { line: 0, character: 30 } });
  console.log(`server ready and first answer after ${Date.now() - t0} ms`);

  let seed = 42;
  const rand = (n: number) => {
    seed = (seed * 1103515245 + 12345) & 0x7fffffff;
    return seed % n;
  };
  const results: Record<string, number[]> = { definition: [], hover: [], completion: [] };
  for (let k = 0; k < REQUESTS; k++) {
    const i = rand(MODULES);
    const f = rand(FUNCTIONS);
    const uri = fileOf(i);
    // `  local y = dep_a.fnK(x)`: the member name starts at column 18, the alias at 12.
    const member = { textDocument: { uri }, position: { line: callLine(f), character: 19 } };
    const afterDot = { textDocument: { uri }, position: { line: callLine(f), character: 18 } };
    for (const [name, method, params] of [
      ['definition', 'textDocument/definition', member],
      ['hover', 'textDocument/hover', member],
      ['completion', 'textDocument/completion', afterDot],
    ] as const) {
      const start = process.hrtime.bigint();
      const answer = await client.request<unknown>(method, params);
      results[name].push(Number(process.hrtime.bigint() - start) / 1e6);
      if (answer === null || (Array.isArray(answer) && answer.length === 0)) {
        throw new Error(`${method} gave nothing at ${uri} ${JSON.stringify(params.position)}`);
      }
    }
  }
  // Workspace-wide requests: fewer of them, they visit every file.
  results.references = [];
  results.workspaceSymbol = [];
  for (let k = 0; k < 20; k++) {
    const i = rand(MODULES);
    let start = process.hrtime.bigint();
    await client.request('textDocument/references', { textDocument: { uri: fileOf(i) }, position: { line: 7, character: 13 }, context: { includeDeclaration: true } });
    results.references.push(Number(process.hrtime.bigint() - start) / 1e6);
    start = process.hrtime.bigint();
    await client.request('workspace/symbol', { query: `mod${i}` });
    results.workspaceSymbol.push(Number(process.hrtime.bigint() - start) / 1e6);
  }
  await client.stop();
  console.log(`${REQUESTS} definition/hover/completion requests (most files visited for the first time), 20 references/workspace-symbol requests:`);
  for (const [name, times] of Object.entries(results)) {
    const sorted = [...times].sort((a, b) => a - b);
    console.log(`  ${name.padEnd(16)} p50 ${percentile(sorted, 50).toFixed(2)} ms   p95 ${percentile(sorted, 95).toFixed(2)} ms   max ${sorted[sorted.length - 1].toFixed(2)} ms`);
  }
  if (!given) {
    fs.rmSync(dir, { recursive: true, force: true });
  }
}

main().catch((err) => {
  console.error(err);
  process.exit(1);
});
