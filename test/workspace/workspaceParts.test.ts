// The parts the Workspace coordinates, each on its own: the folder walk,
// the overlay of open documents, the facts cache, project discovery, the
// embeddings through edits and require-cycle tracking.
import assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { describe, test } from 'node:test';
import { checkFile, checkFileLocal } from '../../server/src/core/checks/fileChecks';
import { MemoryFileSystem } from '../../server/src/core/memoryFileSystem';
import { scanLua } from '../../server/src/core/lua/luaScan';
import { lineStarts } from '../../server/src/core/types';
import { analyseFile } from '../../server/src/fileAnalysis';
import { FactsCache } from '../../server/src/core/workspace/factsCache';
import { walkWorkspaceFolders } from '../../server/src/core/workspace/folderWalk';
import { OverlayFileSystem } from '../../server/src/core/workspace/overlayFs';
import { WorkspaceProjects } from '../../server/src/core/workspace/projects';
import { Workspace } from '../../server/src/core/workspace/workspace';

const ROOT = path.resolve('/mem/parts');
const file = (name: string) => path.join(ROOT, name);

function tree(files: Record<string, string>): Record<string, string> {
  return Object.fromEntries(Object.entries(files).map(([name, text]) => [file(name), text]));
}

/** An in-memory tree with stamps (a version per write) that counts its reads. */
class StampedFileSystem extends MemoryFileSystem {
  reads = 0;
  private readonly versions = new Map<string, number>();

  write(name: string, text: string): void {
    super.write(name, text);
    this.versions.set(path.resolve(name), (this.versions.get(path.resolve(name)) ?? 0) + 1);
  }

  stamp(name: string): string | undefined {
    return this.isFile(name) ? `v${this.versions.get(path.resolve(name)) ?? 0}` : undefined;
  }

  readFile(name: string): string | undefined {
    this.reads++;
    return super.readFile(name);
  }
}

describe('folder walk', () => {
  test('sorts out Lua files, manifests, build scripts and nginx configurations; skips hidden and tool folders', () => {
    const fs = new MemoryFileSystem(
      tree({
        'resty-build.json': '{}',
        'lib/a.lua': '',
        'tools/build.lua': '',
        'conf/nginx.conf': '',
        'conf/api.conf': '',
        'etc/other.conf': '',
        'site.nginx': '',
        '..hidden/b.lua': '',
        'node_modules/x/y.lua': '',
        '.git/hooks/h.lua': '',
        '.cache/c.lua': '',
        'dist/d.lua': '',
        'out/o.lua': '',
        'README.md': '',
      }),
    );
    const found = walkWorkspaceFolders(fs, [ROOT], [file('unsaved.lua'), path.resolve('/elsewhere/e.lua'), file('notes.txt')]);
    const rel = (list: string[]) => list.map((f) => path.relative(ROOT, f));
    assert.deepEqual(rel(found.lua), ['lib/a.lua', 'tools/build.lua', 'unsaved.lua']);
    assert.deepEqual(rel(found.manifests), ['resty-build.json']);
    assert.deepEqual(rel(found.buildScripts), ['tools/build.lua']);
    assert.deepEqual(rel(found.nginxConfs), ['conf/api.conf', 'conf/nginx.conf', 'site.nginx']);
  });

  test('two roots sharing a folder list its files once', () => {
    const fs = new MemoryFileSystem(tree({ 'a/x.lua': '', 'a/b/y.lua': '' }));
    assert.deepEqual(walkWorkspaceFolders(fs, [file('a'), file('a')]).lua, [file('a/b/y.lua'), file('a/x.lua')]);
  });
});

describe('overlay of open documents', () => {
  test('an open document shadows the text on disk, not whether a file exists', () => {
    const overlays = new OverlayFileSystem(new MemoryFileSystem(tree({ 'a.lua': 'disk' })));
    overlays.setText(file('a.lua'), 'editor');
    overlays.setText(file('new.lua'), 'unsaved');
    assert.equal(overlays.readFile(file('a.lua')), 'editor');
    assert.equal(overlays.readFile(file('new.lua')), 'unsaved');
    assert.equal(overlays.isFile(file('new.lua')), false);
    assert.deepEqual([...overlays.openFiles()], [file('a.lua'), file('new.lua')]);
    overlays.close(file('a.lua'));
    assert.equal(overlays.readFile(file('a.lua')), 'disk');
    assert.equal(overlays.isOpen(file('a.lua')), false);
  });
});

