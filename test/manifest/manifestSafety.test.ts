// A bad manifest (paths escaping the project, an outDir over the
// sources, broken edits) and manifest edits that undo cleanly.
import assert from 'node:assert/strict';
import * as path from 'node:path';
import { describe, test } from 'node:test';
import { TextDocument } from 'vscode-languageserver-textdocument';
import { Diagnostic, TextEdit } from 'vscode-languageserver/node';
import { pathToUri } from '../../server/src/convert';
import { findCodeActions } from '../../server/src/features/codeActions';
import { checkFile, checkManifest } from '../../server/src/core/checks/fileChecks';
import { MemoryFileSystem } from '../../server/src/core/memoryFileSystem';
import { MANIFEST_NAME, parseManifest } from '../../server/src/core/manifest/manifest';
import { createProject } from '../../server/src/core/resolve/project';
import { Workspace } from '../../server/src/core/workspace/workspace';
import { MEM_ROOT } from '../helpers/core';

const FILE = path.join(MEM_ROOT, MANIFEST_NAME);

function findingsOf(manifest: Record<string, unknown>) {
  return parseManifest(FILE, JSON.stringify(manifest, null, 1)).findings.map((f) => [f.code, f.severity, f.message]);
}

describe('manifest paths', () => {
  test('reading paths outside the project folder: one manifest-path-outside warning each; absolute search roots are fine', () => {
    assert.deepEqual(
      findingsOf({
        path: ['lib/?.lua', '../shared/?.lua', '/usr/share/lua/5.1/?.lua', ';;'],
        cpath: ['../clib/?.so'],
        stdlib: '../stdlib',
        buildScript: '../build.lua',
        nginxConf: '/etc/nginx/nginx.conf',
        embed: ['a', { module: 'b', file: '../../elsewhere/b.lua' }, { module: 'c', file: 'vendor/c.lua' }],
      }).filter(([code]) => code === 'manifest-path-outside'),
      [
        ['manifest-path-outside', 'warning', `"path" points outside the project folder: ${path.resolve('/shared/?.lua')}. The analysis will read files there; check it if you did not write this manifest.`],
        ['manifest-path-outside', 'warning', `"cpath" points outside the project folder: ${path.resolve('/clib/?.so')}. The analysis will read files there; check it if you did not write this manifest.`],
        ['manifest-path-outside', 'warning', `"stdlib" points outside the project folder: ${path.resolve('/stdlib')}. The analysis will read files there; check it if you did not write this manifest.`],
        ['manifest-path-outside', 'warning', `"buildScript" points outside the project folder: ${path.resolve('/build.lua')}. The analysis will read files there; check it if you did not write this manifest.`],
        ['manifest-path-outside', 'warning', `"nginxConf" points outside the project folder: /etc/nginx/nginx.conf. The analysis will read files there; check it if you did not write this manifest.`],
        ['manifest-path-outside', 'warning', `"embed" points outside the project folder: ${path.resolve('/elsewhere/b.lua')}. The analysis will read files there; check it if you did not write this manifest.`],
      ],
    );
  });

  test('an outDir outside the project is an error, positioned on the key', () => {
    const text = '{\n  "outDir": "../out"\n}\n';
    const { findings } = parseManifest(FILE, text);
    assert.deepEqual(findings, [
      {
        file: FILE,
        range: { start: { line: 1, character: 2 }, end: { line: 1, character: 20 } },
        severity: 'error',
        code: 'manifest-path-outside',
        message: `"outDir" (${path.resolve('/out')}) is outside the project folder ${MEM_ROOT}: the build would write and delete files there. Choose a folder of its own inside the project, e.g. "build/bytecode".`,
      },
    ]);
  });

  test('an outDir that is, lies inside or contains a source folder is refused', () => {
    const fix = 'Choose a folder of its own inside the project, e.g. "build/bytecode".';
    const cases: [Record<string, unknown>, string][] = [
      [{ outDir: '.' }, `"outDir" is the project folder itself, which holds the Lua sources: compiled objects would be mixed with them. ${fix}`],
      [{ outDir: 'lib/..' }, `"outDir" is the project folder itself, which holds the Lua sources: compiled objects would be mixed with them. ${fix}`],
      [{ path: ['lib/?.lua'], outDir: 'lib' }, `"outDir" (lib) is the source folder lib (from "path"): compiled objects would be mixed with the Lua sources. ${fix}`],
      [{ path: ['lib/?/init.lua'], outDir: 'lib/bytecode' }, `"outDir" (lib/bytecode) lies inside the source folder lib (from "path"): compiled objects would be mixed with the Lua sources. ${fix}`],
      [{ path: ['src/lua/?.lua'], outDir: 'src' }, `"outDir" (src) contains the source folder src/lua (from "path"): the build would write and delete files among the Lua sources. ${fix}`],
      [{ profile: 'luakit', stdlib: 'tools/stdlib', outDir: 'tools' }, `"outDir" (tools) contains the source folder tools/stdlib (from "stdlib"): the build would write and delete files among the Lua sources. ${fix}`],
    ];
    for (const [manifest, message] of cases) {
      assert.deepEqual(
        findingsOf(manifest).filter(([, severity]) => severity === 'error'),
        [['outdir-overlaps-sources', 'error', message]],
        JSON.stringify(manifest),
      );
    }
    // The default and the usual layouts are fine.
    assert.deepEqual(findingsOf({ path: ['lib/?.lua', 'lib/?/init.lua', '?.lua'] }), []);
    assert.deepEqual(findingsOf({ path: ['lib/?.lua'], outDir: 'out' }), []);
  });

  test('a folder whose name starts with two dots (..x) is inside the project, not outside it', () => {
    assert.deepEqual(findingsOf({ path: ['..lib/?.lua'], stdlib: '..std', embed: [{ module: 'a', file: '..vendor/a.lua' }], outDir: '..out' }), []);
    assert.deepEqual(findingsOf({ path: ['..lib/?.lua'], outDir: '..lib/bytecode' }).map(([code, , message]) => [code, message]), [
      [
        'outdir-overlaps-sources',
        '"outDir" (..lib/bytecode) lies inside the source folder ..lib (from "path"): compiled objects would be mixed with the Lua sources. Choose a folder of its own inside the project, e.g. "build/bytecode".',
      ],
    ]);
    // Its search templates are the project's own: modules found there are of workspace origin.
    const manifest = parseManifest(FILE, JSON.stringify({ path: ['..lib/?.lua', '../up/?.lua'] })).manifest!;
    const project = createProject(new MemoryFileSystem(), { PATH: '' }, MEM_ROOT, manifest);
    assert.deepEqual(project.resolver.lua.slice(0, 2).map((t) => t.origin), ['workspace', 'path']);
  });

  test('deeply nested JSON is a manifest-invalid error, not a crash', () => {
    const { manifest, findings } = parseManifest(FILE, '{"embed":' + '['.repeat(100_000));
    assert.equal(manifest, undefined);
    assert.deepEqual(findings.map((f) => [f.code, f.message]), [['manifest-invalid', `${MANIFEST_NAME} is not usable: it is nested too deeply to be read.`]]);
  });
});

