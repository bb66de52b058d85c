// luakit build scripts: hover, completion and signature help for the bk API
// and state methods, and the luakit-sandbox warning at the exact token, in the
// build script and in the modules it requires (only in luakit projects).
import { describe, test } from 'node:test';
import * as assert from 'node:assert/strict';
import { MarkupContent } from 'vscode-languageserver/node';
import { findCompletions } from '../../server/src/features/completion';
import { findHover } from '../../server/src/features/hover';
import { findSignatureHelp } from '../../server/src/features/signatureHelp';
import { navWorkspace, rangeIn } from '../helpers/nav';
import { checkFile } from '../../server/src/core/checks/fileChecks';

const BUILD = [
  'local helpers = require("libs.helpers")', // 0
  'local base = bk.image("alpine:3.19")', // 1
  'local built = base:run("make", { mounts = { bk.cache("/root/.cache") } })', // 2
  'os.execute("rm -rf /")', // 3
  'local f = io.open("x")', // 4
  'local chunk = loadfile("y.lua")', // 5
  'print(debug.traceback())', // 6
  'bk.export(built)', // 7
  '',
].join('\n');
const HELPERS = ['local M = {}', 'function M.tmp() return os.tmpname() end', 'local os = { exit = 1 }', 'M.code = os.exit', 'return M', ''].join('\n');

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

describe('luakit-sandbox', () => {
  test('every removed function at its exact range, in the script and a module it requires', () => {
    const n = navWorkspace({ 'build.lua': BUILD, 'libs/helpers.lua': HELPERS, 'unrelated.lua': 'os.execute("ls")\n' });
    const sandbox = (file: string) =>
      checkFile(n.ws, n.file(file))
        .filter((f) => f.code === 'luakit-sandbox')
        .map((f) => ({ range: f.range, severity: f.severity }));
    assert.deepEqual(sandbox('build.lua'), [
      { range: rangeIn(BUILD, 3, 'os.execute'), severity: 'warning' },
      { range: rangeIn(BUILD, 4, 'io.open'), severity: 'warning' },
      { range: rangeIn(BUILD, 5, 'loadfile'), severity: 'warning' },
      { range: rangeIn(BUILD, 6, 'debug.traceback'), severity: 'warning' },
    ]);
    // os.exit after `local os = …` is the local's field, not the sandboxed global.
    assert.deepEqual(sandbox('libs/helpers.lua'), [{ range: rangeIn(HELPERS, 1, 'os.tmpname'), severity: 'warning' }]);
    assert.deepEqual(sandbox('unrelated.lua'), [], 'a file the build script never requires is not sandboxed');
    const message = checkFile(n.ws, n.file('build.lua')).find((f) => f.code === 'luakit-sandbox')!.message;
    assert.match(message, /^'os\.execute' is removed by the luakit sandbox: it will be nil when the build runs/);
  });

  test('not reported in OpenResty projects', () => {
    const n = navWorkspace({ 'main.lua': 'os.execute("ls")\n' });
    assert.deepEqual(checkFile(n.ws, n.file('main.lua')).filter((f) => f.code === 'luakit-sandbox'), []);
  });
});
