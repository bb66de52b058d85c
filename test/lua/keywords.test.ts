// The one Lua keyword list, checked against the real luajit: every word in it
// but `goto` is rejected where a name is expected, and the syntax checks agree.
import assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { after, before, describe, test } from 'node:test';
import { isLuaKeyword, keywordAt, LUA_KEYWORDS } from '../../server/src/core/lua/keywords';
import { analyzeLua } from '../../server/src/core/lua/luaFile';
import { isSurelyValid } from '../../server/src/core/lua/syntaxCheck';
import { requireLuajit, runLuajit } from '../helpers/luajit';
import { tempCopy } from '../helpers/paths';

describe('Lua keywords', () => {
  before(requireLuajit);
  const tmp = tempCopy();
  after(tmp.cleanup);

  test('the list is sorted, without repeats, and isLuaKeyword answers from it', () => {
    assert.deepEqual([...LUA_KEYWORDS], [...new Set(LUA_KEYWORDS)].sort());
    assert.equal(LUA_KEYWORDS.length, 22);
    assert.ok(LUA_KEYWORDS.every(isLuaKeyword));
    assert.equal(isLuaKeyword('continue'), false);
    assert.equal(isLuaKeyword('End'), false);
  });

  test("the recogniser's keyword kinds follow the list's order, and near-misses are names", () => {
    // The kinds are numbered from 1 in the list's order (0: not a keyword); the text around a word must not matter.
    LUA_KEYWORDS.forEach((word, i) => assert.equal(keywordAt(`x ${word}(`, 2, word.length), i + 1, word));
    for (const name of ['x', 'an', 'ands', 'nill', 'nor', 'Do', 'iff', 'els', 'elsif', 'thens', 'tru', 'whilst', 'returns', 'repeats', 'functio', 'functions', 'goto_', 'locals']) {
      assert.equal(keywordAt(name, 0, name.length), 0, name);
    }
  });

  for (const word of [...LUA_KEYWORDS, 'continue', 'self']) {
    test(`'local ${word} = 1': luajit and the syntax checks agree`, () => {
      const text = `local ${word} = 1\nreturn ${word}\n`;
      const file = path.join(tmp.dir, `${word}.lua`);
      fs.writeFileSync(file, text);
      const run = runLuajit(['-bl', file]);
      // LuaJIT reserves goto for its statement but, outside 5.2 mode, still takes it as a name.
      const isName = !isLuaKeyword(word) || word === 'goto';
      assert.equal(run.status === 0, isName, `luajit: ${run.stderr}`);
      assert.equal(analyzeLua(text).syntaxError === undefined, isName);
      if (isLuaKeyword(word)) {
        assert.equal(isSurelyValid(text), false, 'the fast recogniser never vouches for a keyword used as a name');
      } else {
        assert.equal(isSurelyValid(text), true);
      }
    });
  }
});
