import { AbstractMessageWriter, Message, MessageWriter } from './lsp';

/**
 * Writes each message to the stream at once, in the order sent. The
 * library's stream writer queues messages behind a lock and writes the next
 * only after the previous write's callback, a turn of the event loop each:
 * the 640 diagnostics messages of a thousand-file tree took some 100 ms to
 * leave. The stream keeps the order (writes are queued in it when the pipe
 * is full); a message's promise settles once its bytes are handed over.
 */
export class DirectMessageWriter extends AbstractMessageWriter implements MessageWriter {
  private errors = 0;

  constructor(private readonly out: NodeJS.WritableStream) {
    super();
    out.on('error', (e: Error) => this.fireError(e, undefined, ++this.errors));
    out.on('close', () => this.fireClose());
  }

  write(msg: Message): Promise<void> {
    let frame: Buffer;
    try {
      const body = Buffer.from(JSON.stringify(msg), 'utf8');
      frame = Buffer.concat([Buffer.from(`Content-Length: ${body.byteLength}\r\n\r\n`, 'ascii'), body]);
    } catch (e) {
      this.fireError(e, msg, ++this.errors);
      return Promise.reject(e);
    }
    return new Promise((resolve, reject) => {
      this.out.write(frame, (err) => {
        if (err) {
          this.fireError(err, msg, ++this.errors);
          reject(err);
        } else {
          resolve();
        }
      });
    });
  }

  end(): void {
    this.out.end();
  }
}
