import { spawnSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { performance } from 'node:perf_hooks';
import { checkAll } from '../../server/src/core/checks/fileChecks';
import { buildModuleMap } from '../../server/src/core/embed/moduleMap';
import { NodeFileSystem } from '../../server/src/core/nodeFileSystem';
import { MANIFEST_NAME } from '../../server/src/core/manifest/manifest';
import { moduleCatalog } from '../../server/src/core/navigate/moduleCatalog';
import { Workspace } from '../../server/src/core/workspace/workspace';
import { loadBuildProject } from '../../server/src/toolchain/buildProject';
import { compileProject } from '../../server/src/toolchain/compile';
import { BuildEnvironmentError } from '../../server/src/toolchain/tool';
import { CORE_TIME_BOUND_MS } from './harness';
import { Rng } from './mutate';

/**
 * Hostile workspaces on a real disk, generated from a seed: symbolic links
 * (out of the project, onto the sources, back to a folder, dangling),
 * devices and FIFOs where the manifest expects files, huge manifests, a
 * crafted build cache, and edit streams that keep adding new require
 * names. Each case runs the analysis (every check, module completion's
 * catalog, the module map) and, for most kinds, a real compile; it must not
 * throw (a BuildEnvironmentError refusing the build is an answer), block,
 * take more than the CPU bound, or change anything outside the project or
 * among its sources.
 */
export const HOSTILE_KINDS = ['symlinks', 'devices', 'fifos', 'cache', 'huge-manifest', 'new-names'] as const;
export type HostileKind = (typeof HOSTILE_KINDS)[number];

export interface HostileReport {
  cases: number;
  seed: number;
  byKind: Record<string, number>;
  /** Builds that ran (compiled or refused) against a hostile layout. */
  builds: number;
  refusedBuilds: number;
  maxMs: number;
  failures: string[];
}

function write(dir: string, files: Record<string, string>): void {
  for (const [name, text] of Object.entries(files)) {
    fs.mkdirSync(path.dirname(path.join(dir, name)), { recursive: true });
    fs.writeFileSync(path.join(dir, name), text);
  }
}

function link(target: string, at: string): void {
  fs.mkdirSync(path.dirname(at), { recursive: true });
  fs.rmSync(at, { recursive: true, force: true });
  fs.symlinkSync(target, at);
}

function fifo(at: string): void {
  fs.mkdirSync(path.dirname(at), { recursive: true });
  fs.rmSync(at, { recursive: true, force: true });
  if (spawnSync('mkfifo', [at]).status !== 0) {
    throw new Error(`mkfifo ${at} failed`);
  }
}

/** Every entry under a folder (links not followed), with what identifies its content. */
function snapshot(dir: string): string[] {
  const out: string[] = [];
  const walk = (d: string) => {
    for (const name of fs.readdirSync(d).sort()) {
      const full = path.join(d, name);
      const st = fs.lstatSync(full);
      out.push(`${path.relative(dir, full)} ${st.isSymbolicLink() ? `-> ${fs.readlinkSync(full)}` : st.isDirectory() ? 'dir' : `${st.size}:${st.mtimeMs}:${st.mode}`}`);
      if (st.isDirectory()) {
        walk(full);
      }
    }
  };
  walk(dir);
  return out;
}

interface Layout {
  project: string;
  manifest: Record<string, unknown>;
  edits?: number;
}

/** A small OpenResty project: lib/app/*.lua requiring each other, conf/nginx.conf, a manifest embedding them. */
function baseProject(root: string, rng: Rng): Layout {
  const project = path.join(root, 'ws');
  const modules = 2 + rng.int(4);
  const files: Record<string, string> = { 'conf/nginx.conf': 'http { server { location / { content_by_lua_block { require("app.m0") } } } }\n' };
  for (let i = 0; i < modules; i++) {
    files[`lib/app/m${i}.lua`] = `local n = require("app.m${(i + 1) % modules}")\nlocal M = {}\nfunction M.f() return n end\nreturn M\n`;
  }
  write(project, files);
  write(path.join(root, 'outside'), { 'victim.txt': 'keep me\n', 'victim.o': 'not an object\n', 'stdlib/strings.lua': 'return {}\n' });
  const manifest: Record<string, unknown> = {
    path: ['lib/?.lua', 'lib/?/init.lua'],
    nginxConf: 'conf/nginx.conf',
    embed: Array.from({ length: modules }, (_, i) => `app.m${i}`),
    outDir: 'build/bytecode',
  };
  return { project, manifest };
}

function makeHostile(kind: HostileKind, root: string, rng: Rng): Layout {
  const layout = baseProject(root, rng);
  const { project, manifest } = layout;
  const outside = path.join(root, 'outside');
  const steps = 1 + rng.int(3);
  for (let s = 0; s < steps; s++) {
    const choice = rng.int(8);
    switch (kind) {
      case 'symlinks':
        [
          () => link(outside, path.join(project, 'build')),
          () => link(outside, path.join(project, 'build', 'bytecode')),
          () => link(path.join(project, 'lib'), path.join(project, 'build')),
          () => link('.', path.join(project, 'lib', 'app', 'loop')),
          () => link('..', path.join(project, 'lib', 'app', 'up')),
          () => link(path.join(outside, 'missing'), path.join(project, 'build')),
          () => link(path.join(outside, 'victim.txt'), path.join(project, 'lib', 'app', 'escape.lua')),
          () => {
            manifest.outDir = rng.pick(['out', 'lib/out', '.', 'lib', 'build/../lib', 'build/bytecode']);
            link(project, path.join(project, 'out'));
          },
        ][choice]();
        break;
      case 'devices':
        [
          () => (manifest.nginxConf = rng.pick(['/dev/zero', '/dev/urandom', '/dev/null'])),
          () => ((manifest.profile = 'luakit'), (manifest.buildScript = '/dev/urandom')),
          () => (manifest.embed = [...(manifest.embed as unknown[]), { module: 'dev', file: rng.pick(['/dev/zero', '/dev/urandom']) }]),
          () => {
            link('/dev/zero', path.join(project, 'lib', 'app', 'zero.lua'));
            write(project, { 'lib/app/uses.lua': 'return require("app.zero")\n' });
            manifest.embed = [...(manifest.embed as unknown[]), 'app.uses', 'app.zero'];
          },
          () => link('/dev/urandom', path.join(project, 'conf', 'nginx.conf')),
          () => ((manifest.profile = 'luakit'), (manifest.stdlib = '/proc'), (manifest.buildScript = 'build.lua'), write(project, { 'build.lua': 'bk.go()\n' })),
          () => ((manifest.profile = 'luakit'), (manifest.stdlib = '/dev'), (manifest.buildScript = 'build.lua'), write(project, { 'build.lua': 'bk.go()\n' })),
          () => (manifest.luajit = { runtime: '/dev/null' }),
        ][choice]();
        break;
      case 'fifos':
        [
          () => fifo(path.join(project, 'conf', 'nginx.conf')),
          () => fifo(path.join(project, 'lib', 'app', 'm0.lua')),
          () => fifo(path.join(project, 'build', 'bytecode', '.resty-build-cache.json')),
          () => fifo(path.join(project, 'build', 'bytecode', '.resty-build.lock')),
          () => fifo(path.join(project, 'lib', 'app', 'pipe.lua')),
          () => (manifest.embed = [...(manifest.embed as unknown[]), { module: 'piped', file: 'lib/piped.lua' }], fifo(path.join(project, 'lib', 'piped.lua'))),
          () => fifo(path.join(project, 'lib', 'app', 'm1.o')),
          () => fifo(path.join(project, 'build', 'bytecode', 'app_m0.o')),
        ][choice]();
        break;
      case 'cache': {
        const cacheDir = path.join(project, 'build', 'bytecode');
        fs.mkdirSync(cacheDir, { recursive: true });
        const keys = ['../../../outside/victim.txt', path.join(outside, 'victim.txt'), '..', '.', 'sub', 'link.o', '__proto__', 'constructor', '../victim.o', 'app_m0.o'];
        if (choice < 3) {
          fs.mkdirSync(path.join(cacheDir, 'sub'), { recursive: true });
        } else if (choice < 6) {
          link(path.join(outside, 'victim.o'), path.join(cacheDir, 'link.o'));
        }
        const entry = { module: 'x', source: '', sourceHash: '', compiler: '', flags: [], size: 14, mtimeMs: 0 };
        const objects = Object.fromEntries(keys.filter(() => rng.next() < 0.6).map((k) => [k, rng.next() < 0.8 ? entry : rng.pick([null, 7, 'x', []])]));
        fs.writeFileSync(path.join(cacheDir, '.resty-build-cache.json'), rng.next() < 0.9 ? JSON.stringify({ version: 1, objects }) : '{"version":1,"objects":[');
        break;
      }
      case 'huge-manifest': {
        const n = rng.pick([1_000, 20_000, 60_000]);
        manifest.embed = [...(manifest.embed as unknown[]), ...Array.from({ length: n }, (_, i) => (rng.next() < 0.1 ? { module: `gen.f${i}`, file: `gen/f${i}.lua` } : `gen.m${i}`))];
        if (choice < 2) {
          manifest.path = Array.from({ length: 1_500 }, (_, i) => `t${i}/?.lua`).join(';');
        }
        if (choice === 2) {
          manifest.provided = Array.from({ length: 60_000 }, (_, i) => `p${i}`);
        }
        break;
      }
      case 'new-names':
        layout.edits = 300 + rng.int(700);
        break;
    }
  }
  // A FIFO named as the manifest itself: the folder walk never opens it.
  if (kind === 'fifos' && rng.next() < 0.2) {
    fifo(path.join(project, MANIFEST_NAME));
  } else {
    fs.writeFileSync(path.join(project, MANIFEST_NAME), JSON.stringify(manifest));
  }
  return layout;
}

/** Everything an editor and the CLI do with a workspace that does not run a tool. */
function analyse(layout: Layout, rng: Rng): void {
  const ws = new Workspace(new NodeFileSystem(), { roots: [layout.project], env: { PATH: '' }, deferCycles: true });
  checkAll(ws);
  for (const project of ws.allProjects()) {
    moduleCatalog(ws, project);
    const embedding = ws.embedding(project);
    if (embedding) {
      buildModuleMap(embedding);
    }
  }
  const main = path.join(layout.project, 'lib', 'app', 'edited.lua');
  for (let i = 0; i < (layout.edits ?? 0); i++) {
    ws.setDocument(main, `local a = require("gen.new${i}_${rng.int(1e9)}")\nlocal b = require "app.m0"\nreturn a\n`);
    if (i % 50 === 0) {
      checkAll(ws);
      ws.refreshStaleCycles();
    }
  }
}

export async function runHostileFuzz(options: { cases: number; seed: number; build?: boolean }): Promise<HostileReport> {
  const report: HostileReport = { cases: 0, seed: options.seed, byKind: {}, builds: 0, refusedBuilds: 0, maxMs: 0, failures: [] };
  for (let i = 0; i < options.cases; i++) {
    const rng = new Rng((options.seed * 104_729 + i) >>> 0);
    const kind = HOSTILE_KINDS[i % HOSTILE_KINDS.length];
    report.byKind[kind] = (report.byKind[kind] ?? 0) + 1;
    const root = fs.realpathSync(fs.mkdtempSync(path.join(os.tmpdir(), 'resty-build-hostile-')));
    const fail = (what: string) => report.failures.length < 20 && report.failures.push(`case ${i} (${kind}, seed ${options.seed}): ${what}`);
    try {
      const layout = makeHostile(kind, root, rng);
      const outsideBefore = snapshot(path.join(root, 'outside'));
      const sourcesBefore = snapshot(path.join(layout.project, 'lib'));
      const t0 = performance.now();
      const cpu0 = process.cpuUsage();
      try {
        analyse(layout, rng);
      } catch (err) {
        fail(`analysis threw: ${err instanceof Error ? (err.stack ?? err.message).split('\n').slice(0, 4).join(' | ') : String(err)}`);
      }
      const cpu = process.cpuUsage(cpu0);
      if ((cpu.user + cpu.system) / 1000 > CORE_TIME_BOUND_MS) {
        fail(`analysis used ${((cpu.user + cpu.system) / 1000).toFixed(0)} ms of CPU time`);
      }
      report.maxMs = Math.max(report.maxMs, Math.round(performance.now() - t0));
      if (options.build !== false && kind !== 'new-names' && kind !== 'huge-manifest' && fs.lstatSync(path.join(layout.project, MANIFEST_NAME)).isFile()) {
        report.builds++;
        try {
          const build = loadBuildProject(layout.project, { PATH: process.env.PATH });
          await compileProject({ manifest: build.manifest, entries: build.entries, sources: build.sources, jobs: 1, timeoutMs: 20_000 });
        } catch (err) {
          if (err instanceof BuildEnvironmentError) {
            report.refusedBuilds++;
          } else {
            fail(`compile threw: ${err instanceof Error ? (err.stack ?? err.message).split('\n').slice(0, 4).join(' | ') : String(err)}`);
          }
        }
      }
      const outsideAfter = snapshot(path.join(root, 'outside'));
      if (outsideAfter.join('\n') !== outsideBefore.join('\n')) {
        fail(`changed outside the project: ${outsideAfter.filter((e) => !outsideBefore.includes(e)).join(', ') || 'an entry was deleted'}`);
      }
      const sourcesAfter = snapshot(path.join(layout.project, 'lib'));
      if (sourcesAfter.join('\n') !== sourcesBefore.join('\n')) {
        fail(`changed the sources: ${sourcesAfter.filter((e) => !sourcesBefore.includes(e)).join(', ') || 'an entry was deleted'}`);
      }
    } catch (err) {
      fail(`the generator failed: ${String(err)}`);
    } finally {
      fs.rmSync(root, { recursive: true, force: true });
    }
    report.cases++;
  }
  return report;
}
