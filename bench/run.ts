// `npm run bench [-- <dir>]`: measures resty-build on generated workspaces
// (1k, 5k, 10k modules) or on a real tree, side by side with luaparse.
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import * as luaparse from 'luaparse';
import { generateWorkspace, GeneratedWorkspace, IdiomProbe } from './generate';
import { initialize, LspSession, startSession, uriOf } from './lspSession';
import { fmtMs, markdownTable, percentile } from './stats';

const repo = path.resolve(__dirname, '..');
const serverJs = path.join(repo, 'dist', 'server.js');

interface Probe {
  file: string;
  /** A line offset and character inside a require string and on a member use, for navigation requests. */
  requirePosition?: { line: number; character: number };
  memberPosition?: { line: number; character: number };
}

interface Result {
  name: string;
  files: number;
  megabytes: number;
  baselineParseMs: number;
  coldAllMs: number;
  /** The same, started again with the facts stored by the first start. */
  warmAllMs: number;
  firstOpenMs: number;
  editP50: number;
  editP95: number;
  definitionP50: number;
  definitionP95: number;
  hoverP50: number;
  hoverP95: number;
  completionP50: number;
  completionP95: number;
  referencesP50: number;
  referencesP95: number;
  /** Through facades, re-exports, require("m").member and locals bound to members (generated workspaces). */
  idiomDefinitionP50: number;
  idiomDefinitionP95: number;
  idiomReferencesP50: number;
  idiomReferencesP95: number;
  /** How many uses the idiom references request finds. */
  idiomReferenceCount: number;
  peakRssMiB: number;
}

function listLua(dir: string, out: string[] = []): string[] {
  for (const e of fs.readdirSync(dir, { withFileTypes: true })) {
    if (e.name === 'node_modules' || e.name.startsWith('.')) {
      continue;
    }
    const p = path.join(dir, e.name);
    if (e.isDirectory()) {
      listLua(p, out);
    } else if (e.isFile() && e.name.endsWith('.lua')) {
      out.push(p);
    }
  }
  return out;
}

/** The baseline: luaparse (LuaJIT dialect, locations on) parsing every file once, in this process. */
function baseline(files: string[]): number {
  const texts = files.map((f) => fs.readFileSync(f, 'utf8'));
  const start = performance.now();
  for (const text of texts) {
    try {
      luaparse.parse(text, { luaVersion: 'LuaJIT', locations: true, ranges: true });
    } catch {
      // syntax errors count as parsed
    }
  }
  return performance.now() - start;
}

