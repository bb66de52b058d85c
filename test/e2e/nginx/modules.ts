// Third-party nginx modules for the harness: their sources staged under the
// cache and, once a tree is built with --add-dynamic-module, their .so files.
import { createHash } from 'node:crypto';
import { cpSync, existsSync, mkdirSync, readdirSync, readFileSync, renameSync, rmSync } from 'node:fs';
import { basename, join } from 'node:path';
import type { NginxTree } from './build';
import { cacheRoot } from './sources';

/**
 * Copies a module's source folder to `modules/<hash>/<name>` under the cache.
 * The path goes into `--add-dynamic-module=`, so it is part of the nginx
 * tree's cache key: the same sources reuse the built tree from any checkout,
 * changed sources build a new one.
 */
export function stageModuleSources(sourceDir: string): string {
  const hash = createHash('sha256');
  for (const name of readdirSync(sourceDir).sort()) {
    hash.update(name).update('\0').update(readFileSync(join(sourceDir, name))).update('\0');
  }
  const staged = join(cacheRoot(), 'modules', hash.digest('hex').slice(0, 16), basename(sourceDir));
  if (!existsSync(staged)) {
    const partial = `${staged}.partial-${process.pid}`;
    mkdirSync(partial, { recursive: true });
    cpSync(sourceDir, partial, { recursive: true });
    try {
      renameSync(partial, staged);
    } catch {
      // A parallel test file staged the same sources first.
      rmSync(partial, { recursive: true, force: true });
    }
  }
  return staged;
}

/** The dynamic module `make` built in a tree configured with `--add-dynamic-module`. */
export function dynamicModuleFile(tree: NginxTree, moduleName: string): string {
  const file = join(tree.dir, 'objs', `${moduleName}.so`);
  if (!existsSync(file)) {
    throw new Error(`${file} was not built: was the tree configured with --add-dynamic-module for ${moduleName}?`);
  }
  return file;
}
