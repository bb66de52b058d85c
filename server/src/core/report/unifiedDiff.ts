/**
 * A unified diff (`diff -u`) of two versions of one file, for `fix
 * --dry-run`: the changed lines with three lines of context around them, as
 * one hunk. Manifest edits change one region, so the lines that differ are
 * found by trimming what both texts share at the start and the end.
 */

const CONTEXT = 3;

function splitLines(text: string): { lines: string[]; finalNewline: boolean } {
  if (text === '') {
    return { lines: [], finalNewline: true };
  }
  const finalNewline = text.endsWith('\n');
  const lines = (finalNewline ? text.slice(0, -1) : text).split('\n');
  return { lines, finalNewline };
}

function range(start: number, count: number): string {
  return count === 1 ? `${start + 1}` : `${count === 0 ? start : start + 1},${count}`;
}

export function unifiedDiff(before: string, after: string, name: string): string {
  if (before === after) {
    return '';
  }
  const a = splitLines(before);
  const b = splitLines(after);
  // A line that lost or gained the file's last newline differs, as diff sees it.
  const same = (i: number, j: number) => a.lines[i] === b.lines[j] && (i < a.lines.length - 1 || j < b.lines.length - 1 || a.finalNewline === b.finalNewline);
  let head = 0;
  while (head < a.lines.length && head < b.lines.length && same(head, head) && !(head === a.lines.length - 1 || head === b.lines.length - 1)) {
    head++;
  }
  let tailA = a.lines.length;
  let tailB = b.lines.length;
  while (tailA > head && tailB > head && same(tailA - 1, tailB - 1)) {
    tailA--;
    tailB--;
  }
  const from = Math.max(0, head - CONTEXT);
  const toA = Math.min(a.lines.length, tailA + CONTEXT);
  const toB = Math.min(b.lines.length, tailB + CONTEXT);
  const out = [`--- a/${name}`, `+++ b/${name}`, `@@ -${range(from, toA - from)} +${range(from, toB - from)} @@`];
  const line = (prefix: string, text: string, index: number, side: typeof a) => {
    out.push(`${prefix}${text}`);
    if (index === side.lines.length - 1 && !side.finalNewline) {
      out.push('\\ No newline at end of file');
    }
  };
  for (let i = from; i < head; i++) {
    line(' ', a.lines[i], i, a);
  }
  for (let i = head; i < tailA; i++) {
    line('-', a.lines[i], i, a);
  }
  for (let j = head; j < tailB; j++) {
    line('+', b.lines[j], j, b);
  }
  for (let i = tailA; i < toA; i++) {
    line(' ', a.lines[i], i, a);
  }
  return out.join('\n');
}
