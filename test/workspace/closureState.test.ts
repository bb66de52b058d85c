// The closure-state diff: which files an edit changed the closure findings
// of, so a server republishes those and no others.
import assert from 'node:assert/strict';
import * as path from 'node:path';
import { describe, test } from 'node:test';
import { MemoryFileSystem } from '../../server/src/core/memoryFileSystem';
import { Finding, rangeOf } from '../../server/src/core/types';
import { changedClosureFiles, ClosureState, sameFindings } from '../../server/src/core/workspace/closureState';
import { Workspace } from '../../server/src/core/workspace/workspace';

const ROOT = path.resolve('/mem/closure-state');
const file = (name: string) => path.join(ROOT, name);

function finding(name: string, message: string, line = 0): Finding {
  return { file: file(name), range: rangeOf(line, 0, line, 5), severity: 'error', code: 'not-in-mapping', message };
}

function state(files: string[], findings: Finding[]): ClosureState {
  const byFile = new Map<string, Finding[]>();
  for (const f of findings) {
    byFile.set(f.file, [...(byFile.get(f.file) ?? []), f]);
  }
  return { files: new Set(files.map(file)), byFile };
}

function workspace(files: Record<string, string>): Workspace {
  const tree: Record<string, string> = {};
  for (const [name, text] of Object.entries(files)) {
    tree[file(name)] = text;
  }
  return new Workspace(new MemoryFileSystem(tree), { roots: [ROOT], env: { PATH: '' } });
}

describe('changedClosureFiles', () => {
  test('files that join or leave a closure, and files whose findings differ, in no other case', () => {
    const before = state(['a.lua', 'b.lua', 'c.lua'], [finding('a.lua', 'x'), finding('c.lua', 'y')]);
    const after = state(['a.lua', 'c.lua', 'd.lua'], [finding('a.lua', 'x'), finding('c.lua', 'y changed')]);
    assert.deepEqual(changedClosureFiles(before, after).sort(), [file('b.lua'), file('c.lua'), file('d.lua')]);
    assert.deepEqual(changedClosureFiles(before, before), []);
  });

  test('findings are compared by what a user sees, not by identity; order and place count', () => {
    const a = [finding('a.lua', 'x'), finding('a.lua', 'y', 1)];
    assert.equal(sameFindings(a, a.map((f) => ({ ...f, range: rangeOf(f.range.start.line, 0, f.range.end.line, 5) }))), true);
    assert.equal(sameFindings(a, [a[1], a[0]]), false);
    assert.equal(sameFindings(a, [a[0], finding('a.lua', 'y', 2)]), false);
    assert.equal(sameFindings(a, [a[0], { ...a[1], severity: 'warning' }]), false);
    assert.equal(sameFindings(a, [a[0]]), false);
    assert.equal(sameFindings(undefined, []), false);
    assert.equal(sameFindings(undefined, undefined), true);
  });

  test('a file whose findings appear or disappear while it stays in the closure', () => {
    const before = state(['a.lua'], []);
    const after = state(['a.lua'], [finding('a.lua', 'x')]);
    assert.deepEqual(changedClosureFiles(before, after), [file('a.lua')]);
    assert.deepEqual(changedClosureFiles(after, before), [file('a.lua')]);
  });
});

describe('Workspace.closureState', () => {
  test('merges the closures of every project with the require cycles of the workspace', () => {
    const ws = workspace({
      'one/resty-build.json': JSON.stringify({ profile: 'openresty', path: ['?.lua'], embed: ['app'] }),
      'one/app.lua': 'return require "dep"\n',
      'one/dep.lua': 'return 1\n',
      'two/resty-build.json': JSON.stringify({ profile: 'openresty', path: ['?.lua'], embed: ['main'] }),
      'two/main.lua': 'return require "other"\n',
      'two/other.lua': 'return 1\n',
      'loop/a.lua': 'local b = require "loop.b"\nreturn {}\n',
      'loop/b.lua': 'local a = require "loop.a"\nreturn {}\n',
    });
    const s = ws.closureState();
    assert.deepEqual([...s.files].map((f) => path.relative(ROOT, f)).sort(), ['one/app.lua', 'one/dep.lua', 'two/main.lua', 'two/other.lua']);
    assert.deepEqual(
      [...s.byFile].map(([f, list]) => [path.relative(ROOT, f), list.map((x) => `${x.code} ${x.module}`)]).sort(),
      [
        ['loop/b.lua', ['require-cycle loop.a']],
        ['one/app.lua', ['not-in-mapping dep']],
        ['two/main.lua', ['not-in-mapping other']],
      ],
    );
  });

  test('an edit changes the state of exactly the files it touched', () => {
    const ws = workspace({
      'resty-build.json': JSON.stringify({ profile: 'openresty', path: ['?.lua'], embed: ['app', 'dep'] }),
      'app.lua': 'return require "dep"\n',
      'dep.lua': 'return require "leaf"\n',
      'leaf.lua': 'return 1\n',
      'other.lua': 'return require "nowhere"\n',
    });
    const initial = ws.closureState();
    ws.setDocument(file('app.lua'), '-- no longer requires dep\nreturn 1\n');
    const edited = ws.closureState();
    // dep stays in the closure as an embed root; nothing else moved.
    assert.deepEqual(changedClosureFiles(initial, edited), []);
    ws.setDocument(file('dep.lua'), 'return 1\n');
    assert.deepEqual(changedClosureFiles(edited, ws.closureState()).sort(), [file('dep.lua'), file('leaf.lua')]);
    ws.setDocument(file('other.lua'), 'return require "still-nowhere"\n');
    assert.deepEqual(changedClosureFiles(edited, ws.closureState()).sort(), [file('dep.lua'), file('leaf.lua')], 'a file outside the closure does not count');
  });
});
