import { Transform, TransformCallback } from 'node:stream';

/** Largest message body accepted: a didOpen of the largest file the analysis reads, JSON-escaped, fits. */
export const MAX_MESSAGE_BYTES = 256 * 1024 * 1024;
/** Largest header block (`Content-Length: …\r\nContent-Type: …\r\n\r\n` is under 100 bytes). */
const MAX_HEADER_BYTES = 8 * 1024;
const END_OF_HEADERS = Buffer.from('\r\n\r\n');

/**
 * Checks the framing of LSP messages on their way to the protocol library:
 * every header block must carry a decimal Content-Length within
 * MAX_MESSAGE_BYTES. vscode-jsonrpc's reader reports a missing or
 * non-numeric length only to an error event nobody listens to, and waits
 * for ever on a length of 99 999 999 999: either way the server would stay
 * alive and silent. Once framing is lost the stream cannot be read again,
 * so this stream fails with an error saying why (the server logs it and
 * exits, and the client restarts it). Bytes pass through unchanged.
 */
export class LspHeaderGuard extends Transform {
  private header: Buffer[] = [];
  private headerBytes = 0;
  /** Body bytes still to pass through before the next header block. */
  private bodyLeft = 0;

  override _transform(chunk: Buffer, _encoding: BufferEncoding, done: TransformCallback): void {
    let offset = 0;
    while (offset < chunk.length) {
      if (this.bodyLeft > 0) {
        const take = Math.min(this.bodyLeft, chunk.length - offset);
        this.bodyLeft -= take;
        offset += take;
        continue;
      }
      // In a header block: look for its end, across chunk boundaries.
      const rest = chunk.subarray(offset);
      const joined = this.header.length > 0 ? Buffer.concat([...this.header, rest]) : rest;
      const searchFrom = Math.max(0, this.headerBytes - (END_OF_HEADERS.length - 1));
      const end = joined.indexOf(END_OF_HEADERS, searchFrom);
      if (end < 0) {
        if (joined.length > MAX_HEADER_BYTES) {
          done(new Error(`a message header of more than ${MAX_HEADER_BYTES} bytes without its end ("\\r\\n\\r\\n"): ${JSON.stringify(joined.subarray(0, 80).toString('latin1'))}`));
          return;
        }
        this.header = [joined];
        this.headerBytes = joined.length;
        offset = chunk.length;
        continue;
      }
      const problem = headerProblem(joined.subarray(0, end).toString('latin1'));
      if (typeof problem === 'string') {
        done(new Error(problem));
        return;
      }
      this.bodyLeft = problem;
      // What of this chunk the header block used: the joined bytes minus what came from earlier chunks.
      offset += end + END_OF_HEADERS.length - this.headerBytes;
      this.header = [];
      this.headerBytes = 0;
    }
    done(null, chunk);
  }
}

/** The body length a header block announces, or why it cannot be used. */
export function headerProblem(block: string): number | string {
  let length: string | undefined;
  for (const line of block.split('\r\n')) {
    const colon = line.indexOf(':');
    if (colon > 0 && line.slice(0, colon).trim().toLowerCase() === 'content-length') {
      length = line.slice(colon + 1).trim();
    }
  }
  if (length === undefined) {
    return `a message header without Content-Length: ${JSON.stringify(block.slice(0, 200))}`;
  }
  if (!/^\d{1,15}$/.test(length)) {
    return `a message header whose Content-Length is not a number: ${JSON.stringify(length.slice(0, 40))}`;
  }
  const n = Number(length);
  if (n > MAX_MESSAGE_BYTES) {
    return `a message header announcing ${n} bytes, more than the ${MAX_MESSAGE_BYTES} the server accepts`;
  }
  return n;
}