describe('odd manifest text', () => {
  const messages = (text: string) => parseManifest(FILE, text).findings.map((f) => [f.code, f.message]);

  test('keys named like members of every JavaScript object (constructor, __proto__, toString) are unknown keys like any other', () => {
    assert.deepEqual(messages('{"embed":[],"constructor":1,"__proto__":{},"toString":"x","luajit":{"hasOwnProperty":true},"link":{"valueOf":1}}'), [
      ['manifest-unknown-key', 'Unknown key constructor.'],
      ['manifest-unknown-key', 'Unknown key __proto__.'],
      ['manifest-unknown-key', 'Unknown key toString.'],
      ['manifest-unknown-key', 'Unknown key luajit.hasOwnProperty.'],
      ['manifest-unknown-key', 'Unknown key link.valueOf.'],
    ]);
  });

  test('an empty manifest (blanks and comments only) says so once; a text without a JSON value is not called empty', () => {
    assert.deepEqual(messages(''), [['manifest-invalid', `${MANIFEST_NAME} is empty.`]]);
    assert.deepEqual(messages('  // nothing yet\n/* */\n'), [['manifest-invalid', `${MANIFEST_NAME} is empty.`]]);
    assert.deepEqual(messages('}'), [['manifest-invalid', `${MANIFEST_NAME} is not valid JSON: a value expected.`]]);
  });

  test('a UTF-8 byte order mark (an editor saving "UTF-8 with BOM") is read as blank space, so positions stay those of the text', () => {
    const { manifest, findings } = parseManifest(FILE, '\uFEFF{"embed":["app"],\n "bogus":1}');
    assert.deepEqual(manifest?.embed.map((e) => e.module), ['app']);
    assert.deepEqual(findings.map((f) => [f.message, f.range.start]), [['Unknown key bogus.', { line: 1, character: 1 }]]);
  });

  test('an empty search template is skipped, as the loader skips an empty entry of package.path; it is not the project folder "outside" itself', () => {
    const { manifest, findings } = parseManifest(FILE, JSON.stringify({ path: ['', 'lib/?.lua'], cpath: [''] }));
    assert.deepEqual(manifest?.path, [path.join(MEM_ROOT, 'lib/?.lua')]);
    assert.deepEqual(manifest?.cpath, []);
    assert.deepEqual(findings, []);
  });

  test('a key given twice (a merge that kept both sides) is an error at the second; the first is the one read, everywhere', () => {
    const text = '{"embed":["app"],\n "severity":{"unresolved-module":"off","unresolved-module":"error"},\n "embed":["other"]}';
    const { manifest, findings } = parseManifest(FILE, text);
    assert.deepEqual(findings.map((f) => [f.code, f.message, f.range.start.line]), [
      ['manifest-invalid', 'severity.unresolved-module is given twice: only the first is read.', 1],
      ['manifest-invalid', 'embed is given twice: only the first is read.', 2],
    ]);
    assert.deepEqual(manifest?.embed.map((e) => e.module), ['app']);
    assert.equal(manifest?.severity.get('unresolved-module'), 'off');
    assert.equal(manifest?.ranges.get('embed')?.start.line, 0);
  });

  test('a list given as a single value names what its items may be', () => {
    assert.deepEqual(messages('{"embed":"app","provided":"x"}'), [
      ['manifest-invalid', 'embed must be an array of strings or objects, not string.'],
      ['manifest-invalid', 'provided must be an array of strings, not string.'],
    ]);
  });
});

