import * as fs from 'node:fs';
import * as path from 'node:path';
import { MANIFEST_NAME } from './core/manifest/manifest';

/**
 * The folder of the nearest manifest at or above `dir`, looking no further
 * up than the repository's root (a folder with `.git`); undefined when
 * there is none.
 */
export function enclosingManifestDir(dir: string): string | undefined {
  for (let at = dir; ; at = path.dirname(at)) {
    if (fs.existsSync(path.join(at, MANIFEST_NAME))) {
      return at;
    }
    if (fs.existsSync(path.join(at, '.git')) || path.dirname(at) === at) {
      return undefined;
    }
  }
}

/** For "no manifest in dir": where the project's manifest is, when `dir` is inside a project. */
export function enclosingManifestHint(dir: string): string {
  const above = path.dirname(dir) === dir ? undefined : enclosingManifestDir(path.dirname(dir));
  return above === undefined ? '' : ` ${dir} is inside the project of ${path.join(above, MANIFEST_NAME)}: run the command on ${above}.`;
}
