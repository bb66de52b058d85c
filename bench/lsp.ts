import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { GeneratedWorkspace, IdiomProbe } from './generate';
import { initialize, LspSession, startSession, uriOf } from './lspSession';
import { median, percentile } from './stats';

const serverJs = path.join(__dirname, '..', 'dist', 'server.js');

/** The server over LSP: cold start, restart from stored facts, and the latencies of a session; medians over `runs` starts. */
export interface LspResult {
  coldAllMs: number;
  /** The same, started again with the facts stored by the start before. */
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
  /** Through facades, re-exports, require("m").member and locals bound to members (generated workspaces; NaN elsewhere). */
  idiomDefinitionP50: number;
  idiomDefinitionP95: number;
  idiomReferencesP50: number;
  idiomReferencesP95: number;
  /** How many uses the idiom references request finds. */
  idiomReferenceCount: number;
  /** Peak RSS: the larger of the editing session's (a restart, 200 edits, 1200 requests) and a cold start's, its store written. */
  peakRssMiB: number;
  /** A cold start's alone, its store written (the store's JSON is the largest thing it writes). */
  coldPeakRssMiB: number;
}

interface Probe {
  file: string;
  /** A line offset and character inside a require string and on a member use, for navigation requests. */
  requirePosition?: { line: number; character: number };
  memberPosition?: { line: number; character: number };
}

function probeOf(file: string): Probe {
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

/** The generated probe, or the first file (in path order) with a require and a member use of its alias. */
function findProbe(files: string[], generated?: GeneratedWorkspace): Probe {
  if (generated) {
    return probeOf(generated.probe.file);
  }
  let fallback: Probe | undefined;
  for (const file of [...files].sort()) {
    const probe = probeOf(file);
    if (probe.requirePosition && probe.memberPosition) {
      return probe;
    }
    fallback ??= probe.requirePosition ? probe : undefined;
  }
  return fallback ?? { file: files[0] };
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

/**
 * First diagnostics of one open file, from the initialized notification,
 * without stored facts: a syntax error added to the file, which the file
 * alone shows (a require no loader finds waits for the whole analysis, as
 * another file may put it into package.loaded).
 */
async function firstOpenFile(root: string, probe: Probe): Promise<number> {
  const uri = uriOf(probe.file);
  const session = startSession(serverJs);
  const text = fs.readFileSync(probe.file, 'utf8') + '\nlocal broken = = 1\n';
  const published = session.nextPublish(uri, (d) => d.length > 0);
  const t0 = await initialize(session, root, { factsCache: false });
  await session.connection.sendNotification('textDocument/didOpen', { textDocument: { uri, languageId: 'lua', version: 1, text } });
  const ms = (await published) - t0;
  await session.stop();
  return ms;
}

/** Resolves once the server's facts store is in `storageDir` (it is renamed into place when complete). */
async function storeWritten(storageDir: string): Promise<void> {
  const deadline = performance.now() + 30_000;
  while (!fs.readdirSync(storageDir).some((name) => name.startsWith('facts-') && name.endsWith('.json'))) {
    if (performance.now() > deadline) {
      throw new Error(`no facts store written in ${storageDir}`);
    }
    await new Promise((resolve) => setTimeout(resolve, 10));
  }
}

/** From spawning the server to its ready notification, sent once every diagnostic of the workspace is published. */
async function startToReady(root: string, storageDir: string): Promise<{ ms: number; session: LspSession }> {
  const spawnAt = performance.now();
  const session = startSession(serverJs);
  const ready = session.nextReady();
  await initialize(session, root, { storageDir });
  return { ms: (await ready) - spawnAt, session };
}

async function editLatencies(session: LspSession, probe: Probe): Promise<number[]> {
  const uri = uriOf(probe.file);
  const text = fs.readFileSync(probe.file, 'utf8');
  await session.connection.sendNotification('textDocument/didOpen', { textDocument: { uri, languageId: 'lua', version: 1, text } });
  // Add / remove a require, break / fix the syntax.
  const edits = [text + '\nlocal extra = require "app.bench.nothere"\n', text, text + '\nlocal x = = 1\n', text];
  const times: number[] = [];
  let version = 1;
  for (let i = 0; i < 200; i++) {
    const next = edits[i % edits.length];
    const expectErrors = next !== text;
    const published = session.nextPublish(uri, (d) => !expectErrors || d.length > 0);
    const start = performance.now();
    await session.connection.sendNotification('textDocument/didChange', { textDocument: { uri, version: ++version }, contentChanges: [{ text: next }] });
    const at = await Promise.race([published, new Promise<number>((r) => setTimeout(() => r(NaN), 5000))]);
    times.push(at - start);
  }
  await session.connection.sendNotification('textDocument/didChange', { textDocument: { uri, version: ++version }, contentChanges: [{ text }] });
  return times.filter(Number.isFinite);
}

export async function measureLsp(name: string, root: string, files: string[], runs: number, generated?: GeneratedWorkspace): Promise<LspResult> {
  const probe = findProbe(files, generated);
  const firstOpen: number[] = [];
  const cold: number[] = [];
  const warm: number[] = [];
  const coldRss: number[] = [];
  let session: LspSession | undefined;
  for (let i = 0; i < runs; i++) {
    firstOpen.push(await firstOpenFile(root, probe));
    // Stored facts go to a folder of this run: the first start finds none.
    const storageDir = fs.mkdtempSync(path.join(os.tmpdir(), 'resty-build-bench-store-'));
    try {
      const c = await startToReady(root, storageDir);
      cold.push(c.ms);
      // The store is written after the ready status: its peak (and the module maps' baseline, taken before it) counts.
      await storeWritten(storageDir);
      coldRss.push(c.session.peakRssMiB());
      await c.session.stop();
      const w = await startToReady(root, storageDir);
      warm.push(w.ms);
      if (i === runs - 1) {
        session = w.session;
      } else {
        await w.session.stop();
      }
    } finally {
      fs.rmSync(storageDir, { recursive: true, force: true });
    }
    process.stderr.write(`[${name}] server run ${i + 1}/${runs}: open file ${firstOpen[i].toFixed(0)} ms, cold ${cold[i].toFixed(0)} ms, stored facts ${warm[i].toFixed(0)} ms\n`);
  }
  const s = session!;
  const edits = await editLatencies(s, probe);
  const latency: Record<string, number[]> = {};
  const uri = uriOf(probe.file);
  for (const method of ['definition', 'hover', 'completion', 'references']) {
    const position = method === 'completion' ? probe.memberPosition : (probe.memberPosition ?? probe.requirePosition);
    latency[method] = position
      ? await timeRequests(s, `textDocument/${method}`, () => ({ textDocument: { uri }, position, context: { includeDeclaration: true } }), 300).catch(() => [])
      : [];
  }
  const idioms = generated?.idioms ? await measureIdioms(s, generated.idioms) : undefined;
  const peakRssMiB = s.peakRssMiB();
  await s.stop();
  return {
    coldAllMs: median(cold),
    warmAllMs: median(warm),
    firstOpenMs: median(firstOpen),
    editP50: percentile(edits, 50),
    editP95: percentile(edits, 95),
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
    peakRssMiB: Math.max(peakRssMiB, ...coldRss),
    coldPeakRssMiB: Math.max(...coldRss),
  };
}

/**
 * Definition through each idiom (300 requests, the positions in turn) and
 * references to a function reached through all of them (100 requests), from
 * the open idiom module. Each definition must find its target: a fast
 * answer of nothing would measure nothing.
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
