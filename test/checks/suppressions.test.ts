// Suppression comments: `-- resty-build: ignore <codes>` at the end of a line,
// `ignore-next-line`, `ignore-file`, in Lua files, nginx.conf and the manifest;
// an unknown code or directive is a bad-suppression finding of its own.
import { describe, test } from 'node:test';
import * as assert from 'node:assert/strict';
import * as path from 'node:path';
import { checkAll, checkFile } from '../../server/src/core/checks/fileChecks';
import { ignoreInFileEdit, ignoreOnLineEdit, TextEdit } from '../../server/src/core/checks/suppressionEdits';
import { findSuppressionComments } from '../../server/src/core/lua/suppressionComments';
import { MEM_ROOT, memWorkspace, rangeOn } from '../helpers/core';

const file = (name: string) => path.join(MEM_ROOT, name);

function codesOf(source: string, extra: Record<string, string> = {}): [string, number][] {
  const ws = memWorkspace({ 'main.lua': source, ...extra });
  return checkFile(ws, file('main.lua')).map((f) => [f.code, f.range.start.line]);
}

describe('suppression comments in Lua', () => {
  test('ignore silences its codes on its own line only', () => {
    const source = ['local a = require "gone.a" -- resty-build: ignore unresolved-module', 'local b = require "gone.b"', ''].join('\n');
    assert.deepEqual(codesOf(source), [['unresolved-module', 1]]);
  });

  test('ignore-next-line silences the line below; ignore-file the whole file', () => {
    const next = ['-- resty-build: ignore-next-line unresolved-module', 'local a = require "gone.a"', 'local b = require "gone.b"', ''].join('\n');
    assert.deepEqual(codesOf(next), [['unresolved-module', 2]]);
    const whole = ['-- resty-build: ignore-file unresolved-module', 'local a = require "gone.a"', 'local m = require(name)', 'local b = require "gone.b"', ''].join('\n');
    assert.deepEqual(codesOf(whole), [['dynamic-require', 2]], 'other codes still count');
  });

  test('several codes, by commas or blanks, and a reason after --', () => {
    const source = ['local m = require(name) --- resty-build: ignore dynamic-require,unresolved-module -- plugins load by name', 'local x = require(y) -- resty-build: ignore unresolved-module dynamic-require', ''].join('\n');
    assert.deepEqual(codesOf(source), []);
  });

  test('the marker inside a string is not a comment', () => {
    const source = ['local s = "-- resty-build: ignore unresolved-module" local a = require "gone.a"', ''].join('\n');
    assert.deepEqual(codesOf(source), [['unresolved-module', 0]]);
    assert.deepEqual(findSuppressionComments('local s = [[\n-- resty-build: ignore-file syntax-error\n]]', 'lua'), []);
  });

  test('an unknown code is reported at the code, with a did-you-mean; the known codes of the comment still apply', () => {
    const source = ['local a = require "gone.a" -- resty-build: ignore unresolved-modul, dynamic-require', ''].join('\n');
    const ws = memWorkspace({ 'main.lua': source });
    const findings = checkFile(ws, file('main.lua'));
    const typo = source.indexOf('unresolved-modul,');
    assert.deepEqual(
      findings.map((f) => [f.code, f.severity, f.range]),
      [
        ['unresolved-module', 'error', rangeOn(source, 0, '"gone.a"')],
        ['bad-suppression', 'warning', { start: { line: 0, character: typo }, end: { line: 0, character: typo + 'unresolved-modul'.length } }],
      ],
    );
    assert.equal(findings[1].message, "'unresolved-modul' is not a resty-build diagnostic code, so this comment silences nothing. Did you mean 'unresolved-module'?");
  });

  test('a comment with no code or an unknown directive is reported', () => {
    const ws = memWorkspace({ 'main.lua': ['-- resty-build: ignore', '-- resty-build: ignroe-file syntax-error', 'return 1', ''].join('\n') });
    const messages = checkFile(ws, file('main.lua')).map((f) => `${f.code} ${f.range.start.line}: ${f.message}`);
    assert.deepEqual(messages, [
      "bad-suppression 0: 'resty-build: ignore' names no code, so it silences nothing: name the codes it is for (resty-build: ignore <code>, <code>).",
      "bad-suppression 1: 'resty-build: ignroe-file' is not a suppression: use ignore, ignore-next-line or ignore-file, then the codes. Did you mean 'ignore-file'?",
    ]);
  });

  test('a bad-suppression can itself be ignored for a file', () => {
    const ws = memWorkspace({ 'main.lua': ['-- resty-build: ignore-file bad-suppression', 'local a = require "gone.a" -- resty-build: ignore nothing-such', ''].join('\n') });
    assert.deepEqual(
      checkFile(ws, file('main.lua')).map((f) => f.code),
      ['unresolved-module'],
    );
  });
});

