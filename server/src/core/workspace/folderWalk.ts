import * as path from 'node:path';
import { FileSystem } from '../fs';
import { MANIFEST_NAME } from '../manifest/manifest';
import { isNginxConfFile } from '../nginx/nginxConf';
import { isInside } from '../paths';

/**
 * Folders never worth scanning for Lua sources. `lua_modules` is a LuaRocks
 * project tree (installed rocks, like node_modules): its modules still
 * resolve through the search path, they are not the project's own files.
 */
const SKIPPED_DIRS = new Set(['node_modules', 'lua_modules', '.git', '.hg', '.svn', '.vscode-test', 'dist', 'out']);
const MAX_DEPTH = 32;

/** The files of the workspace's folders the analysis reads, each list sorted. */
export interface WorkspaceFiles {
  lua: string[];
  manifests: string[];
  /** Every `build.lua` (also in `lua`): a luakit project may start there. */
  buildScripts: string[];
  nginxConfs: string[];
  /** Lua files and folders whose names are not valid UTF-8: not analysed, reported instead (in walk order). */
  undecodable: UndecodableName[];
}

/** A Lua file or a folder the analysis cannot open by name: its bytes are not valid UTF-8. */
export interface UndecodableName {
  /** The folder that holds it. */
  dir: string;
  /** The name with its invalid bytes written `\xNN`. */
  name: string;
  /** A folder is not walked: whatever it holds is not analysed either. */
  kind: 'lua' | 'folder';
}

/**
 * Walks the roots for Lua files, manifests and nginx configurations,
 * skipping hidden and tool folders. `extraLua` are open documents: one
 * inside a root counts even before it is saved.
 */
export function walkWorkspaceFolders(fs: FileSystem, roots: readonly string[], extraLua: Iterable<string> = []): WorkspaceFiles {
  const lua: string[] = [];
  const manifests: string[] = [];
  const buildScripts: string[] = [];
  const nginxConfs: string[] = [];
  const undecodable: UndecodableName[] = [];
  const visited = new Set<string>();
  const realRoots = roots.map((r) => fs.realPath?.(r) ?? r);
  for (const root of roots) {
    walk(fs, root, 0, { visited, realRoots, undecodable }, (file) => {
      const base = path.basename(file);
      if (base === MANIFEST_NAME) {
        manifests.push(file);
      } else if (file.endsWith('.lua')) {
        lua.push(file);
        if (base === 'build.lua') {
          buildScripts.push(file);
        }
      } else if (isNginxConfFile(file)) {
        nginxConfs.push(file);
      }
    });
  }
  for (const file of extraLua) {
    if (file.endsWith('.lua') && !lua.includes(file) && roots.some((r) => isInside(r, file))) {
      lua.push(file);
    }
  }
  return { lua: lua.sort(), manifests: manifests.sort(), buildScripts, nginxConfs: nginxConfs.sort(), undecodable };
}

interface WalkState {
  /** Real paths walked: a symlink loop (or two roots sharing a folder) is not walked again. */
  visited: Set<string>;
  realRoots: string[];
  undecodable: UndecodableName[];
}

function walk(fs: FileSystem, dir: string, depth: number, state: WalkState, visit: (file: string) => void): void {
  const real = fs.realPath?.(dir) ?? dir;
  // A link out of the roots (to /, /proc, a home folder) would make the whole machine the workspace; what
  // the project requires from outside is still read when it resolves.
  if (depth > MAX_DEPTH || state.visited.has(real) || !state.realRoots.some((r) => isInside(r, real))) {
    return;
  }
  state.visited.add(real);
  for (const entry of fs.readDir(dir)) {
    const full = path.join(dir, entry.name);
    if (entry.kind === 'directory') {
      if (!SKIPPED_DIRS.has(entry.name) && !entry.name.startsWith('.')) {
        if (entry.undecodable !== undefined) {
          state.undecodable.push({ dir, name: entry.undecodable, kind: 'folder' });
        } else {
          walk(fs, full, depth + 1, state, visit);
        }
      }
    } else if (entry.undecodable !== undefined) {
      // Counted as a Lua file it would be one nothing can read: it is reported, not listed.
      if (entry.kind === 'file' && entry.name.endsWith('.lua')) {
        state.undecodable.push({ dir, name: entry.undecodable, kind: 'lua' });
      }
    } else if (entry.kind === 'file') {
      visit(full);
    }
  }
}
