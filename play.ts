import { cpSync, mkdirSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { buildNginx } from './test/e2e/nginx/harness';
import { compileProject, linkFlags } from './test/e2e/nginx/product';
(async () => {
  const root = '/tmp/rb-audit-play';
  rmSync(root, { recursive: true, force: true });
  const dir = join(root, 'proj');
  cpSync('test/e2e/nginx/fixtures/embed-resty-core', dir, { recursive: true });
  await compileProject(dir);
  const flags = await linkFlags(dir, 'objects');
  mkdirSync(join(root, 'out'), { recursive: true });
  const n = await buildNginx({ configureArgs: flags.configureArgs, outDir: join(root, 'out') });
  console.log(n.binary);
})();
