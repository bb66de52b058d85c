import { Kind, Scanner } from './scanner';

/**
 * Suppression comments, in the style luacheck and ESLint users know:
 * `-- resty-build: ignore <code>[, <code>…]` at the end of a line,
 * `ignore-next-line` for the line below, `ignore-file` for the whole file.
 * Found here as text (offsets, code names as written); whether a code
 * exists and which findings a comment silences is decided in
 * core/checks/suppressions.ts.
 */

export type SuppressionDirective = 'ignore' | 'ignore-next-line' | 'ignore-file';

export interface SuppressionComment {
  /** The directive as written; anything other than the three known ones is reported. */
  directive: string;
  /** Offsets of the comment text from `resty-build:` to the end of its codes. */
  start: number;
  end: number;
  codes: { name: string; start: number; end: number }[];
}

export const SUPPRESSION_MARKER = 'resty-build:';

/** Comment openers per kind of file: Lua's `--`, nginx's `#` (and `--` in its Lua blocks), JSONC's `//` and `/*`. */
const OPENERS = {
  lua: /--+[ \t]*$/,
  conf: /(?:#|--+)[ \t]*$/,
  json: /(?:\/\/|\/\*)[ \t]*$/,
} as const;

export type CommentSyntax = keyof typeof OPENERS;

function isCodeChar(c: number): boolean {
  return (c >= 97 && c <= 122) || (c >= 65 && c <= 90) || (c >= 48 && c <= 57) || c === 45 || c === 95;
}

/** Parses what follows the marker up to the end of the line: the directive, then codes separated by commas or blanks; `--` starts a free-text reason. */
function parseAfterMarker(text: string, at: number, lineEnd: number): SuppressionComment {
  let i = at + SUPPRESSION_MARKER.length;
  const skipBlanks = () => {
    while (i < lineEnd && (text[i] === ' ' || text[i] === '\t' || text[i] === ',')) {
      i++;
    }
  };
  skipBlanks();
  const directiveStart = i;
  while (i < lineEnd && isCodeChar(text.charCodeAt(i))) {
    i++;
  }
  const directive = text.slice(directiveStart, i);
  const codes: SuppressionComment['codes'] = [];
  let end = i;
  for (;;) {
    skipBlanks();
    if (i >= lineEnd || text.startsWith('--', i) || text.startsWith('*/', i) || text.startsWith(']]', i)) {
      break;
    }
    const start = i;
    while (i < lineEnd && !/[\s,]/.test(text[i]) && !text.startsWith('*/', i)) {
      i++;
    }
    codes.push({ name: text.slice(start, i), start, end: i });
    end = i;
  }
  return { directive, start: at, end, codes };
}

/** The offsets where a marker stands right after a comment opener of `syntax`, with the end of its line. */
function candidates(text: string, syntax: CommentSyntax): { marker: number; opener: number; lineEnd: number }[] {
  const out: { marker: number; opener: number; lineEnd: number }[] = [];
  for (let at = text.indexOf(SUPPRESSION_MARKER); at >= 0; at = text.indexOf(SUPPRESSION_MARKER, at + 1)) {
    const lineStart = Math.max(text.lastIndexOf('\n', at), text.lastIndexOf('\r', at)) + 1;
    const before = OPENERS[syntax].exec(text.slice(lineStart, at));
    if (!before) {
      continue;
    }
    let lineEnd = text.indexOf('\n', at);
    lineEnd = lineEnd < 0 ? text.length : lineEnd;
    const cr = text.indexOf('\r', at);
    if (cr >= 0 && cr < lineEnd) {
      lineEnd = cr;
    }
    out.push({ marker: at, opener: lineStart + before.index, lineEnd });
  }
  return out;
}

/** The offsets covered by Lua tokens (strings, names, …): a `--` inside one does not open a comment. */
function insideLuaTokens(text: string, offsets: number[]): Set<number> {
  const inside = new Set<number>();
  const sorted = [...offsets].sort((a, b) => a - b);
  const s = new Scanner(text);
  let k = 0;
  while (k < sorted.length && s.next() !== Kind.Eof) {
    while (k < sorted.length && sorted[k] < s.start) {
      k++;
    }
    while (k < sorted.length && sorted[k] < s.end) {
      inside.add(sorted[k++]);
    }
  }
  return inside;
}

/**
 * The suppression comments of a text. Cheap when there are none (one
 * indexOf); a Lua text is scanned once more only when a marker is found,
 * so that `"-- resty-build: ignore x"` inside a string is not taken for one.
 */
export function findSuppressionComments(text: string, syntax: CommentSyntax): SuppressionComment[] {
  if (!text.includes(SUPPRESSION_MARKER)) {
    return [];
  }
  let found = candidates(text, syntax);
  if (syntax === 'lua' && found.length > 0) {
    const inString = insideLuaTokens(
      text,
      found.map((c) => c.opener),
    );
    found = found.filter((c) => !inString.has(c.opener));
  }
  return found.map((c) => parseAfterMarker(text, c.marker, c.lineEnd));
}
