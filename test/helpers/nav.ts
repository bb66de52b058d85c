import * as path from 'node:path';
import { MemoryFileSystem } from '../../server/src/core/memoryFileSystem';
import { LineIndex, Position } from '../../server/src/core/types';
import { Workspace } from '../../server/src/core/workspace/workspace';
import { MEM_ROOT } from './core';

/**
 * An in-memory workspace for navigation tests. Each source may hold one `|`
 * cursor marker; it is removed and its position returned by `cursorOf`.
 */
export interface NavWorkspace {
  ws: Workspace;
  /** Absolute path of a file of the tree. */
  file(name: string): string;
  /** The position of the `|` marker in the named file (as given before the marker was removed). */
  cursor(name: string): Position;
}

export function navWorkspace(files: Record<string, string>, env: Record<string, string> = { PATH: '' }): NavWorkspace {
  const tree: Record<string, string> = {};
  const cursors = new Map<string, Position>();
  for (const [name, source] of Object.entries(files)) {
    const file = path.join(MEM_ROOT, name);
    const at = source.indexOf('|');
    // Lua has no `|` operator (LuaJIT rejects it too), so the marker is unambiguous.
    if (at >= 0) {
      const text = source.slice(0, at) + source.slice(at + 1);
      cursors.set(file, new LineIndex(text).position(at));
      tree[file] = text;
    } else {
      tree[file] = source;
    }
  }
  const ws = new Workspace(new MemoryFileSystem(tree), { roots: [MEM_ROOT], env });
  const file = (name: string) => path.join(MEM_ROOT, name);
  return {
    ws,
    file,
    cursor(name) {
      const pos = cursors.get(file(name));
      if (!pos) {
        throw new Error(`no | marker in ${name}`);
      }
      return pos;
    },
  };
}

/** The range of `needle` on 0-based line `line` of `text` (must occur once there). */
export function rangeIn(text: string, line: number, needle: string) {
  const l = text.replace(/\|/g, '').split('\n')[line];
  const at = l?.indexOf(needle) ?? -1;
  if (at < 0 || l.indexOf(needle, at + 1) >= 0) {
    throw new Error(`'${needle}' must occur once on line ${line}: ${l}`);
  }
  return { start: { line, character: at }, end: { line, character: at + needle.length } };
}
