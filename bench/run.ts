// `npm run bench [-- [--runs N] [--keep-env] [<modules>…] [<dir>…]]`: measures resty-build
// against luaparse on the same files, in one run each:
//   * whole processes, what CI runs: `check --format json` (cold, and with
//     stored facts) against node + luaparse over the folder (bench/luaparsePass.js);
//   * the language server: cold start to every diagnostic published (and a
//     restart from stored facts) against luaparse's parse loop alone in a
//     fresh process, plus edit and navigation latencies and memory.
// Numbers are generated workspaces (default 1000, 5000 and 10000 modules);
// folders are one real tree, copied side by side into one workspace folder.
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { generateWorkspace, GeneratedWorkspace } from './generate';
import { LspResult, measureLsp } from './lsp';
import { measureProcesses, ProcessResult } from './processes';
import { fmtMs, markdownTable } from './stats';
import { assembleTree, listLua } from './tree';

const repo = path.resolve(__dirname, '..');

interface Result extends LspResult, ProcessResult {
  name: string;
  megabytes: number;
}

async function measure(name: string, root: string, runs: number, generated?: GeneratedWorkspace): Promise<Result> {
  const files = listLua(root);
  const megabytes = files.reduce((n, f) => n + fs.statSync(f).size, 0) / 1e6;
  process.stderr.write(`[${name}] ${files.length} files, ${megabytes.toFixed(1)} MB; load average ${os.loadavg()[0].toFixed(1)}\n`);
  const processes = measureProcesses(name, root, runs);
  process.stderr.write(
    `[${name}] check cold ${fmtMs(processes.checkColdMs)}, stored facts ${fmtMs(processes.checkStoredMs)}; ` +
      `node + luaparse ${fmtMs(processes.luaparseProcessMs)} (parse loop ${fmtMs(processes.luaparseInProcessMs)})\n`,
  );
  const lsp = await measureLsp(name, root, files, runs, generated);
  return { name, megabytes, ...processes, ...lsp };
}

const ratio = (a: number, b: number) => `${(a / b).toFixed(2)}x`;

function processTable(results: Result[]): string {
  const header = ['workspace', 'files (MB)', 'outside files', 'node + luaparse', 'check, cold', 'ratio', 'check, stored facts', 'ratio'];
  return markdownTable(
    header,
    results.map((r) => [
      r.name,
      `${r.files} (${r.megabytes.toFixed(1)})`,
      String(r.outside),
      fmtMs(r.luaparseProcessMs),
      fmtMs(r.checkColdMs),
      ratio(r.checkColdMs, r.luaparseProcessMs),
      fmtMs(r.checkStoredMs),
      ratio(r.checkStoredMs, r.luaparseProcessMs),
    ]),
  );
}