describe('the last good manifest', () => {
  test('a broken edit keeps the previous embed list for the rest of the analysis; a fixed one replaces it', () => {
    const files = {
      [FILE]: JSON.stringify({ profile: 'openresty', path: ['lib/?.lua'], embed: ['app'] }),
      [path.join(MEM_ROOT, 'lib', 'app.lua')]: 'return require "dep"\n',
      [path.join(MEM_ROOT, 'lib', 'dep.lua')]: 'return 1\n',
    };
    const ws = new Workspace(new MemoryFileSystem(files), { roots: [MEM_ROOT], env: { PATH: '' } });
    const embedded = () => ws.embedding(ws.allProjects()[0])?.mapping.map((e) => e.module);
    const app = path.join(MEM_ROOT, 'lib', 'app.lua');
    assert.deepEqual(embedded(), ['app']);
    assert.deepEqual(checkFile(ws, app).map((f) => [f.code, f.module]), [['not-in-mapping', 'dep']]);

    ws.setDocument(FILE, '{ "profile": "openresty", "path": ["lib/?.lua"], "embed": ["app", "dep" ');
    assert.deepEqual(embedded(), ['app'], 'the old list is still in force');
    assert.deepEqual(checkFile(ws, app).map((f) => [f.code, f.module]), [['not-in-mapping', 'dep']]);
    assert.deepEqual(checkManifest(ws, FILE).map((f) => [f.code, f.message]), [
      ['manifest-invalid', `${MANIFEST_NAME} is not valid JSON: ']' expected.`],
      ['manifest-invalid', `${MANIFEST_NAME} is not valid JSON: '}' expected.`],
    ]);

    ws.setDocument(FILE, '{ "profile": "openresty", "path": ["lib/?.lua"], "embed": ["app", "dep"] }');
    assert.deepEqual(embedded(), ['app', 'dep']);
    assert.deepEqual(checkFile(ws, app), []);
  });
});

