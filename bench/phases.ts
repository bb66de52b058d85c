// Where the server's cold start goes, phase by phase: `tsx bench/phases.ts <dir>`.
import * as path from 'node:path';
import { initialize, startSession } from './lspSession';

async function main(): Promise<void> {
  const dir = process.argv[2];
  if (!dir) {
    console.error('usage: tsx bench/phases.ts <workspace dir>');
    process.exit(2);
  }
  process.env.RESTY_BUILD_PROFILE = '1';
  const t0 = performance.now();
  const session = startSession(path.join(__dirname, '..', 'dist', 'server.js'));
  session.connection.onNotification('window/logMessage', (p: { message: string }) => console.log(`${Math.round(performance.now() - t0)} ms  ${p.message}`));
  const ready = session.nextReady();
  await initialize(session, dir, { factsCache: false });
  console.log(`${Math.round((await ready) - t0)} ms  ready; peak RSS ${session.peakRssMiB().toFixed(0)} MiB`);
  await session.stop();
}

void main();
