// Workspaces the editor e2e opens: copies of examples/ in a temp folder, since compile writes
// build/bytecode into the project and the suites edit and save files.
import { cpSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { REPO_ROOT } from './extensionTests';

export const EXAMPLES_DIR = join(REPO_ROOT, 'examples');

/** Copies examples/ (openresty-healthcheck, luakit-go) to `<parent>/examples`; returns that folder. */
export function copyExamples(parent: string): string {
  const folder = join(parent, 'examples');
  cpSync(EXAMPLES_DIR, folder, { recursive: true, filter: (src) => !/\/examples\/[^/]+\/build(\/|$)/.test(src) });
  return folder;
}

/** The module a known embedding problem is planted with (see plantNotInMapping). */
export const PLANTED_MODULE = 'app.metrics';

/**
 * Copies examples/openresty-healthcheck to `<parent>/openresty-healthcheck` with one known
 * problem: app.config (embedded) requires a new module app.metrics that is not in `embed`, so the
 * binary would fail with "module 'app.metrics' not found": a `not-in-mapping` error.
 */
export function healthcheckWithProblem(parent: string): string {
  const folder = join(parent, 'openresty-healthcheck');
  cpSync(join(EXAMPLES_DIR, 'openresty-healthcheck'), folder, { recursive: true, filter: (src) => !/\/build(\/|$)/.test(src.slice(EXAMPLES_DIR.length)) });
  writeFileSync(join(folder, 'lib', 'app', 'metrics.lua'), '-- Request counters for the status page.\nlocal _M = {}\n\nfunction _M.incr(name)\n  ngx.shared.metrics:incr(name, 1, 0)\nend\n\nreturn _M\n');
  const config = join(folder, 'lib', 'app', 'config.lua');
  writeFileSync(config, readFileSync(config, 'utf8').replace(/^return _M$/m, '_M.metrics = require "app.metrics"\n\nreturn _M'));
  return folder;
}
