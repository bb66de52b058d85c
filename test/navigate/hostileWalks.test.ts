// Search roots outside the workspace (a luakit stdlib, a system folder) are
// walked for module completion: links back to a folder, /proc and huge
// folders must not stall the server. The walk is bounded in depth and
// entries and remembers real paths; these tests count what it reads.
import assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { test } from 'node:test';
import { DirEntry } from '../../server/src/core/fs';
import { NodeFileSystem } from '../../server/src/core/nodeFileSystem';
import { MAX_WALK_ENTRIES, moduleCatalog } from '../../server/src/core/navigate/moduleCatalog';
import { Workspace } from '../../server/src/core/workspace/workspace';
import { tempDir } from '../helpers/toolchain';

class CountingFileSystem extends NodeFileSystem {
  entriesRead = 0;
  override readDir(dir: string): DirEntry[] {
    const entries = super.readDir(dir);
    this.entriesRead += entries.length;
    return entries;
  }
}

function luakitWorkspace(stdlib: string): { ws: Workspace; disk: CountingFileSystem; file: string } {
  const root = path.join(tempDir(), 'ws');
  fs.mkdirSync(root);
  fs.writeFileSync(path.join(root, 'build.lua'), 'local x = require("")\nbk.go()\n');
  fs.writeFileSync(path.join(root, 'resty-build.json'), JSON.stringify({ profile: 'luakit', stdlib }));
  const disk = new CountingFileSystem();
  const ws = new Workspace(disk, { roots: [root], env: { PATH: '' } });
  return { ws, disk, file: path.join(root, 'build.lua') };
}

test('a stdlib outside the workspace with links back to itself is walked once per real folder', { timeout: 30_000 }, () => {
  const stdlib = path.join(tempDir(), 'stdlib');
  fs.mkdirSync(path.join(stdlib, 'sub'), { recursive: true });
  fs.writeFileSync(path.join(stdlib, 'strings.lua'), 'return {}\n');
  fs.writeFileSync(path.join(stdlib, 'sub', 'deep.lua'), 'return {}\n');
  for (const name of ['l1', 'l2', 'l3', 'l4', 'l5']) {
    fs.symlinkSync('.', path.join(stdlib, name));
    fs.symlinkSync('..', path.join(stdlib, 'sub', name));
  }
  const { ws, disk, file } = luakitWorkspace(stdlib);
  disk.entriesRead = 0;
  const names = moduleCatalog(ws, ws.projectFor(file))
    .filter((e) => e.origin === 'stdlib')
    .map((e) => e.name);
  assert.deepEqual(names, ['strings', 'sub.deep']);
  // Two real folders of 7 entries each: every link leads to a folder already walked.
  assert.ok(disk.entriesRead <= 14, `read ${disk.entriesRead} entries`);
});

test('a stdlib of /proc, or a folder of many entries, is cut at the entry budget', { timeout: 30_000 }, () => {
  for (const stdlib of ['/proc', '/']) {
    const { ws, disk, file } = luakitWorkspace(stdlib);
    disk.entriesRead = 0;
    const catalog = moduleCatalog(ws, ws.projectFor(file));
    assert.ok(catalog.some((e) => e.name === 'string'), 'the built-ins are still there');
    // A folder's entries are read whole before they are counted: the budget plus one folder.
    assert.ok(disk.entriesRead <= MAX_WALK_ENTRIES + 5_000, `${stdlib}: read ${disk.entriesRead} entries`);
  }
  const wide = path.join(tempDir(), 'wide');
  fs.mkdirSync(wide);
  for (let i = 0; i < 300; i++) {
    fs.mkdirSync(path.join(wide, `d${i}`));
    for (let j = 0; j < 100; j++) {
      fs.writeFileSync(path.join(wide, `d${i}`, `m${j}.lua`), '');
    }
  }
  const { ws, disk, file } = luakitWorkspace(wide);
  disk.entriesRead = 0;
  const found = moduleCatalog(ws, ws.projectFor(file)).filter((e) => e.origin === 'stdlib').length;
  assert.ok(found > 0 && found < 30_000, `${found} stdlib modules`);
  assert.ok(disk.entriesRead <= MAX_WALK_ENTRIES + 300, `read ${disk.entriesRead} entries`);
});
