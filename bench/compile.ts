// Benchmark of `resty-build compile` against a plain sequential shell loop of `luajit -bg`.
// Not part of npm test. Usage: npm run bench:compile [-- <modules> <runs>]
import { spawnSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { performance } from 'node:perf_hooks';
import { loadBuildProject } from '../server/src/toolchain/buildProject';
import { compileProject } from '../server/src/toolchain/compile';

const modules = Number(process.argv[2] ?? 400);
const runs = Number(process.argv[3] ?? 3);

function generate(root: string): string[] {
  const names: string[] = [];
  for (let i = 0; i < modules; i++) {
    const name = `app.m${i}`;
    names.push(name);
    const body = [
      'local _M = { _VERSION = "0.1" }',
      ...Array.from({ length: 20 }, (_, j) => `function _M.f${j}(a, b)\n  local t = {}\n  for k = 1, a do t[k] = k * b + ${j} end\n  return #t, t[1]\nend`),
      'return _M',
    ].join('\n');
    fs.writeFileSync(path.join(root, 'lib', 'app', `m${i}.lua`), body + '\n');
  }
  fs.writeFileSync(path.join(root, 'resty-build.json'), JSON.stringify({ path: ['lib/?.lua'], embed: names, outDir: 'out' }, null, 2));
  return names;
}

function median(xs: number[]): number {
  const s = [...xs].sort((a, b) => a - b);
  return s[Math.floor(s.length / 2)];
}

async function main(): Promise<void> {
  const root = fs.mkdtempSync(path.join(os.tmpdir(), 'resty-build-bench-'));
  fs.mkdirSync(path.join(root, 'lib', 'app'), { recursive: true });
  const names = generate(root);
  const cold: number[] = [];
  const noop: number[] = [];
  const shell: number[] = [];
  try {
    for (let r = 0; r < runs; r++) {
      fs.rmSync(path.join(root, 'out'), { recursive: true, force: true });
      const project = loadBuildProject(root);
      let t = performance.now();
      const first = await compileProject({ manifest: project.manifest, entries: project.entries, sources: project.sources });
      cold.push(performance.now() - t);
      if (first.compiled.length !== modules) {
        throw new Error(`cold build compiled ${first.compiled.length} of ${modules}`);
      }
      t = performance.now();
      const again = await compileProject({ manifest: project.manifest, entries: project.entries, sources: project.sources });
      noop.push(performance.now() - t);
      if (again.compiled.length !== 0) {
        throw new Error('the no-op rebuild compiled something');
      }

      fs.rmSync(path.join(root, 'shell'), { recursive: true, force: true });
      fs.mkdirSync(path.join(root, 'shell'));
      const list = names.map((n) => n.slice(4)).join(' ');
      t = performance.now();
      const loop = spawnSync('sh', ['-c', `for m in ${list}; do luajit -bg -n "app.$m" -t o "lib/app/$m.lua" "shell/app_$m.o" || exit 1; done`], { cwd: root });
      shell.push(performance.now() - t);
      if (loop.status !== 0) {
        throw new Error(`shell loop failed: ${loop.stderr}`);
      }
    }
  } finally {
    fs.rmSync(root, { recursive: true, force: true });
  }
  const rows = [
    { case: `resty-build compile, cold (${os.availableParallelism()} jobs)`, ms: median(cold) },
    { case: 'sequential sh loop of luajit -bg', ms: median(shell) },
    { case: 'resty-build compile, no change', ms: median(noop) },
  ];
  const result = {
    modules,
    runs,
    cpus: os.availableParallelism(),
    luajit: spawnSync('luajit', ['-v'], { encoding: 'utf8' }).stdout.trim(),
    node: process.version,
    medianMs: { cold: round(median(cold)), shellLoop: round(median(shell)), noop: round(median(noop)) },
    allMs: { cold: cold.map(round), shellLoop: shell.map(round), noop: noop.map(round) },
  };
  console.log(`${modules} modules, ${runs} runs, median wall time`);
  console.log('| case | ms | per module |');
  console.log('|---|---:|---:|');
  for (const row of rows) {
    console.log(`| ${row.case} | ${row.ms.toFixed(0)} | ${(row.ms / modules).toFixed(2)} |`);
  }
  fs.mkdirSync('bench-results', { recursive: true });
  fs.writeFileSync(path.join('bench-results', 'compile.json'), JSON.stringify(result, null, 2) + '\n');
  console.log('written bench-results/compile.json');
}

function round(x: number): number {
  return Math.round(x * 10) / 10;
}

void main();
