import { spawnSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { median } from './stats';

const repo = path.resolve(__dirname, '..');
const cliJs = path.join(repo, 'dist', 'cli.js');
const luaparsePass = path.join(__dirname, 'luaparsePass.js');

/** Whole processes, as CI runs them: `check` against node + luaparse over the same files, medians of `runs`. */
export interface ProcessResult {
  /** Lua files of the folder, and the files outside it that their requires reach (check --verbose). */
  files: number;
  outside: number;
  /** node bench/luaparsePass.js: the whole process, and its parse loop alone (the in-process baseline). */
  luaparseProcessMs: number;
  luaparseInProcessMs: number;
  /** check --format json with nothing stored (it stores its facts), and again with them stored. */
  checkColdMs: number;
  checkStoredMs: number;
  runs: number;
}

function timed(args: string[], env: NodeJS.ProcessEnv): { ms: number; stdout: string; stderr: string; status: number | null } {
  const start = performance.now();
  const r = spawnSync(process.execPath, args, { env, encoding: 'utf8', maxBuffer: 512 * 1024 * 1024 });
  const ms = performance.now() - start;
  if (r.error) {
    throw r.error;
  }
  return { ms, stdout: r.stdout, stderr: r.stderr, status: r.status };
}

function luaparseRun(root: string): { ms: number; parseMs: number; files: number } {
  const r = timed([luaparsePass, root], process.env);
  if (r.status !== 0) {
    throw new Error(`luaparsePass failed: ${r.stderr}`);
  }
  const out = JSON.parse(r.stdout) as { files: number; parseMs: number };
  return { ms: r.ms, parseMs: out.parseMs, files: out.files };
}

function checkRun(root: string, cacheHome: string, extra: string[] = []): ReturnType<typeof timed> {
  const r = timed([cliJs, 'check', root, '--format', 'json', ...extra], { ...process.env, XDG_CACHE_HOME: cacheHome });
  if (r.status !== 0 && r.status !== 1) {
    throw new Error(`check failed (${r.status}): ${r.stderr}`);
  }
  return r;
}

/**
 * Runs the three processes `runs` times, interleaved (a burst of load on the
 * shared machine then hits all of them alike), and takes medians. A cold
 * check gets an empty cache folder each time; the stored runs share one
 * that a first, unmeasured run filled. Both must print the same findings.
 */
export function measureProcesses(name: string, root: string, runs: number): ProcessResult {
  const stored = fs.mkdtempSync(path.join(os.tmpdir(), 'resty-build-bench-cache-'));
  try {
    const first = checkRun(root, stored, ['--verbose']);
    const counts = /(\d+) Lua files and (\d+) outside/.exec(first.stderr);
    const lpWhole: number[] = [];
    const lpParse: number[] = [];
    const cold: number[] = [];
    const warm: number[] = [];
    for (let i = 0; i < runs; i++) {
      const lp = luaparseRun(root);
      lpWhole.push(lp.ms);
      lpParse.push(lp.parseMs);
      if (counts && lp.files !== Number(counts[1])) {
        process.stderr.write(`[${name}] warning: luaparse saw ${lp.files} files, check ${counts[1]}\n`);
      }
      const empty = fs.mkdtempSync(path.join(os.tmpdir(), 'resty-build-bench-cache-'));
      try {
        const c = checkRun(root, empty);
        cold.push(c.ms);
        if (i === 0 && c.stdout !== first.stdout) {
          process.stderr.write(`[${name}] warning: a cold check printed other findings than the first\n`);
        }
      } finally {
        fs.rmSync(empty, { recursive: true, force: true });
      }
      const w = checkRun(root, stored);
      warm.push(w.ms);
      if (i === 0 && w.stdout !== first.stdout) {
        process.stderr.write(`[${name}] warning: a check from stored facts printed other findings\n`);
      }
    }
    return {
      files: Number(counts?.[1] ?? NaN),
      outside: Number(counts?.[2] ?? NaN),
      luaparseProcessMs: median(lpWhole),
      luaparseInProcessMs: median(lpParse),
      checkColdMs: median(cold),
      checkStoredMs: median(warm),
      runs,
    };
  } finally {
    fs.rmSync(stored, { recursive: true, force: true });
  }
}
