import { Kind, Scanner, shebangLength } from '../lua/scanner';
import { CommentSyntax, findSuppressionComments } from '../lua/suppressionComments';
import { LineIndex } from '../types';

/** A text replacement (offsets into the original text), as jsonc-parser's edits. */
export interface TextEdit {
  offset: number;
  length: number;
  content: string;
}

const LINE_COMMENT: Partial<Record<CommentSyntax, string>> = { lua: '--', json: '//' };

/** True when `offset` lies inside a Lua token (a string spanning lines): a comment cannot start there. */
function insideLuaToken(text: string, offset: number): boolean {
  const s = new Scanner(text);
  while (s.next() !== Kind.Eof && s.start < offset) {
    if (offset < s.end) {
      return true;
    }
  }
  return false;
}

/**
 * The edit that silences `code` on a line (0-based) with `resty-build:
 * ignore`: the code is added to the line's own comment when it has one,
 * else a comment is appended at the end of the line. Undefined when the
 * code is silenced already, or when the line ends inside a string.
 */
export function ignoreOnLineEdit(text: string, syntax: CommentSyntax, line: number, code: string): TextEdit | undefined {
  const opener = LINE_COMMENT[syntax];
  const lines = new LineIndex(text);
  if (!opener || line >= lines.lineCount) {
    return undefined;
  }
  const start = lines.offset({ line, character: 0 });
  const next = line + 1 < lines.lineCount ? lines.offset({ line: line + 1, character: 0 }) : text.length;
  const end = start + text.slice(start, next).replace(/[\r\n]+$/, '').trimEnd().length;
  const own = findSuppressionComments(text, syntax).find((c) => c.directive === 'ignore' && c.start >= start && c.start < end);
  if (own) {
    return own.codes.some((c) => c.name === code) ? undefined : { offset: own.end, length: 0, content: own.codes.length > 0 ? `, ${code}` : ` ${code}` };
  }
  if (syntax === 'lua' && insideLuaToken(text, end)) {
    return undefined;
  }
  return { offset: end, length: 0, content: `${end > start ? ' ' : ''}${opener} resty-build: ignore ${code}` };
}

/**
 * The edit that silences `code` in the whole file: added to its
 * `ignore-file` comment, else a comment line at the top (after a `#!` line).
 */
export function ignoreInFileEdit(text: string, syntax: CommentSyntax, code: string): TextEdit | undefined {
  const opener = LINE_COMMENT[syntax];
  if (!opener) {
    return undefined;
  }
  const own = findSuppressionComments(text, syntax).find((c) => c.directive === 'ignore-file');
  if (own) {
    return own.codes.some((c) => c.name === code) ? undefined : { offset: own.end, length: 0, content: own.codes.length > 0 ? `, ${code}` : ` ${code}` };
  }
  const eol = text.includes('\r\n') ? '\r\n' : '\n';
  // After a BOM and a `#!` line, which must stay first.
  let offset = text.charCodeAt(0) === 0xfeff ? 1 : 0;
  let lead = '';
  const shebang = syntax === 'lua' ? shebangLength(text) : 0;
  if (shebang > 0) {
    offset = shebang < text.length ? shebang + 1 : shebang;
    lead = shebang < text.length ? '' : eol;
  }
  return { offset, length: 0, content: `${lead}${opener} resty-build: ignore-file ${code}${eol}` };
}
