import assert from 'node:assert/strict';
import { test } from 'node:test';
import * as path from 'node:path';
import { displayPath, escapedFileName, insideTester, isInside, isPlainAbsolute, isStrictlyInside, relativeInside } from '../../server/src/core/paths';

test('paths: a folder named ..x is inside, .. and ../x are not', () => {
  assert.equal(isInside('/p', '/p/..x'), true);
  assert.equal(isInside('/p', '/p/..x/a.lua'), true);
  assert.equal(isInside('/p', '/p/a/../..x'), true);
  assert.equal(isInside('/p', '/p/..'), false);
  assert.equal(isInside('/p', '/x'), false);
  assert.equal(isInside('/p', '/px/a'), false);
  assert.equal(isInside('/p', '/p'), true);
  assert.equal(isStrictlyInside('/p', '/p'), false);
  assert.equal(isStrictlyInside('/p', '/p/a'), true);
});

test('paths: relative and display forms', () => {
  assert.equal(relativeInside('/p', '/p/lib/a.lua'), 'lib/a.lua');
  assert.equal(relativeInside('/p', '/p/..x'), '..x');
  assert.equal(relativeInside('/p', '/q/a.lua'), undefined);
  assert.equal(displayPath('/p', '/p'), '.');
  assert.equal(displayPath('/p', '/p/..x/y'), '..x/y');
  assert.equal(displayPath('/p', '/q/y'), '/q/y');
});

test('paths: the prefix tester agrees with isInside on normalised paths', () => {
  const inP = insideTester('/p');
  for (const p of ['/p', '/p/a', '/p/..x', '/p/..x/y', '/px', '/px/a', '/q', '/']) {
    assert.equal(inP(p), isInside('/p', p), p);
  }
  assert.equal(insideTester('/')('/a'), true);
});

test('paths: the prefix test for plain absolute paths answers what path.relative does, for every pair of odd paths', () => {
  const paths = ['/', '/p', '/p/', '/p/a', '/p/a/', '/pa', '/p/..x', '/p/..', '/p/.', '/p/./a', '/p//a', '/p/a/../b', '/q/../p/a', '//p/a', '/p/a.lua', '/x/p/a'];
  for (const dir of paths) {
    for (const p of paths) {
      const rel = path.relative(dir, p);
      const inside = rel === '' || (rel !== '..' && !rel.startsWith('../') && !path.isAbsolute(rel));
      assert.equal(isInside(dir, p), inside, `isInside(${dir}, ${p})`);
      assert.equal(relativeInside(dir, p), inside ? rel : undefined, `relativeInside(${dir}, ${p})`);
    }
  }
  assert.deepEqual(
    ['/usr/share/lua/5.1/a/b.lua', '/a//b', '/a/./b', '/a/../b', '/a/', 'a/b', '/'].map(isPlainAbsolute),
    [true, false, false, false, false, false, true],
  );
});

test('paths: a file name\'s bytes are shown as UTF-8 where they are, \\xNN where they are not (overlong forms and surrogates included)', () => {
  const shown = (...bytes: number[]) => escapedFileName(Uint8Array.from(bytes));
  assert.equal(shown(0x6c, 0xe9, 0x2e, 0x6c, 0x75, 0x61), 'l\\xe9.lua');
  assert.equal(shown(...Buffer.from('ünï 名前.lua')), 'ünï 名前.lua');
  assert.equal(shown(0xc3), '\\xc3');
  assert.equal(shown(0xc0, 0xaf), '\\xc0\\xaf');
  assert.equal(shown(0xed, 0xa0, 0x80), '\\xed\\xa0\\x80');
  assert.equal(shown(0xf0, 0x9f, 0x98, 0x80, 0xff), '\u{1f600}\\xff');
  assert.equal(shown(0xf4, 0x90, 0x80, 0x80), '\\xf4\\x90\\x80\\x80');
});
