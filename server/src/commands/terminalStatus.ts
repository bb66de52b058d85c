/** Back to the start of the line, and erase it from there (ECMA-48 CR and EL). */
const CARRIAGE_RETURN = '\r';
const ERASE_TO_END = '\u001b[K';

/**
 * What rewrites the status line in place: `text` cut to fit one row of a
 * terminal `columns` wide. A line that wrapped could not be taken back: a
 * carriage return only reaches the start of its last row.
 */
export function statusLineUpdate(text: string, columns: number): string {
  const room = Math.max(1, columns - 1);
  const chars = [...text];
  const fitted = chars.length <= room ? text : chars.slice(0, Math.max(0, room - 1)).join('') + '…';
  return `${CARRIAGE_RETURN}${fitted}${ERASE_TO_END}`;
}

/**
 * One line of a terminal that progress rewrites in place (`[3/120]
 * resty.core.base`), cleared before any other output so that nothing is
 * printed over it or after it on the same row.
 */
export class TerminalStatusLine {
  private shown = false;

  constructor(
    private readonly write: (s: string) => void,
    private readonly columns: () => number | undefined,
  ) {}

  show(text: string): void {
    this.write(statusLineUpdate(text, this.columns() || 80));
    this.shown = true;
  }

  clear(): void {
    if (this.shown) {
      this.write(`${CARRIAGE_RETURN}${ERASE_TO_END}`);
      this.shown = false;
    }
  }
}
