// Malformed or oversized message headers over stdio, written raw: the server
// logs why and exits with an error (a client restarts it), never stays alive
// and silent; a message whose body is not JSON is skipped and the server
// goes on. The framing check itself is tested across chunk boundaries.
import { test } from 'node:test';
import * as assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { Readable } from 'node:stream';
import { headerProblem, LspHeaderGuard, MAX_MESSAGE_BYTES } from '../../server/src/lspHeaderGuard';
import { distFile } from '../helpers/paths';

function frame(body: string): string {
  return `Content-Length: ${Buffer.byteLength(body)}\r\n\r\n${body}`;
}

const INITIALIZE = frame(JSON.stringify({ jsonrpc: '2.0', id: 1, method: 'initialize', params: { processId: null, rootUri: null, capabilities: {} } }));

/** Starts the server, writes `raw` to its stdin, and resolves on its exit (or with what it said, once it answered `expect`). */
function serverOn(raw: string, expect?: RegExp): Promise<{ code: number | null; stdout: string; stderr: string }> {
  const proc = spawn(process.execPath, [distFile('server.js'), '--stdio'], { stdio: ['pipe', 'pipe', 'pipe'], env: { PATH: process.env.PATH ?? '/usr/bin:/bin' } });
  let stdout = '';
  let stderr = '';
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => {
      proc.kill('SIGKILL');
      reject(new Error(`the server neither exited nor answered within 15 s\nstdout: ${stdout.slice(0, 300)}\nstderr: ${stderr}`));
    }, 15_000);
    proc.stdout.on('data', (b: Buffer) => {
      stdout += b.toString();
      if (expect?.test(stdout)) {
        clearTimeout(timer);
        proc.kill();
        resolve({ code: null, stdout, stderr });
      }
    });
    proc.stderr.on('data', (b: Buffer) => (stderr += b.toString()));
    proc.on('exit', (code) => {
      clearTimeout(timer);
      resolve({ code, stdout, stderr });
    });
    proc.stdin.write(raw);
  });
}

for (const [what, raw, said] of [
  ['a non-numeric Content-Length', 'Content-Length: abc\r\n\r\n{}', 'a message header whose Content-Length is not a number: "abc"'],
  ['no Content-Length', 'Content-Type: application/json\r\n\r\n{}', 'a message header without Content-Length: "Content-Type: application/json"'],
  ['a Content-Length of 99 999 999 999', 'Content-Length: 99999999999\r\n\r\n{}', `a message header announcing 99999999999 bytes, more than the ${MAX_MESSAGE_BYTES} the server accepts`],
  ['a header without end', 'X'.repeat(9000), 'a message header of more than 8192 bytes without its end'],
] as const) {
  test(`${what}: the server logs it and exits with an error`, async () => {
    // Behind a valid message, as in a session whose stream went wrong.
    const run = await serverOn(INITIALIZE + raw);
    assert.equal(run.code, 1, run.stderr);
    assert.ok(run.stderr.includes(`[resty-build] the client sent ${said}`), run.stderr);
    assert.match(run.stderr, /; the message stream cannot be read any further, exiting\.\n$/);
  });
}

test('a body that is not JSON is skipped and the next message answered', async () => {
  const run = await serverOn('Content-Length: 5\r\n\r\n{abc}' + INITIALIZE, /"id":1,"result"/);
  assert.match(run.stdout, /"capabilities"/);
});

test('the framing check passes every byte through, whatever the chunk boundaries, and fails on a bad header behind good ones', async () => {
  const messages = [frame('{"a":1}'), frame('{"b":"é"}'), `content-length: 2\r\nContent-Type: application/vscode-jsonrpc; charset=utf-8\r\n\r\n{}`];
  const all = Buffer.from(messages.join(''));
  for (const size of [1, 2, 3, 7, all.length]) {
    const chunks: Buffer[] = [];
    for (let i = 0; i < all.length; i += size) {
      chunks.push(all.subarray(i, i + size));
    }
    const out: Buffer[] = [];
    const guard = Readable.from(chunks).pipe(new LspHeaderGuard());
    for await (const b of guard) {
      out.push(b as Buffer);
    }
    assert.deepEqual(Buffer.concat(out), all, `chunks of ${size}`);
  }
  const bad = Readable.from([Buffer.from(frame('{}') + 'Content-Length: -1\r\n\r\n')]).pipe(new LspHeaderGuard());
  await assert.rejects(
    (async () => {
      for await (const b of bad) {
        assert.ok(b);
      }
    })(),
    /Content-Length is not a number: "-1"/,
  );
  assert.equal(headerProblem('Content-Length: 12'), 12);
});
