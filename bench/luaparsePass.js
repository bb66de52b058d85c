// The baseline `npm run bench` compares resty-build with: node and luaparse
// alone, over the Lua files of a folder, as one process.
//
//   node bench/luaparsePass.js <dir>
//
// Walks <dir> as resty-build's folder walk does (hidden folders, node_modules,
// dist and out skipped; symlinked folders followed once, inside <dir> only), reads every .lua
// file, then parses each with luaparse (LuaJIT dialect, locations and ranges
// on, as an analysis needs them). Prints one JSON line: the file count, the
// bytes, and the parse time alone (the in-process baseline); the whole
// process is timed by whoever runs it. Plain JavaScript, so that nothing but
// node and luaparse is loaded.
'use strict';
const fs = require('node:fs');
const path = require('node:path');
const luaparse = require('luaparse');

const SKIPPED = new Set(['node_modules', 'dist', 'out']);

function walk(dir, depth, seen, out, root = fs.realpathSync(dir)) {
  let real;
  try {
    real = fs.realpathSync(dir);
  } catch {
    return;
  }
  if (depth > 32 || seen.has(real) || (real !== root && !real.startsWith(root + path.sep))) {
    return;
  }
  seen.add(real);
  let entries;
  try {
    entries = fs.readdirSync(dir, { withFileTypes: true });
  } catch {
    return;
  }
  for (const e of entries) {
    const full = path.join(dir, e.name);
    let kind = e.isDirectory() ? 'dir' : e.isFile() ? 'file' : undefined;
    if (e.isSymbolicLink()) {
      try {
        const st = fs.statSync(full);
        kind = st.isDirectory() ? 'dir' : st.isFile() ? 'file' : undefined;
      } catch {
        kind = undefined;
      }
    }
    if (kind === 'dir' && !e.name.startsWith('.') && !SKIPPED.has(e.name)) {
      walk(full, depth + 1, seen, out, root);
    } else if (kind === 'file' && e.name.endsWith('.lua')) {
      out.push(full);
    }
  }
  return out;
}

const dir = process.argv[2];
if (!dir) {
  process.stderr.write('usage: node bench/luaparsePass.js <dir>\n');
  process.exit(2);
}
const files = walk(path.resolve(dir), 0, new Set(), []);
const texts = files.map((f) => fs.readFileSync(f, 'utf8'));
let errors = 0;
const start = performance.now();
for (const text of texts) {
  try {
    luaparse.parse(text, { luaVersion: 'LuaJIT', locations: true, ranges: true });
  } catch {
    errors++;
  }
}
const parseMs = performance.now() - start;
const bytes = texts.reduce((n, t) => n + Buffer.byteLength(t), 0);
process.stdout.write(JSON.stringify({ files: files.length, bytes, parseMs, errors }) + '\n');
