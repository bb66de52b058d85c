import * as path from 'node:path';
import { performance } from 'node:perf_hooks';
import { checkFile } from '../../server/src/core/checks/fileChecks';
import { findModuleBindings } from '../../server/src/core/navigate/aliases';
import { analyzeExports } from '../../server/src/core/navigate/exports';
import { MemoryFileSystem } from '../../server/src/core/memoryFileSystem';
import { tokenize } from '../../server/src/core/lua/luaLexer';
import { MANIFEST_NAME, parseManifest } from '../../server/src/core/manifest/manifest';
import { parseNginxConf } from '../../server/src/core/nginx/nginxConf';
import { scanLua } from '../../server/src/core/lua/luaScan';
import { documentSymbols } from '../../server/src/core/navigate/symbols';
import { Workspace } from '../../server/src/core/workspace/workspace';
import { chooseKind, Corpus, mutate, MutationKind, Rng } from './mutate';

/**
 * Per-case bound of the core, in ms of the process's CPU time: a runaway case
 * burns CPU, while a loaded, shared machine stretches only the wall time.
 * Cases are at most about 1 MB (a 20 MB file has its own test).
 */
export const CORE_TIME_BOUND_MS = 5_000;

export interface FuzzFailure {
  case: number;
  seed: number;
  kind: string;
  error: string;
}

export interface FuzzReport {
  cases: number;
  seed: number;
  crashes: number;
  timeBoundMs: number;
  overTimeBound: number;
  maxMs: number;
  maxKind: string;
  meanMs: number;
  byKind: Record<string, number>;
  failures: FuzzFailure[];
  rssBeforeMb: number;
  rssAfterMb: number;
  heapBeforeMb: number;
  heapAfterMb: number;
  durationS: number;
}

const ROOT = path.resolve('/fuzz-project');
const MAIN = path.join(ROOT, 'lib', 'app', 'main.lua');
const CONF = path.join(ROOT, 'conf', 'nginx.conf');
const MANIFEST = path.join(ROOT, MANIFEST_NAME);

/** An in-memory OpenResty project with a manifest whose embed closure includes the fuzzed file. */
function fuzzWorkspace(): Workspace {
  const fs = new MemoryFileSystem({
    [MANIFEST]: JSON.stringify({ profile: 'openresty', path: ['lib/?.lua', 'lib/?/init.lua'], nginxConf: 'conf/nginx.conf', embed: ['app.main', 'app.util'] }),
    [MAIN]: 'return require "app.util"\n',
    [path.join(ROOT, 'lib', 'app', 'util.lua')]: 'local M = {}\nfunction M.f() return require("app.main") end\nreturn M\n',
    [CONF]: 'http { lua_package_path "$prefix/lib/?.lua;;"; server { location / { content_by_lua_block { require("app.main") } } } }\n',
  });
  return new Workspace(fs, { roots: [ROOT], env: { PATH: '' } });
}

const mb = (n: number) => Math.round((n / 1024 / 1024) * 10) / 10;

/**
 * Feeds the core mutated Lua, nginx.conf and manifest texts. Each case runs
 * every entry point an edit reaches (lexer, requires, luaparse, checks,
 * closure, exports, outline, conf and manifest parsing); none may throw or
 * take longer than the bound.
 */
export function runCoreFuzz(corpus: Corpus, options: { cases: number; seed: number; from?: number; onProgress?: (done: number, report: FuzzReport) => void }): FuzzReport {
  const started = performance.now();
  const memBefore = process.memoryUsage();
  const report: FuzzReport = {
    cases: 0,
    seed: options.seed,
    crashes: 0,
    timeBoundMs: CORE_TIME_BOUND_MS,
    overTimeBound: 0,
    maxMs: 0,
    maxKind: '',
    meanMs: 0,
    byKind: {},
    failures: [],
    rssBeforeMb: mb(memBefore.rss),
    rssAfterMb: 0,
    heapBeforeMb: mb(memBefore.heapUsed),
    heapAfterMb: 0,
    durationS: 0,
  };
  let ws = fuzzWorkspace();
  let total = 0;
  const from = options.from ?? 0;
  for (let i = from; i < from + options.cases; i++) {
    const caseSeed = (options.seed * 1_000_003 + i) >>> 0;
    const rng = new Rng(caseSeed);
    const target = rng.next();
    const kind: MutationKind = chooseKind(rng);
    const label = `${target < 0.85 ? 'lua' : target < 0.93 ? 'conf' : 'manifest'}:${kind}`;
    report.byKind[label] = (report.byKind[label] ?? 0) + 1;
    const t0 = performance.now();
    const cpu0 = process.cpuUsage();
    try {
      if (target < 0.85) {
        const text = mutate(rng, rng.pick(corpus.lua), kind, rng.pick(corpus.lua));
        ws.setDocument(MAIN, text);
        checkFile(ws, MAIN);
        const facts = ws.facts(MAIN)!;
        documentSymbols(text, facts);
        const tokens = tokenize(text);
        findModuleBindings(tokens, scanLua(text).requires, text.length);
        analyzeExports(text, tokens);
      } else if (target < 0.93) {
        const text = mutate(rng, rng.pick(corpus.conf), kind, rng.pick(corpus.lua));
        parseNginxConf(text);
        ws.setDocument(CONF, text);
        checkFile(ws, CONF);
      } else {
        const text = mutate(rng, rng.pick(corpus.manifests), kind, rng.pick(corpus.manifests));
        parseManifest(MANIFEST, text);
        ws.setDocument(MANIFEST, text);
        checkFile(ws, MANIFEST);
        checkFile(ws, MAIN);
        ws.closeDocument(MANIFEST);
      }
    } catch (err) {
      report.crashes++;
      if (report.failures.length < 20) {
        report.failures.push({ case: i, seed: caseSeed, kind: label, error: err instanceof Error ? (err.stack ?? err.message).split('\n').slice(0, 4).join(' | ') : String(err) });
      }
      ws = fuzzWorkspace();
    }
    const ms = performance.now() - t0;
    const cpu = process.cpuUsage(cpu0);
    const cpuMs = (cpu.user + cpu.system) / 1000;
    total += ms;
    if (ms > report.maxMs) {
      report.maxMs = ms;
      report.maxKind = label;
    }
    if (cpuMs > CORE_TIME_BOUND_MS) {
      report.overTimeBound++;
      if (report.failures.length < 20) {
        report.failures.push({ case: i, seed: caseSeed, kind: label, error: `used ${cpuMs.toFixed(0)} ms of CPU time (${ms.toFixed(0)} ms wall)` });
      }
    }
    report.cases++;
    if (options.onProgress && report.cases % 10_000 === 0) {
      options.onProgress(report.cases, report);
    }
  }
  const memAfter = process.memoryUsage();
  report.meanMs = report.cases ? total / report.cases : 0;
  report.maxMs = Math.round(report.maxMs * 10) / 10;
  report.rssAfterMb = mb(memAfter.rss);
  report.heapAfterMb = mb(memAfter.heapUsed);
  report.durationS = Math.round((performance.now() - started) / 100) / 10;
  return report;
}
