// Where a whole-process `check` spends its time: `npx tsx bench/profile.ts <dir> [--no-cache]`
// (TOP=<n>: that many rows per thread, 12 by default)
// (npm run build first). Runs `node --cpu-prof dist/cli.js check <dir> --format json` once
// (with --no-cache: every file parsed by the worker threads; without, a second
// run that reads the facts the first one stored) and prints the self time of
// each thread by source file (through the bundles' source maps), heaviest first.
import { spawnSync } from 'node:child_process';
import * as fs from 'node:fs';
import { SourceMap } from 'node:module';
import * as os from 'node:os';
import * as path from 'node:path';
import { fmtMs, markdownTable } from './stats';

interface ProfileNode {
  id: number;
  callFrame: { functionName: string; url: string; lineNumber: number; columnNumber: number };
}

interface CpuProfile {
  nodes: ProfileNode[];
  samples: number[];
  timeDeltas: number[];
}

const maps = new Map<string, SourceMap | undefined>();

function sourceMapOf(url: string): SourceMap | undefined {
  if (!maps.has(url)) {
    const file = url.startsWith('file://') ? new URL(url).pathname : url;
    let map: SourceMap | undefined;
    try {
      map = new SourceMap(JSON.parse(fs.readFileSync(`${file}.map`, 'utf8')));
    } catch {
      map = undefined;
    }
    maps.set(url, map);
  }
  return maps.get(url);
}

/** A sample's place: the source file it maps to, node's internals, or V8's own entries (GC, idle). */
function placeOf(frame: ProfileNode['callFrame']): string {
  if (!frame.url) {
    return frame.functionName.startsWith('(') ? frame.functionName : `(native ${frame.functionName})`;
  }
  if (frame.url.startsWith('node:')) {
    return 'node internals (module loading, fs, path, worker start-up)';
  }
  const entry = frame.lineNumber >= 0 ? sourceMapOf(frame.url)?.findEntry(frame.lineNumber, frame.columnNumber) : undefined;
  const source = entry && 'originalSource' in entry && typeof entry.originalSource === 'string' ? entry.originalSource : frame.url;
  const npm = /node_modules\/([^/]+)/.exec(source);
  return npm ? `node_modules/${npm[1]}` : source.replace(/^.*?(server\/src\/|dist\/)/, '$1');
}

function selfTimes(profile: CpuProfile): Map<string, number> {
  const byId = new Map(profile.nodes.map((n) => [n.id, n]));
  const out = new Map<string, number>();
  profile.samples.forEach((id, i) => {
    const place = placeOf(byId.get(id)!.callFrame);
    out.set(place, (out.get(place) ?? 0) + (profile.timeDeltas[i] ?? 0) / 1000);
  });
  return out;
}

function main(): void {
  const dir = process.argv[2];
  if (!dir) {
    console.error('usage: tsx bench/profile.ts <dir> [--no-cache]');
    process.exit(2);
  }
  const noCache = process.argv.includes('--no-cache');
  const cli = path.join(__dirname, '..', 'dist', 'cli.js');
  const work = fs.mkdtempSync(path.join(os.tmpdir(), 'resty-build-profile-'));
  try {
    const env = { ...process.env, XDG_CACHE_HOME: path.join(work, 'cache') };
    const args = [cli, 'check', path.resolve(dir), '--format', 'json', ...(noCache ? ['--no-cache'] : [])];
    if (!noCache) {
      spawnSync(process.execPath, args, { env, stdio: 'ignore' });
    }
    const profiles = path.join(work, 'profiles');
    const run = spawnSync(process.execPath, ['--cpu-prof', '--cpu-prof-dir', profiles, ...args], { env, stdio: ['ignore', 'ignore', 'inherit'] });
    if (run.status !== 0 && run.status !== 1) {
      throw new Error(`check exited with ${run.status}`);
    }
    // One profile per thread, the main thread's first (its file name has the lowest thread number).
    for (const name of fs.readdirSync(profiles).sort()) {
      const profile = JSON.parse(fs.readFileSync(path.join(profiles, name), 'utf8')) as CpuProfile;
      const times = [...selfTimes(profile)].sort((a, b) => b[1] - a[1]);
      const total = times.reduce((n, [, ms]) => n + ms, 0);
      const thread = /\.0\.\d+\.cpuprofile$/.test(name) ? 'main thread' : 'worker thread';
      console.log(`\n${thread} (${name}): ${fmtMs(total)} sampled\n`);
      const top = times.slice(0, Number(process.env.TOP ?? 12)).map(([place, ms]) => [place, fmtMs(ms), `${((100 * ms) / total).toFixed(0)}%`]);
      console.log(markdownTable(['where', 'self time', 'share'], top));
    }
  } finally {
    fs.rmSync(work, { recursive: true, force: true });
  }
}

main();
