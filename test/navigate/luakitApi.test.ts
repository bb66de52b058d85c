// luakit build scripts: hover, completion and signature help for the bk API
// and state methods (only in luakit projects).
import { describe, test } from 'node:test';
import * as assert from 'node:assert/strict';
import { MarkupContent } from 'vscode-languageserver/node';
import { findCompletions } from '../../server/src/features/completion';
import { findHover } from '../../server/src/features/hover';
import { findSignatureHelp } from '../../server/src/features/signatureHelp';
import { BUILD, HELPERS } from '../helpers/luakitBuild';
import { navWorkspace } from '../helpers/nav';

describe('luakit API', () => {
  test('hover on bk, bk.image and a state method', () => {
    const n = navWorkspace({ 'build.lua': BUILD, 'libs/helpers.lua': HELPERS });
    const hover = (line: number, character: number) => (findHover(n.ws, n.file('build.lua'), { line, character })?.contents as MarkupContent | undefined)?.value;
    const image = hover(1, 17)!;
    assert.match(image, /^```lua\nbk\.image\(ref: string, opts\?: table\) -> State\n```\n\nStarts a state from a container image/);
    assert.match(image, /- `ref` \(string\): image reference/);
    assert.match(hover(1, 14)!, /^```lua\nbk\n```\n\nThe luakit build API/);
    assert.match(hover(2, 20)!, /^```lua\nstate:run\(cmd: string\|table, opts\?: table\) -> State\n```/);
  });

  test('completion after bk. and after state:', () => {
    const n = navWorkspace({ 'build.lua': 'local s = bk.|\nbk.export(s)\n' });
    const items = findCompletions(n.ws, n.file('build.lua'), n.cursor('build.lua'));
    assert.deepEqual(items.map((i) => i.label), ['image', 'scratch', 'local_', 'git', 'http', 'https', 'export', 'cache', 'secret', 'ssh', 'tmpfs', 'bind', 'merge', 'diff', 'platform']);
    assert.equal(items[0].detail, 'bk.image(ref: string, opts?: table) -> State');
    const m = navWorkspace({ 'build.lua': 'local s = bk.scratch()\ns:mk|\nbk.export(s)\n' });
    const methods = findCompletions(m.ws, m.file('build.lua'), m.cursor('build.lua'));
    assert.deepEqual(methods.map((i) => i.label), ['run', 'copy', 'mkdir', 'mkfile', 'rm', 'symlink', 'with_metadata']);
  });

  test('signature help in bk.copy-style calls, with the active parameter', () => {
    const n = navWorkspace({ 'build.lua': 'local s = bk.scratch()\nlocal t = s:copy(bk.image("a"), "/src", |)\nbk.export(t)\n' });
    const help = findSignatureHelp(n.ws, n.file('build.lua'), n.cursor('build.lua'));
    assert.equal(help?.signatures[0].label, 'state:copy(from: State, src: string, dest: string, opts?: table) -> State');
    assert.equal(help?.activeParameter, 2);
    const inner = navWorkspace({ 'build.lua': 'local s = bk.image("alpine", |)\nbk.export(s)\n' });
    assert.equal(findSignatureHelp(inner.ws, inner.file('build.lua'), inner.cursor('build.lua'))?.activeParameter, 1);
  });

  test('nothing of it in an OpenResty project', () => {
    const n = navWorkspace({ 'main.lua': 'local s = bk.|\n' });
    assert.deepEqual(findCompletions(n.ws, n.file('main.lua'), n.cursor('main.lua')), []);
  });
});
