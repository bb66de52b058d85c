// The server's message writer: every message framed as the protocol wants,
// in the order sent, also when the reader is slow and the stream has to
// hold what the pipe does not take yet.
import assert from 'node:assert/strict';
import { PassThrough } from 'node:stream';
import { test } from 'node:test';
import { NotificationMessage, StreamMessageReader } from 'vscode-languageserver-protocol/node';
import { DirectMessageWriter } from '../../server/src/directWriter';

test('a burst of 2,000 messages (non-ASCII text included) is read back whole and in order through a stream that pushes back', async () => {
  // A small buffer: most of the burst waits in the stream, as when the client reads slowly.
  const pipe = new PassThrough({ highWaterMark: 1024 });
  const writer = new DirectMessageWriter(pipe);
  const reader = new StreamMessageReader(pipe);
  const received: number[] = [];
  const all = new Promise<void>((resolve) => {
    reader.listen((msg) => {
      const params = (msg as NotificationMessage).params as { n: number; text: string };
      assert.equal(params.text, `é ✓ 𝄞 ${params.n}`);
      received.push(params.n);
      if (received.length === 2000) {
        resolve();
      }
    });
  });
  const sent = Array.from({ length: 2000 }, (_, n) => writer.write({ jsonrpc: '2.0', method: 'test/n', params: { n, text: `é ✓ 𝄞 ${n}` } } as NotificationMessage));
  await Promise.all([all, ...sent]);
  assert.deepEqual(received, Array.from({ length: 2000 }, (_, n) => n));
});

test('a stream that fails is reported through onError and rejects the write', async () => {
  const pipe = new PassThrough();
  const writer = new DirectMessageWriter(pipe);
  const errors: Error[] = [];
  writer.onError(([e]) => errors.push(e));
  pipe.destroy();
  await assert.rejects(writer.write({ jsonrpc: '2.0', method: 'test/after-close' } as NotificationMessage));
  assert.ok(errors.length > 0);
});
