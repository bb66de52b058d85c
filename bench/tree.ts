import * as fs from 'node:fs';
import * as path from 'node:path';

/** The Lua files under `dir`, hidden folders and node_modules skipped. */
export function listLua(dir: string, out: string[] = []): string[] {
  for (const e of fs.readdirSync(dir, { withFileTypes: true })) {
    if (e.name === 'node_modules' || e.name.startsWith('.')) {
      continue;
    }
    const p = path.join(dir, e.name);
    if (e.isDirectory()) {
      listLua(p, out);
    } else if (e.isFile() && e.name.endsWith('.lua')) {
      out.push(p);
    }
  }
  return out;
}

/** What the analysis reads of a tree; the rest (images, docs, binaries) is left behind. */
function analysed(name: string): boolean {
  return /\.(lua|conf|nginx)$/.test(name) || name === 'resty-build.json';
}

/**
 * A real tree made of several folders, copied side by side into `into` (one
 * workspace folder, each source under its own name; links followed, only
 * what the analysis reads), so that `check`, the server and the luaparse
 * baseline all see the same files. Returns the folder names used.
 */
export function assembleTree(sources: readonly string[], into: string): string[] {
  fs.mkdirSync(into, { recursive: true });
  const names: string[] = [];
  for (const source of sources) {
    const base = path.basename(path.resolve(source)) || 'root';
    let name = base;
    for (let n = 2; names.includes(name); n++) {
      name = `${base}-${n}`;
    }
    names.push(name);
    copyAnalysed(path.resolve(source), path.join(into, name), new Set());
  }
  return names;
}

function copyAnalysed(from: string, to: string, seen: Set<string>): void {
  const real = fs.realpathSync(from);
  if (seen.has(real)) {
    return;
  }
  seen.add(real);
  for (const e of fs.readdirSync(from, { withFileTypes: true })) {
    if (e.name.startsWith('.') || e.name === 'node_modules') {
      continue;
    }
    const source = path.join(from, e.name);
    let st: fs.Stats;
    try {
      st = fs.statSync(source);
    } catch {
      continue;
    }
    if (st.isDirectory()) {
      copyAnalysed(source, path.join(to, e.name), seen);
    } else if (st.isFile() && analysed(e.name)) {
      fs.mkdirSync(to, { recursive: true });
      fs.copyFileSync(source, path.join(to, e.name));
    }
  }
}