function lspTable(results: Result[]): string {
  const header = [
    'workspace',
    'luaparse in process',
    'cold: all diagnostics',
    'ratio',
    'restart (stored facts)',
    'ratio',
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
  const pair = (a: number, b: number) => `${fmtMs(a)} / ${fmtMs(b)}`;
  return markdownTable(
    header,
    results.map((r) => [
      r.name,
      fmtMs(r.luaparseInProcessMs),
      fmtMs(r.coldAllMs),
      ratio(r.coldAllMs, r.luaparseInProcessMs),
      fmtMs(r.warmAllMs),
      ratio(r.warmAllMs, r.luaparseInProcessMs),
      fmtMs(r.firstOpenMs),
      pair(r.editP50, r.editP95),
      pair(r.definitionP50, r.definitionP95),
      pair(r.hoverP50, r.hoverP95),
      pair(r.completionP50, r.completionP95),
      pair(r.referencesP50, r.referencesP95),
      Number.isFinite(r.idiomDefinitionP50) ? pair(r.idiomDefinitionP50, r.idiomDefinitionP95) : '–',
      Number.isFinite(r.idiomReferencesP50) ? `${pair(r.idiomReferencesP50, r.idiomReferencesP95)} (${r.idiomReferenceCount})` : '–',
      `${r.peakRssMiB.toFixed(0)} MiB`,
    ]),
  );
}

function parseArgs(argv: string[]): { runs: number; sizes: number[]; dirs: string[]; keepEnv: boolean } {
  let runs = 3;
  let keepEnv = false;
  const sizes: number[] = [];
  const dirs: string[] = [];
  for (let i = 0; i < argv.length; i++) {
    if (argv[i] === '--runs') {
      runs = Math.max(1, Number(argv[++i]) || 1);
    } else if (argv[i] === '--keep-env') {
      keepEnv = true;
    } else if (/^\d+$/.test(argv[i])) {
      sizes.push(Number(argv[i]));
    } else {
      dirs.push(argv[i]);
    }
  }
  return { runs, sizes: sizes.length === 0 && dirs.length === 0 ? [1000, 5000, 10000] : sizes, dirs, keepEnv };
}

async function main(): Promise<void> {
  for (const bundle of ['server.js', 'server-bundle.js', 'cli.js', 'cli-bundle.js', 'launch.js', 'analysisWorker.js']) {
    if (!fs.existsSync(path.join(repo, 'dist', bundle))) {
      console.error(`dist/${bundle} is missing: run npm run build`);
      process.exit(2);
    }
  }
  const { runs, sizes, dirs, keepEnv } = parseArgs(process.argv.slice(2));
  // NODE_EXTRA_CA_CERTS (set on some machines for a package mirror or a proxy) makes every node process read and
  // parse a certificate bundle before its own code runs: 38 ms a start on the bench's machine, the same for both
  // sides of each comparison, and needed by neither. The measured processes run without it unless --keep-env.
  const droppedCaCerts = !keepEnv && process.env.NODE_EXTRA_CA_CERTS !== undefined;
  if (droppedCaCerts) {
    delete process.env.NODE_EXTRA_CA_CERTS;
  }
  const missing = dirs.filter((d) => !fs.existsSync(d) || !fs.statSync(d).isDirectory());
  if (missing.length > 0) {
    console.error(`not a folder: ${missing.join(', ')}`);
    process.exit(2);
  }
  const loadBefore = os.loadavg()[0];
  const results: Result[] = [];
  const base = fs.mkdtempSync(path.join(os.tmpdir(), 'resty-build-bench-'));
  try {
    if (dirs.length > 0) {
      const root = path.join(base, 'tree');
      const names = assembleTree(dirs, root);
      results.push(await measure(`tree: ${names.join(' + ')}`, root, runs));
    }
    for (const size of sizes) {
      const generated = generateWorkspace(path.join(base, `ws${size}`), size, { idioms: true });
      results.push(await measure(`generated ${size / 1000}k`, generated.root, runs, generated));
    }
  } finally {
    fs.rmSync(base, { recursive: true, force: true });
  }
  const cpus = os.cpus();
  const machine = `${cpus.length} × ${cpus[0]?.model ?? 'cpu'}, ${(os.totalmem() / 2 ** 30).toFixed(0)} GiB, Node ${process.version}, ${os.platform()} ${os.release()}`;
  const conditions = `medians of ${runs} runs; load average ${loadBefore.toFixed(1)} before, ${os.loadavg()[0].toFixed(1)} after${droppedCaCerts ? '; NODE_EXTRA_CA_CERTS unset for the measured processes' : ''}`;
  const text = [`Machine: ${machine}; ${conditions}`, '', 'Whole processes (what CI runs):', '', processTable(results), '', 'Language server:', '', lspTable(results), ''].join('\n');
  console.log(`\n${text}`);
  const outDir = path.join(repo, 'bench-results');
  fs.mkdirSync(outDir, { recursive: true });
  fs.writeFileSync(path.join(outDir, 'lsp.json'), JSON.stringify({ date: new Date().toISOString(), machine, conditions, sources: dirs, results }, null, 2) + '\n');
  fs.writeFileSync(path.join(outDir, 'lsp.md'), text);
}

main().catch((err) => {
  console.error(err);
  process.exit(1);
});
