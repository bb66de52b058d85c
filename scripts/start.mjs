// `npm start`: runs the CLI over the bundled examples, the way a user would.
import { spawnSync } from 'node:child_process';

const steps = [
  ['check', 'examples/luakit-go'],
  ['check', 'examples/openresty-healthcheck'],
  ['map', 'examples/openresty-healthcheck'],
];

let failed = false;
for (const args of steps) {
  process.stdout.write(`\n$ resty-build ${args.join(' ')}\n`);
  const result = spawnSync(process.execPath, ['dist/cli.js', ...args], { stdio: 'inherit' });
  if (result.status !== 0) {
    failed = true;
  }
}
process.exit(failed ? 1 : 0);
