// `npm start`: runs the CLI over the bundled examples, the way a user would:
// check both projects, show the OpenResty module map, then compile its
// bytecode and print the nginx ./configure flags (when luajit is installed).
import { spawnSync } from 'node:child_process';

const run = (args) => {
  process.stdout.write(`\n$ resty-build ${args.join(' ')}\n`);
  return spawnSync(process.execPath, ['dist/cli.js', ...args], { stdio: 'inherit' }).status === 0;
};

let ok = run(['check', 'examples/luakit-go']);
ok = run(['check', 'examples/openresty-healthcheck']) && ok;
ok = run(['map', 'examples/openresty-healthcheck']) && ok;

const luajit = spawnSync('luajit', ['-v'], { encoding: 'utf8' });
if (luajit.status === 0) {
  ok = run(['compile', 'examples/openresty-healthcheck']) && ok;
  ok = run(['flags', 'examples/openresty-healthcheck']) && ok;
} else {
  process.stdout.write('\n(luajit is not installed, so the bytecode is not compiled: apt-get install luajit2, then npm start again)\n');
}
process.exit(ok ? 0 : 1);