describe('facts cache', () => {
  function cacheOver(files: Record<string, string>) {
    const disk = new StampedFileSystem(tree(files));
    const overlays = new OverlayFileSystem(disk);
    return { disk, overlays, cache: new FactsCache(overlays, overlays) };
  }

  test('a file on disk is analysed once per content, its stamp looked at once per generation', () => {
    const { disk, cache } = cacheOver({ 'a.lua': 'local x = require "x"\n' });
    const first = cache.facts(file('a.lua'))!;
    assert.equal(cache.facts(file('a.lua')), first);
    cache.nextGeneration();
    assert.equal(cache.facts(file('a.lua')), first, 'same stamp: same facts, file not read again');
    assert.equal(disk.reads, 1);
    disk.write(file('a.lua'), 'local y = require "y"\n');
    assert.equal(cache.facts(file('a.lua')), first, 'within a generation the stamp is trusted');
    cache.nextGeneration();
    assert.deepEqual(cache.facts(file('a.lua'))!.requires.map((r) => r.name), ['y']);
  });

  test('an open document is analysed by its text; primed facts do not replace it', () => {
    const { overlays, cache } = cacheOver({ 'a.lua': 'require "disk"\n' });
    overlays.setText(file('a.lua'), 'require "editor"\n');
    const open = cache.facts(file('a.lua'))!;
    assert.deepEqual(open.requires.map((r) => r.name), ['editor']);
    cache.prime(file('a.lua'), 'v0', { scan: scanLua('require "worker"\n'), syntax: null });
    assert.equal(cache.facts(file('a.lua')), open);
    overlays.close(file('a.lua'));
    assert.deepEqual(cache.facts(file('a.lua'))!.requires.map((r) => r.name), ['disk']);
  });

  test("a worker's 5.2-compatible verdict answers for that dialect without the file read or parsed again", () => {
    // Plain LuaJIT: "ambiguous syntax (function call x new statement)"; a 5.2-compatible one accepts it.
    const text = 'local x = f\n(g)()\n';
    const t = path.join(os.tmpdir(), `resty-build-syntax52-${process.pid}.lua`);
    fs.writeFileSync(t, text);
    try {
      const computed = analyseFile(t)!;
      assert.ok(computed.syntax, 'an error for a plain LuaJIT');
      assert.equal(computed.syntax52, null, 'valid for a 5.2-compatible one');
      fs.writeFileSync(t, 'return 1\n');
      assert.equal(analyseFile(t)!.syntax52, undefined, 'not judged twice where both agree');
    } finally {
      fs.rmSync(t, { force: true });
    }
    const { disk, cache } = cacheOver({ 'a.lua': text });
    cache.prime(file('a.lua'), 'v0', { scan: scanLua(text), syntax: { message: 'ambiguous syntax', start: 12, end: 13 }, syntax52: null, lines: { starts: lineStarts(text), length: text.length } });
    const facts = cache.facts(file('a.lua'))!;
    assert.ok(facts.syntaxErrorFor({ lua52compat: false }));
    assert.equal(facts.syntaxErrorFor({ lua52compat: true }), undefined);
    assert.equal(disk.reads, 0);
  });

  test('facts primed by a worker for the current stamp are used without reading the file', () => {
    const { disk, cache } = cacheOver({ 'a.lua': 'require "disk"\n' });
    cache.prime(file('a.lua'), 'v0', { scan: scanLua('require "disk"\n'), syntax: null });
    assert.deepEqual(cache.facts(file('a.lua'))!.requires.map((r) => r.name), ['disk']);
    assert.equal(disk.reads, 0);
  });

  test('prune forgets files that are gone, keeps open ones', () => {
    const { disk, overlays, cache } = cacheOver({ 'a.lua': 'return 1\n', 'b.lua': 'return 2\n' });
    cache.facts(file('a.lua'));
    cache.facts(file('b.lua'));
    overlays.setText(file('b.lua'), 'return 2\n');
    disk.delete(file('a.lua'));
    disk.delete(file('b.lua'));
    cache.prune((f) => disk.isFile(f));
    assert.equal(cache.cached(file('a.lua')), undefined);
    assert.notEqual(cache.cached(file('b.lua')), undefined);
  });
});

