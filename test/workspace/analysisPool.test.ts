// How many worker threads parse a cold workspace.
import { test } from 'node:test';
import * as assert from 'node:assert/strict';
import { workerCount } from '../../server/src/analysisPool';

test('one worker per core beyond the main thread, at most four, none on two cores or fewer', () => {
  assert.equal(workerCount({}, 1), 0);
  assert.equal(workerCount({}, 2), 0);
  assert.equal(workerCount({}, 3), 2);
  assert.equal(workerCount({}, 4), 3);
  assert.equal(workerCount({}, 64), 4);
});

test('RESTY_BUILD_WORKERS sets the count when it is one, and is ignored otherwise', () => {
  assert.equal(workerCount({ RESTY_BUILD_WORKERS: '0' }, 8), 0);
  assert.equal(workerCount({ RESTY_BUILD_WORKERS: '2' }, 1), 2);
  assert.equal(workerCount({ RESTY_BUILD_WORKERS: ' 3 ' }, 2), 3);
  assert.equal(workerCount({ RESTY_BUILD_WORKERS: '99' }, 2), 16, 'bounded');
  for (const junk of ['', 'many', '-1', '1e3', '2.5']) {
    assert.equal(workerCount({ RESTY_BUILD_WORKERS: junk }, 4), 3, `"${junk}" is no count`);
  }
});
