import assert from 'node:assert/strict';
import { test } from 'node:test';
import { displayPath, insideTester, isInside, isStrictlyInside, relativeInside } from '../../server/src/core/paths';

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