function findProbe(files: string[], generated?: GeneratedWorkspace): Probe {
  const file = generated?.probe.file ?? files.find((f) => /require\s*\(?\s*["']/.test(fs.readFileSync(f, 'utf8'))) ?? files[0];
  const lines = fs.readFileSync(file, 'utf8').split('\n');
  const probe: Probe = { file };
  for (let i = 0; i < lines.length; i++) {
    const m = /require\s*\(?\s*["']([^"']+)/.exec(lines[i]);
    if (m && !probe.requirePosition) {
      probe.requirePosition = { line: i, character: m.index + m[0].length - 1 };
    }
    const alias = /^local (\w+) = require/.exec(lines[i]);
    if (alias && !probe.memberPosition) {
      for (let j = i + 1; j < lines.length; j++) {
        const use = lines[j].indexOf(`${alias[1]}.`);
        if (use >= 0) {
          probe.memberPosition = { line: j, character: use + alias[1].length + 2 };
          break;
        }
      }
    }
  }
  return probe;
}

async function timeRequests(session: LspSession, method: string, params: () => unknown, count: number): Promise<number[]> {
  const times: number[] = [];
  for (let i = 0; i < count; i++) {
    const start = performance.now();
    await session.connection.sendRequest(method, params());
    times.push(performance.now() - start);
  }
  return times;
}

async function measure(name: string, root: string, generated?: GeneratedWorkspace): Promise<Result> {
  const files = listLua(root);
  const megabytes = files.reduce((n, f) => n + fs.statSync(f).size, 0) / 1e6;
  const probe = findProbe(files, generated);
  const probeUri = uriOf(probe.file);
  const probeText = fs.readFileSync(probe.file, 'utf8');
  process.stderr.write(`[${name}] ${files.length} files, ${megabytes.toFixed(1)} MB\n`);

  const baselineParseMs = baseline(files);
  process.stderr.write(`[${name}] luaparse baseline ${fmtMs(baselineParseMs)}\n`);

  // Stored facts go to a folder of this run: the first start below finds none.
  const storageDir = fs.mkdtempSync(path.join(os.tmpdir(), 'resty-build-bench-store-'));
  const noStore = { factsCache: false };

  // First diagnostics of one open file, from the initialized notification.
  let session = startSession(serverJs);
  const brokenText = probeText + '\nlocal broken = require "app.bench.missing"\n';
  const firstPublish = session.nextPublish(probeUri, (d) => d.length > 0);
  const t0 = await initialize(session, root, noStore);
  await session.connection.sendNotification('textDocument/didOpen', { textDocument: { uri: probeUri, languageId: 'lua', version: 1, text: brokenText } });
  const firstOpenMs = (await firstPublish) - t0;
  await session.stop();
  process.stderr.write(`[${name}] first diagnostics of an open file ${fmtMs(firstOpenMs)}\n`);

  // Cold start to every workspace diagnostic published; then a restart that finds the stored facts.
  const startToReady = async (): Promise<number> => {
    const spawnAt = performance.now();
    const s = startSession(serverJs);
    const ready = s.nextReady();
    await initialize(s, root, { storageDir });
    const ms = (await ready) - spawnAt;
    session = s;
    return ms;
  };
  const coldAllMs = await startToReady();
  process.stderr.write(`[${name}] cold start to all diagnostics ${fmtMs(coldAllMs)}\n`);
  await session.stop();
  const warmAllMs = await startToReady();
  process.stderr.write(`[${name}] restart with stored facts ${fmtMs(warmAllMs)}\n`);
  fs.rmSync(storageDir, { recursive: true, force: true });

  // Incremental edits: add / remove a require, break / fix the syntax.
  await session.connection.sendNotification('textDocument/didOpen', { textDocument: { uri: probeUri, languageId: 'lua', version: 1, text: probeText } });
  const edits = [
    probeText + '\nlocal extra = require "app.bench.nothere"\n',
    probeText,
    probeText + '\nlocal x = = 1\n',
    probeText,
  ];
  const editTimes: number[] = [];
  let version = 1;
  let previous = JSON.stringify(null);
  for (let i = 0; i < 200; i++) {
    const text = edits[i % edits.length];
    const expectErrors = text !== probeText;
    const published = session.nextPublish(probeUri, (d) => (expectErrors ? d.length > 0 : JSON.stringify(d) !== previous || true));
    const start = performance.now();
    await session.connection.sendNotification('textDocument/didChange', {
      textDocument: { uri: probeUri, version: ++version },
      contentChanges: [{ text }],
    });
    const at = await Promise.race([published, new Promise<number>((r) => setTimeout(() => r(NaN), 5000))]);
    editTimes.push(at - start);
    previous = JSON.stringify(expectErrors);
  }
  await session.connection.sendNotification('textDocument/didChange', { textDocument: { uri: probeUri, version: ++version }, contentChanges: [{ text: probeText }] });

  const caps = ['definition', 'hover', 'completion', 'references'];
  const latency: Record<string, number[]> = {};
  for (const method of caps) {
    const position = method === 'definition' || method === 'hover' || method === 'references' ? (probe.memberPosition ?? probe.requirePosition) : probe.memberPosition;
    if (!position) {
      latency[method] = [];
      continue;
    }
    try {
      latency[method] = await timeRequests(
        session,
        `textDocument/${method}`,
        () => ({ textDocument: { uri: probeUri }, position, context: { includeDeclaration: true } }),
        300,
      );
    } catch {
      latency[method] = [];
    }
  }
  const idioms = generated?.idioms ? await measureIdioms(session, generated.idioms) : undefined;
  const peakRssMiB = session.peakRssMiB();
  await session.stop();

  const finite = (xs: number[]) => xs.filter(Number.isFinite);
  return {
    name,
    files: files.length,
    megabytes,
    baselineParseMs,
    coldAllMs,
    warmAllMs,
    firstOpenMs,
    editP50: percentile(finite(editTimes), 50),
    editP95: percentile(finite(editTimes), 95),
    definitionP50: percentile(latency.definition, 50),
    definitionP95: percentile(latency.definition, 95),
    hoverP50: percentile(latency.hover, 50),
    hoverP95: percentile(latency.hover, 95),
    completionP50: percentile(latency.completion, 50),
    completionP95: percentile(latency.completion, 95),
    referencesP50: percentile(latency.references, 50),
    referencesP95: percentile(latency.references, 95),
    idiomDefinitionP50: percentile(idioms?.definition ?? [], 50),
    idiomDefinitionP95: percentile(idioms?.definition ?? [], 95),
    idiomReferencesP50: percentile(idioms?.references ?? [], 50),
    idiomReferencesP95: percentile(idioms?.references ?? [], 95),
    idiomReferenceCount: idioms?.referenceCount ?? NaN,
    peakRssMiB,
  };
}

/**
 * Definition through each idiom (300 requests, the positions in turn) and
 * references of a function reached through all of them (100 requests), from
 * the open idiom module. Each definition must find its target: a fast
 * "nothing" would measure nothing.
 */
async function measureIdioms(session: LspSession, probe: IdiomProbe): Promise<{ definition: number[]; references: number[]; referenceCount: number }> {
  const { file, definitions, references } = probe;
  const textDocument = { uri: uriOf(file) };
  // Navigation starts in the editor: the file is open.
  await session.connection.sendNotification('textDocument/didOpen', { textDocument: { ...textDocument, languageId: 'lua', version: 1, text: fs.readFileSync(file, 'utf8') } });
  for (const d of definitions) {
    const found = await session.connection.sendRequest('textDocument/definition', { textDocument, position: d });
    if (!found) {
      throw new Error(`no definition through the idiom "${d.what}" at ${file}:${d.line + 1}:${d.character + 1}`);
    }
  }
  let k = 0;
  const definition = await timeRequests(session, 'textDocument/definition', () => ({ textDocument, position: definitions[k++ % definitions.length] }), 300);
  const params = { textDocument, position: references, context: { includeDeclaration: true } };
  const found = (await session.connection.sendRequest('textDocument/references', params)) as unknown[] | null;
  const referencesTimes = await timeRequests(session, 'textDocument/references', () => params, 100);
  return { definition, references: referencesTimes, referenceCount: found?.length ?? 0 };
}

function report(results: Result[]): string {
  const header = [
    'workspace',
    'files (MB)',
    'luaparse baseline',
    'cold: all diagnostics',
    'ratio',
    'restart (stored facts)',
    'first open-file diagnostics',
    'edit p50 / p95',
    'definition p50 / p95',
    'hover p50 / p95',
    'completion p50 / p95',
    'references p50 / p95',
    'idioms: definition p50 / p95',
    'idioms: references p50 / p95 (uses)',
    'peak RSS',
  ];
  const rows = results.map((r) => [
    r.name,
    `${r.files} (${r.megabytes.toFixed(1)})`,
    fmtMs(r.baselineParseMs),
    fmtMs(r.coldAllMs),
    `${(r.coldAllMs / r.baselineParseMs).toFixed(2)}x`,
    fmtMs(r.warmAllMs),
    fmtMs(r.firstOpenMs),
    `${fmtMs(r.editP50)} / ${fmtMs(r.editP95)}`,
    `${fmtMs(r.definitionP50)} / ${fmtMs(r.definitionP95)}`,
    `${fmtMs(r.hoverP50)} / ${fmtMs(r.hoverP95)}`,
    `${fmtMs(r.completionP50)} / ${fmtMs(r.completionP95)}`,
    `${fmtMs(r.referencesP50)} / ${fmtMs(r.referencesP95)}`,
    `${fmtMs(r.idiomDefinitionP50)} / ${fmtMs(r.idiomDefinitionP95)}`,
    Number.isFinite(r.idiomReferenceCount) ? `${fmtMs(r.idiomReferencesP50)} / ${fmtMs(r.idiomReferencesP95)} (${r.idiomReferenceCount})` : 'n/a',
    `${r.peakRssMiB.toFixed(0)} MiB`,
  ]);
  return markdownTable(header, rows);
}

async function main(): Promise<void> {
  if (!fs.existsSync(serverJs)) {
    console.error('dist/server.js is missing: run npm run build');
    process.exit(2);
  }
  const args = process.argv.slice(2);
  const results: Result[] = [];
  if (args.length > 0 && !/^\d+$/.test(args[0])) {
    const dir = path.resolve(args[0]);
    results.push(await measure(path.basename(dir), dir));
  } else {
    const sizes = args.length > 0 ? args.map(Number) : [1000, 5000, 10000];
    const base = fs.mkdtempSync(path.join(os.tmpdir(), 'resty-build-bench-'));
    try {
      for (const size of sizes) {
        const generated = generateWorkspace(path.join(base, `ws${size}`), size, { idioms: true });
        results.push(await measure(`generated ${size / 1000}k`, generated.root, generated));
      }
    } finally {
      fs.rmSync(base, { recursive: true, force: true });
    }
  }
  const machine = `${os.cpus().length} × ${os.cpus()[0]?.model ?? 'cpu'}, ${(os.totalmem() / 2 ** 30).toFixed(0)} GiB, Node ${process.version}, ${os.platform()} ${os.release()}`;
  const table = report(results);
  console.log(`\nMachine: ${machine}\n\n${table}\n`);
  const outDir = path.join(repo, 'bench-results');
  fs.mkdirSync(outDir, { recursive: true });
  fs.writeFileSync(path.join(outDir, 'lsp.json'), JSON.stringify({ date: new Date().toISOString(), machine, results }, null, 2) + '\n');
  fs.writeFileSync(path.join(outDir, 'lsp.md'), `Machine: ${machine}\n\n${table}\n`);
}

main().catch((err) => {
  console.error(err);
  process.exit(1);
});