describe('manifest edits undo cleanly', () => {
  /** The edits that turn `after` back into `before`, as an editor's undo stack holds them. */
  function inverse(before: TextDocument, edits: TextEdit[]): TextEdit[] {
    const sorted = edits.map((e) => ({ start: before.offsetAt(e.range.start), end: before.offsetAt(e.range.end), text: e.newText })).sort((a, b) => a.start - b.start);
    const after = TextDocument.create('x', 'json', 2, TextDocument.applyEdits(before, edits));
    let delta = 0;
    return sorted.map((e) => {
      const start = e.start + delta;
      delta += e.text.length - (e.end - e.start);
      return { range: { start: after.positionAt(start), end: after.positionAt(start + e.text.length) }, newText: before.getText().slice(e.start, e.end) };
    });
  }

  for (const [name, manifestText] of [
    ['formatted, with comments', '{\n  // the modules\n  "profile": "openresty",\n  "path": ["lib/?.lua"],\n  "embed": [\n    "app", // entry\n  ],\n}\n'],
    ['CRLF line ends', '{\r\n  "profile": "openresty",\r\n  "path": ["lib/?.lua"],\r\n  "embed": ["app"]\r\n}\r\n'],
    ['no embed key yet, no final newline', '{ "profile": "openresty", "path": ["lib/?.lua"], "provided": [] }'],
  ]) {
    test(`add to embed / provided, then undo: the original text byte for byte (${name})`, () => {
      const files = {
        [FILE]: manifestText,
        [path.join(MEM_ROOT, 'lib', 'app.lua')]: 'return require "dep"\n',
        [path.join(MEM_ROOT, 'lib', 'dep.lua')]: 'return 1\n',
      };
      const ws = new Workspace(new MemoryFileSystem(files), { roots: [MEM_ROOT], env: { PATH: '' } });
      const diagnostic: Diagnostic = {
        range: { start: { line: 0, character: 15 }, end: { line: 0, character: 20 } },
        message: 'x',
        source: 'resty-build',
        code: 'not-in-mapping',
        data: { module: 'dep' },
      };
      // The fixes that edit the manifest (the others write a suppression comment into the Lua file).
      const actions = findCodeActions(ws, path.join(MEM_ROOT, 'lib', 'app.lua'), [diagnostic]).filter((a) => a.edit?.changes?.[pathToUri(FILE)]);
      assert.ok(actions.length >= 2, 'embed and provided fixes');
      for (const action of actions) {
        const edits = action.edit!.changes![pathToUri(FILE)];
        const before = TextDocument.create('x', 'json', 1, manifestText);
        const applied = TextDocument.applyEdits(before, edits);
        const parsed = parseManifest(FILE, applied);
        assert.ok(parsed.manifest, `${action.title}: still a valid manifest`);
        assert.ok([...parsed.manifest.embed.map((e) => e.module), ...parsed.manifest.provided].includes('dep'), action.title);
        const undone = TextDocument.applyEdits(TextDocument.create('x', 'json', 2, applied), inverse(before, edits));
        assert.equal(Buffer.compare(Buffer.from(undone), Buffer.from(manifestText)), 0, `${action.title}: undo restores the bytes`);
      }
    });
  }
});
