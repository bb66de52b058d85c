// Request latency on hostile workspaces (not a test): `npm run bench:hostile`
// (builds first; it starts dist/server.js). For each layout it starts the
// server, waits for the start-up analysis, then times REQUESTS requests of
// each kind and prints p50/p95 (the first request of a kind, which may walk
// a search root or parse a file, counts like the others).
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { fileUri, LspClient, startServer } from '../test/helpers/lspClient';
import { fmtMs, markdownTable, percentile } from './stats';
import { ModuleMapRequest, StatusNotification } from '../server/src/protocol/protocol';

const REQUESTS = Number(process.env.REQUESTS ?? 100);

interface Layout {
  name: string;
  /** Writes the workspace into `dir`; returns the file the requests are made in and its text when it is to be opened. */
  create(dir: string): { file: string; open?: string };
  /** Request positions in that file. */
  requireAt: { line: number; character: number };
}

function write(dir: string, files: Record<string, string>): void {
  for (const [name, text] of Object.entries(files)) {
    fs.mkdirSync(path.dirname(path.join(dir, name)), { recursive: true });
    fs.writeFileSync(path.join(dir, name), text);
  }
}

const LAYOUTS: Layout[] = [
  {
    name: 'luakit stdlib outside the workspace, 5 links back to itself per folder',
    create(dir) {
      const stdlib = path.join(dir, '..', 'stdlib');
      write(stdlib, { 'strings.lua': 'return {}\n', 'sub/deep.lua': 'return {}\n' });
      for (const name of ['l1', 'l2', 'l3', 'l4', 'l5']) {
        fs.symlinkSync('.', path.join(stdlib, name));
        fs.symlinkSync('..', path.join(stdlib, 'sub', name));
      }
      write(dir, { 'build.lua': 'local s = require("strings")\nbk.go()\n', 'resty-build.json': JSON.stringify({ profile: 'luakit', stdlib }) });
      return { file: path.join(dir, 'build.lua') };
    },
    requireAt: { line: 0, character: 19 },
  },
  {
    name: 'luakit stdlib /proc',
    create(dir) {
      write(dir, { 'build.lua': 'local s = require("strings")\nbk.go()\n', 'resty-build.json': JSON.stringify({ profile: 'luakit', stdlib: '/proc' }) });
      return { file: path.join(dir, 'build.lua') };
    },
    requireAt: { line: 0, character: 19 },
  },
  {
    name: 'a 20 MB open document of requires',
    create(dir) {
      write(dir, { 'lib/app/util.lua': 'return {}\n', 'resty-build.json': JSON.stringify({ path: ['lib/?.lua'] }) });
      const line = 'local util = require("app.util") local gone = require "app.gone"\n';
      return { file: path.join(dir, 'big.lua'), open: line.repeat(Math.ceil((20 * 1024 * 1024) / line.length)) };
    },
    requireAt: { line: 0, character: 25 },
  },
  {
    name: 'a manifest of 470 000 embed entries',
    create(dir) {
      const entries = Array.from({ length: 470_000 }, (_, i) => JSON.stringify(`gen.m${i}`)).join(',\n');
      write(dir, { 'lib/app/util.lua': 'return {}\n', 'main.lua': 'local util = require("app.util")\n', 'resty-build.json': `{ "path": ["lib/?.lua"], "embed": ["app.util",\n${entries}] }\n` });
      return { file: path.join(dir, 'main.lua') };
    },
    requireAt: { line: 0, character: 25 },
  },
];

async function timed(client: LspClient, method: string, params: unknown): Promise<number> {
  const started = performance.now();
  await client.request(method, params);
  return performance.now() - started;
}

async function measure(layout: Layout): Promise<string[]> {
  const root = fs.mkdtempSync(path.join(os.tmpdir(), 'resty-build-hostile-'));
  const dir = path.join(root, 'ws');
  fs.mkdirSync(dir);
  try {
    const { file, open } = layout.create(dir);
    const client = await startServer(dir);
    try {
      const uri = fileUri(file);
      await client.nextNotification(StatusNotification.method, 120_000);
      if (open !== undefined) {
        await client.open(uri, open);
      }
      const position = layout.requireAt;
      const kinds: Record<string, () => Promise<number>> = {
        completion: () => timed(client, 'textDocument/completion', { textDocument: { uri }, position }),
        hover: () => timed(client, 'textDocument/hover', { textDocument: { uri }, position }),
        definition: () => timed(client, 'textDocument/definition', { textDocument: { uri }, position }),
        references: () => timed(client, 'textDocument/references', { textDocument: { uri }, position, context: { includeDeclaration: true } }),
        documentSymbol: () => timed(client, 'textDocument/documentSymbol', { textDocument: { uri } }),
        moduleMap: () => timed(client, ModuleMapRequest.method, { uri }),
      };
      const row = [layout.name];
      for (const run of Object.values(kinds)) {
        const times: number[] = [];
        for (let i = 0; i < REQUESTS; i++) {
          times.push(await run());
        }
        row.push(`${fmtMs(percentile(times, 50))} / ${fmtMs(percentile(times, 95))}`);
      }
      return row;
    } finally {
      await client.stop();
    }
  } finally {
    fs.rmSync(root, { recursive: true, force: true });
  }
}

async function main(): Promise<void> {
  const rows: string[][] = [];
  for (const layout of LAYOUTS) {
    rows.push(await measure(layout));
    console.error(`measured: ${layout.name}`);
  }
  const table = markdownTable(['layout (p50 / p95)', 'completion', 'hover', 'definition', 'references', 'document symbols', 'module map'], rows);
  fs.mkdirSync(path.join(__dirname, '..', 'bench-results'), { recursive: true });
  fs.writeFileSync(path.join(__dirname, '..', 'bench-results', 'hostile.md'), table + '\n');
  console.log(table);
}

main().catch((e: unknown) => {
  console.error(e);
  process.exitCode = 1;
});