describe('project discovery', () => {
  const fs = new MemoryFileSystem(
    tree({
      'app/resty-build.json': JSON.stringify({ profile: 'openresty', path: ['?.lua'] }),
      'app/inner/resty-build.json': JSON.stringify({ profile: 'openresty', path: ['?.lua'] }),
      'kit/build.lua': 'bk.image("alpine")\n',
      'plain/build.lua': 'print("not luakit")\n',
    }),
  );
  const projects = new WorkspaceProjects(fs, { PATH: '' }, [ROOT]);
  projects.discover([file('app/resty-build.json'), file('app/inner/resty-build.json')], [file('kit/build.lua'), file('plain/build.lua')]);

  test('one project per manifest and per luakit build script; the innermost owns a file', () => {
    assert.deepEqual(projects.all().map((p) => [path.relative(ROOT, p.root), p.profile]), [
      ['app/inner', 'openresty'],
      ['app', 'openresty'],
      ['kit', 'luakit'],
    ]);
    assert.equal(projects.projectFor(file('app/inner/x.lua')).root, file('app/inner'));
    assert.equal(projects.projectFor(file('app/x.lua')).root, file('app'));
    assert.equal(projects.projectFor(file('kit/lib/x.lua')).root, file('kit'));
  });

  test('other files share one default project per root; resolutions are remembered until the next discovery', () => {
    const plain = projects.projectFor(file('plain/x.lua'));
    assert.equal(plain.root, ROOT);
    assert.equal(projects.projectFor(file('other.lua')), plain);
    const r = projects.resolve(plain, 'plain.x');
    assert.equal(projects.resolve(plain, 'plain.x'), r);
    projects.discover([], []);
    const again = projects.projectFor(file('other.lua'));
    assert.notEqual(again, plain);
    assert.notEqual(projects.resolve(again, 'plain.x'), r);
  });
});

describe('luakit scripts outside a manifest folder', () => {
  const files = tree({ 'ci/pipeline.lua': 'local x = bk.image("alpine")\nreturn x\n', 'lib/plain.lua': 'return 1\n', 'lib/other.lua': 'return 2\n' });
  /** Facts stored for the files as first written (stamp v0). */
  const storedFacts = (name: string, stamp: string) =>
    stamp === 'v0' && files[name] !== undefined ? { stamp, scan: scanLua(files[name]), syntax: null } : undefined;

  test('the walk reads each file once to tell one', () => {
    const disk = new StampedFileSystem(files);
    const ws = new Workspace(disk, { roots: [ROOT], env: { PATH: '' } });
    assert.equal(disk.reads, 3);
    assert.equal(ws.projectFor(file('ci/x.lua')).profile, 'luakit');
  });

  test('with stored facts current for their stamps it reads none, and the facts are primed', () => {
    const disk = new StampedFileSystem(files);
    const ws = new Workspace(disk, { roots: [ROOT], env: { PATH: '' }, storedFacts });
    assert.equal(ws.projectFor(file('ci/x.lua')).profile, 'luakit');
    assert.notEqual(ws.projectFor(file('lib/x.lua')).profile, 'luakit');
    assert.ok(ws.hasDiskFacts(file('lib/plain.lua')));
    assert.equal(disk.reads, 0);
  });

  test('a file changed since its facts were stored is read', () => {
    const disk = new StampedFileSystem(files);
    disk.write(file('ci/pipeline.lua'), 'return "no longer luakit"\n');
    const ws = new Workspace(disk, { roots: [ROOT], env: { PATH: '' }, storedFacts });
    assert.equal(disk.reads, 1);
    assert.notEqual(ws.projectFor(file('ci/x.lua')).profile, 'luakit');
  });
});

describe('embeddings through edits', () => {
  const files = {
    'resty-build.json': JSON.stringify({ profile: 'openresty', path: ['?.lua'], embed: ['app', 'dep'] }),
    'app.lua': 'local dep = require "dep"\nreturn {}\n',
    'dep.lua': 'return 1\n',
    'extra.lua': 'return 2\n',
  };

  test('an edit that reaches the same modules patches the closure; one that reaches others computes it again', () => {
    const ws = new Workspace(new MemoryFileSystem(tree(files)), { roots: [ROOT], env: { PATH: '' } });
    const project = ws.allProjects()[0];
    const before = ws.embedding(project)!;
    ws.setDocument(file('app.lua'), 'local dep = require "dep"\nlocal m = require(name)\nreturn {}\n');
    assert.equal(ws.embedding(project), before, 'the same embedding, its closure patched');
    assert.deepEqual(checkFile(ws, file('app.lua')).map((f) => [f.code, f.severity]), [['dynamic-require', 'warning']]);
    ws.setDocument(file('app.lua'), 'local dep = require "dep"\nlocal extra = require "extra"\nreturn {}\n');
    const recomputed = ws.embedding(project)!;
    assert.notEqual(recomputed, before);
    assert.deepEqual([...recomputed.closure.files].map((f) => path.basename(f)).sort(), ['app.lua', 'dep.lua', 'extra.lua']);
    assert.deepEqual(checkFile(ws, file('app.lua')).map((f) => [f.code, f.module]), [['not-in-mapping', 'extra']]);
  });
});

