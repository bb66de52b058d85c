// The nginx TextMate grammar: valid JSON, Lua (source.lua) embedded in
// *_by_lua_block bodies and *_by_lua strings, registered in package.json, and
// tokenized with vscode-textmate so a table constructor's } does not end the block.
import { describe, test } from 'node:test';
import * as assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as path from 'node:path';
import * as oniguruma from 'vscode-oniguruma';
import * as vsctm from 'vscode-textmate';
import { repoRoot } from '../helpers/paths';

const GRAMMAR = path.join(repoRoot, 'syntaxes', 'nginx.tmLanguage.json');
const INJECTION = path.join(repoRoot, 'syntaxes', 'nginx-lua.injection.tmLanguage.json');

/** A tiny stand-in for VS Code's built-in Lua grammar: enough to see Lua scopes inside nginx. */
const LUA_STUB = {
  scopeName: 'source.lua',
  patterns: [
    { match: '\\b(local|function|end|return|require)\\b', name: 'keyword.control.lua' },
    { begin: '"', end: '"', name: 'string.quoted.double.lua' },
  ],
};

async function registry(): Promise<vsctm.Registry> {
  const wasm = fs.readFileSync(require.resolve('vscode-oniguruma/release/onig.wasm')).buffer;
  await oniguruma.loadWASM(wasm);
  return new vsctm.Registry({
    onigLib: Promise.resolve({ createOnigScanner: (p) => new oniguruma.OnigScanner(p), createOnigString: (s) => new oniguruma.OnigString(s) }),
    loadGrammar: async (scope) => {
      if (scope === 'source.nginx') {
        return vsctm.parseRawGrammar(fs.readFileSync(GRAMMAR, 'utf8'), GRAMMAR);
      }
      if (scope === 'source.lua') {
        return vsctm.parseRawGrammar(JSON.stringify(LUA_STUB), 'lua.json');
      }
      return null;
    },
  });
}

/** text -> scopes of each token, for one conf. */
async function tokenize(lines: string[]): Promise<{ text: string; scopes: string[] }[]> {
  const grammar = (await (await registry()).loadGrammar('source.nginx'))!;
  let state = vsctm.INITIAL;
  const out: { text: string; scopes: string[] }[] = [];
  for (const line of lines) {
    const r = grammar.tokenizeLine(line, state);
    for (const t of r.tokens) {
      out.push({ text: line.slice(t.startIndex, t.endIndex), scopes: t.scopes });
    }
    state = r.ruleStack;
  }
  return out;
}

describe('nginx grammar', () => {
  test('is valid JSON with the Lua embeds', () => {
    const grammar = JSON.parse(fs.readFileSync(GRAMMAR, 'utf8'));
    assert.equal(grammar.scopeName, 'source.nginx');
    const block = grammar.repository['lua-block'];
    assert.match('content_by_lua_block {', new RegExp(block.begin));
    assert.equal(block.contentName, 'meta.embedded.block.lua');
    assert.ok(JSON.stringify(grammar.repository['lua-body']).includes('"include":"source.lua"'));
    assert.ok(JSON.stringify(grammar.repository['lua-inline']).includes('"include":"source.lua"'));
    const injection = JSON.parse(fs.readFileSync(INJECTION, 'utf8'));
    assert.match(injection.injectionSelector, /L:source\.nginx/);
  });

  test('is registered in package.json for nginx.conf, *.nginx and conf/*.conf', () => {
    const pkg = JSON.parse(fs.readFileSync(path.join(repoRoot, 'package.json'), 'utf8'));
    const nginx = pkg.contributes.languages.find((l: { id: string }) => l.id === 'nginx');
    assert.deepEqual(nginx.filenamePatterns, ['nginx.conf', '*.nginx', '**/conf/*.conf']);
    const grammars = pkg.contributes.grammars;
    assert.deepEqual(grammars[0], {
      language: 'nginx',
      scopeName: 'source.nginx',
      path: './syntaxes/nginx.tmLanguage.json',
      embeddedLanguages: { 'meta.embedded.block.lua': 'lua' },
    });
    assert.deepEqual(grammars[1].injectTo, ['source.nginx', 'source.conf.nginx']);
    for (const g of grammars) {
      assert.ok(fs.existsSync(path.join(repoRoot, g.path)), g.path);
    }
    assert.ok(pkg.activationEvents.includes('onLanguage:nginx'));
  });

  test('tokenizes a by_lua_block body as Lua, balancing table braces', async () => {
    const tokens = await tokenize([
      'server {',
      '    content_by_lua_block {',
      '        local t = { a = { 1 } }',
      '        ngx.say("}")',
      '    }',
      '    lua_code_cache off;',
      "    access_by_lua 'return 1';",
      '}',
    ]);
    const scopesOf = (text: string, nth = 0) => tokens.filter((t) => t.text === text)[nth]?.scopes;
    assert.ok(scopesOf('local')!.includes('meta.embedded.block.lua'));
    assert.ok(scopesOf('local')!.includes('keyword.control.lua'));
    // The } inside a Lua string and the table constructors' braces stay Lua; the block's own } closes it.
    const stringBrace = tokens.find((t) => t.text.includes('}') && t.scopes.includes('string.quoted.double.lua'));
    assert.ok(stringBrace, 'the } in "}" is part of a Lua string');
    assert.equal(tokens.filter((t) => t.scopes.includes('punctuation.section.table.end.lua')).length, 2);
    assert.equal(scopesOf('lua_code_cache')![0], 'source.nginx');
    assert.ok(!scopesOf('lua_code_cache')!.includes('meta.embedded.block.lua'));
    assert.ok(scopesOf('lua_code_cache')!.includes('keyword.other.directive.nginx'));
    assert.ok(scopesOf('return')!.includes('meta.embedded.block.lua'), 'the inline form embeds Lua too');
  });
});