describe('suppression comments elsewhere', () => {
  test('nginx.conf: a # comment, or -- inside a Lua block', () => {
    const conf = [
      'http {',
      '  server {',
      '    location / { content_by_lua_block { require "gone.a" } } # resty-build: ignore unresolved-module',
      '    location /b { content_by_lua_block {',
      '      require "gone.b" -- resty-build: ignore unresolved-module',
      '      require "gone.c"',
      '    } }',
      '  }',
      '}',
      '',
    ].join('\n');
    const ws = memWorkspace({ 'conf/nginx.conf': conf });
    assert.deepEqual(
      checkFile(ws, file('conf/nginx.conf')).map((f) => [f.code, f.module]),
      [['unresolved-module', 'gone.c']],
    );
  });

  test('resty-build.json: a // comment silences a finding on the manifest', () => {
    const manifest = ['{', '  "embed": [', '    "app",', '    "app" // resty-build: ignore duplicate-mapping', '  ]', '}', ''].join('\n');
    const ws = memWorkspace({ 'resty-build.json': manifest, 'app.lua': 'return 1\n' });
    assert.deepEqual([...checkAll(ws).values()].flat(), []);
    const without = memWorkspace({ 'resty-build.json': manifest.replace(' // resty-build: ignore duplicate-mapping', ''), 'app.lua': 'return 1\n' });
    assert.deepEqual(
      [...checkAll(without).values()].flat().map((f) => f.code),
      ['duplicate-mapping'],
    );
  });
});

describe('the edits of the suppression quick fixes', () => {
  const apply = (text: string, edit: TextEdit | undefined) => {
    assert.ok(edit, 'an edit');
    return text.slice(0, edit.offset) + edit.content + text.slice(edit.offset + edit.length);
  };

  test('ignore-file goes below a #! line, or joins the file comment there is; the finding goes', () => {
    const script = ['#!/usr/bin/env luajit', 'local a = require "gone.a"', 'local m = require(name)', ''].join('\n');
    const once = apply(script, ignoreInFileEdit(script, 'lua', 'unresolved-module'));
    assert.equal(once.split('\n').slice(0, 2).join('\n'), '#!/usr/bin/env luajit\n-- resty-build: ignore-file unresolved-module');
    const twice = apply(once, ignoreInFileEdit(once, 'lua', 'dynamic-require'));
    assert.equal(twice.split('\n')[1], '-- resty-build: ignore-file unresolved-module, dynamic-require');
    assert.equal(ignoreInFileEdit(twice, 'lua', 'dynamic-require'), undefined, 'already silenced');
    assert.deepEqual(codesOf(script), [['unresolved-module', 1], ['dynamic-require', 2]]);
    assert.deepEqual(codesOf(twice), []);
  });

  test('ignore on a line of the manifest is a // comment; a line that ends inside a long string gets none', () => {
    const manifest = ['{', '  "embed": [', '    "app",', '    "app"', '  ]', '}', ''].join('\n');
    const fixed = apply(manifest, ignoreOnLineEdit(manifest, 'json', 3, 'duplicate-mapping'));
    assert.equal(fixed.split('\n')[3], '    "app" // resty-build: ignore duplicate-mapping');
    const ws = memWorkspace({ 'resty-build.json': fixed, 'app.lua': 'return 1\n' });
    assert.deepEqual([...checkAll(ws).values()].flat(), []);
    const long = ['local s = [[', 'text]] local a = require "gone.a"', ''].join('\n');
    assert.equal(ignoreOnLineEdit(long, 'lua', 0, 'unresolved-module'), undefined);
    assert.equal(apply(long, ignoreOnLineEdit(long, 'lua', 1, 'unresolved-module')).split('\n')[1], 'text]] local a = require "gone.a" -- resty-build: ignore unresolved-module');
  });
});