describe('require-cycle tracking', () => {
  const files = { 'a.lua': 'local b = require "b"\nreturn {}\n', 'b.lua': 'local a = require "a"\nreturn {}\n' };
  const codes = (ws: Workspace) => ws.cycleFindings(file('b.lua')).map((f) => f.code);

  test('found again on the next question after an edit changes what a file requires', () => {
    const ws = new Workspace(new MemoryFileSystem(tree(files)), { roots: [ROOT], env: { PATH: '' } });
    assert.deepEqual(codes(ws), ['require-cycle']);
    ws.setDocument(file('b.lua'), 'return {}\n');
    assert.deepEqual(codes(ws), []);
  });

  test('deferred: an edit leaves the findings until refreshStaleCycles, which names the files that changed', () => {
    const ws = new Workspace(new MemoryFileSystem(tree(files)), { roots: [ROOT], env: { PATH: '' }, deferCycles: true });
    assert.deepEqual(codes(ws), ['require-cycle']);
    ws.setDocument(file('a.lua'), 'local b = require "b"\nlocal y = 2\nreturn {}\n');
    assert.deepEqual(ws.refreshStaleCycles(), [], 'the same requires: nothing to find again');
    ws.setDocument(file('b.lua'), 'return {}\n');
    assert.deepEqual(codes(ws), ['require-cycle'], 'stale until typing pauses');
    assert.deepEqual(ws.refreshStaleCycles(), [file('b.lua')]);
    assert.deepEqual(codes(ws), []);
    assert.deepEqual(ws.refreshStaleCycles(), []);
  });
});

describe('resolution by the loaders alone', () => {
  const files = {
    'resty-build.json': JSON.stringify({ profile: 'openresty', path: ['?.lua'], embed: ['app'] }),
    'app.lua': 'local c = require "registered_counter"\nlocal d = require "dep"\nreturn {}\n',
    'dep.lua': 'return 1\n',
    'exporter.lua': 'package.loaded["registered_counter"] = {}\nreturn {}\n',
  };

  test('reads no file for package.loaded registrations; resolve then finds the registration', () => {
    const disk = new StampedFileSystem(tree(files));
    const ws = new Workspace(disk, { roots: [ROOT], env: { PATH: '' } });
    const project = ws.projectFor(file('app.lua'));
    const before = disk.reads;
    const byLoaders = ws.resolveByLoaders(project, 'registered_counter');
    assert.equal(byLoaders.status, 'unresolved');
    assert.equal(disk.reads, before, 'no Lua file read to collect registrations');
    assert.equal(ws.resolveByLoaders(project, 'dep').file, file('dep.lua'));
    assert.equal(ws.resolve(project, 'dep'), ws.resolveByLoaders(project, 'dep'), 'a found module is one answer for both');
    const full = ws.resolve(project, 'registered_counter');
    assert.equal(full.origin, 'registered');
    assert.equal(full.registeredBy?.file, file('exporter.lua'));
    assert.ok(disk.reads > before, 'the registrations were collected from the files');
  });

  test('the early findings of an open file leave a require no loader finds to the full check, and parse no other file for it', () => {
    const disk = new StampedFileSystem(tree(files));
    const ws = new Workspace(disk, { roots: [ROOT], env: { PATH: '' } });
    ws.setDocument(file('app.lua'), 'local c = require "registered_counter"\nlocal m = require "missing"\nlocal x = = 1\n');
    const before = disk.reads;
    assert.deepEqual(checkFileLocal(ws, file('app.lua')).map((f) => f.code), ['syntax-error']);
    assert.equal(disk.reads, before, 'no Lua file read to collect registrations');
    assert.deepEqual(
      checkFile(ws, file('app.lua')).map((f) => [f.code, f.module]).filter(([code]) => code !== 'syntax-error'),
      [['unresolved-module', 'missing']],
    );
  });
});
