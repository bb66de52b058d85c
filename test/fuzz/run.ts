// The fuzz harness: `npm run fuzz -- [--cases N] [--seed S] [--lsp M] [--from K]`.
// --from K runs cases K … K+N-1 of the seed's sequence, so a long run can be split across processes.
// Core cases run in this process; M cases (default 300) go to a real server over LSP;
// --hostile H (default 60) generates hostile workspaces on disk (see hostile.ts).
// Prints a JSON report; exits 1 on any crash, time-bound violation or unanswered request.
import * as path from 'node:path';
import { runCoreFuzz } from './harness';
import { runHostileFuzz } from './hostile';
import { runLspFuzz } from './lspFuzz';
import { loadCorpus } from './mutate';

function arg(name: string, fallback: number): number {
  const i = process.argv.indexOf(name);
  const value = i >= 0 ? Number(process.argv[i + 1]) : fallback;
  if (!Number.isFinite(value) || value < 0) {
    process.stderr.write(`${name} needs a number\n`);
    process.exit(2);
  }
  return value;
}

async function main(): Promise<void> {
  const cases = arg('--cases', 10_000);
  const seed = arg('--seed', 1);
  const lspCases = arg('--lsp', 300);
  const from = arg('--from', 0);
  const hostileCases = arg('--hostile', 60);
  const corpus = loadCorpus(path.resolve(__dirname, '..', '..'));
  process.stderr.write(`corpus: ${corpus.lua.length} Lua, ${corpus.conf.length} nginx.conf, ${corpus.manifests.length} manifests; ${cases} core cases, ${lspCases} LSP cases, seed ${seed}\n`);
  const core = runCoreFuzz(corpus, {
    cases,
    seed,
    from,
    onProgress: (done, r) => {
      if (done % 100_000 === 0) {
        process.stderr.write(`  ${done} cases, ${r.crashes} crashes, ${r.overTimeBound} over bound, max ${r.maxMs.toFixed(1)} ms, rss ${Math.round(process.memoryUsage().rss / 1048576)} MB\n`);
      }
    },
  });
  const lsp = lspCases > 0 ? await runLspFuzz(corpus, { cases: lspCases, seed }) : undefined;
  const hostile = hostileCases > 0 ? await runHostileFuzz({ cases: hostileCases, seed }) : undefined;
  process.stdout.write(JSON.stringify({ core, lsp, hostile }, null, 2) + '\n');
  const failed = core.crashes > 0 || core.overTimeBound > 0 || (lsp !== undefined && (lsp.unanswered > 0 || !lsp.serverAlive)) || (hostile !== undefined && hostile.failures.length > 0);
  process.exit(failed ? 1 : 0);
}

main().catch((err) => {
  process.stderr.write(`${err instanceof Error ? err.stack : String(err)}\n`);
  process.exit(1);
});
