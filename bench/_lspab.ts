// scratch: interleaved LSP cold starts. usage: tsx bench/_lspab.ts N root 'ENV=1 ...' '...'
import * as path from 'node:path';
import * as fs from 'node:fs';
import { initialize, startSession } from './lspSession';
const serverJs = path.resolve(__dirname, '../dist/server.js');
async function once(root: string, envs: string, storageDir: string): Promise<number> {
  const saved = { ...process.env };
  for (const kv of envs.split(' ').filter(Boolean)) { const [k, v] = kv.split('='); process.env[k] = v; }
  const t0 = performance.now();
  const s = startSession(serverJs);
  const ready = s.nextReady();
  await initialize(s, root, { storageDir });
  const ms = (await ready) - t0;
  await s.stop();
  process.env = saved;
  return ms;
}
(async () => {
  const [n, root, ...variants] = process.argv.slice(2);
  const times: Record<string, number[]> = {};
  for (let i = 0; i < Number(n); i++) {
    for (const v of variants) {
      const dir = fs.mkdtempSync('/tmp/lspab/s');
      const cold = v.includes('WARM') ? '/tmp/lspab/warm' : dir;
      (times[v] ??= []).push(await once(root, v, cold));
      fs.rmSync(dir, { recursive: true, force: true });
    }
  }
  for (const v of variants) { const t = times[v].sort((a, b) => a - b); console.log(`median ${t[t.length >> 1].toFixed(0)} min ${t[0].toFixed(0)}  ${v}`); }
})();
