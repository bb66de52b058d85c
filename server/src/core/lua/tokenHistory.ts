import { Kind, Scanner } from './scanner';

/** A power of two, so the ring index is a mask. */
const RING = 8;

/** The last few tokens, newest first: enough look-behind for `local ok, m = pcall(require, …)`. */
export class History {
  private readonly kind = new Uint8Array(RING);
  private readonly start = new Int32Array(RING);
  private readonly end = new Int32Array(RING);
  private readonly punct = new Int32Array(RING);
  private head = 0;
  private count = 0;

  push(s: Scanner): void {
    const h = (this.head + 1) & (RING - 1);
    this.head = h;
    this.kind[h] = s.kind;
    this.start[h] = s.start;
    this.end[h] = s.end;
    this.punct[h] = s.punct;
    if (this.count < RING) {
      this.count++;
    }
  }

  private at(k: number): number {
    return (this.head - k) & (RING - 1);
  }

  /** k = 1: the token before the current one. */
  kindOf(k: number): Kind {
    return k <= this.count ? (this.kind[this.at(k - 1)] as Kind) : Kind.Eof;
  }

  isPunct(k: number, code: number): boolean {
    return this.kindOf(k) === Kind.Punct && this.punct[this.at(k - 1)] === code;
  }

  isName(k: number, text: string, word: string): boolean {
    if (this.kindOf(k) !== Kind.Name) {
      return false;
    }
    const i = this.at(k - 1);
    return this.end[i] - this.start[i] === word.length && text.startsWith(word, this.start[i]);
  }

  nameAt(k: number, text: string): string | undefined {
    if (this.kindOf(k) !== Kind.Name) {
      return undefined;
    }
    const i = this.at(k - 1);
    return text.slice(this.start[i], this.end[i]);
  }

  startOf(k: number): number {
    return this.start[this.at(k - 1)];
  }

  isMemberAccess(k: number): boolean {
    return this.isPunct(k, 46) || this.isPunct(k, 58);
  }
}
