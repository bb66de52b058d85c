/**
 * Doc comments written right above a definition, in the two styles Lua code
 * uses: LuaDoc/LDoc `---` lines (continued by `--` lines) and `--[[ … ]]`
 * blocks. A blank line between comment and definition detaches it, as in LDoc.
 */

/** The start offsets of the lines of `text`. */
function lineStarts(text: string, upTo: number): number[] {
  const starts = [0];
  for (let i = 0; i < upTo; i++) {
    if (text.charCodeAt(i) === 10) {
      starts.push(i + 1);
    }
  }
  return starts;
}

/** The doc comment above the line holding `declStart`, as Markdown; undefined when there is none. */
export function docCommentAbove(text: string, declStart: number): string | undefined {
  const starts = lineStarts(text, declStart);
  const lineOf = starts.length - 1;
  // Only whitespace may precede the definition on its line.
  if (text.slice(starts[lineOf], declStart).trim() !== '') {
    return undefined;
  }
  const line = (n: number) => text.slice(starts[n], (starts[n + 1] ?? text.length + 1) - 1).replace(/\r$/, '');
  let n = lineOf - 1;
  if (n < 0) {
    return undefined;
  }
  const last = line(n).trim();
  // A block comment ending on the line above: `--[[ … ]]` or `--[==[ … ]==]`.
  const closer = /\](=*)\]$/.exec(last);
  if (closer) {
    const opener = `--[${closer[1]}[`;
    for (let k = n; k >= 0; k--) {
      const at = line(k).indexOf(opener);
      if (at >= 0 && line(k).slice(0, at).trim() === '') {
        const body = [line(k).slice(at + opener.length), ...Array.from({ length: n - k }, (_, j) => line(k + 1 + j))].join('\n');
        const inner = body.slice(0, body.lastIndexOf(`]${closer[1]}]`));
        return formatDoc(dedent(inner.split('\n')));
      }
    }
    return undefined;
  }
  const lines: string[] = [];
  while (n >= 0 && /^\s*--/.test(line(n)) && !/^\s*--\[=*\[/.test(line(n))) {
    lines.unshift(line(n).trim());
    n--;
  }
  // LDoc: the block starts with `---`; plain `--` comments above code are not documentation.
  const first = lines.findIndex((l) => l.startsWith('---'));
  if (first < 0) {
    return undefined;
  }
  const doc = lines.slice(first).map((l) => l.replace(/^-{2,}\s?/, ''));
  return formatDoc(doc);
}

function dedent(lines: string[]): string[] {
  const indents = lines.filter((l) => l.trim() !== '').map((l) => /^\s*/.exec(l)![0].length);
  const cut = indents.length > 0 ? Math.min(...indents) : 0;
  return lines.map((l) => l.slice(cut));
}

/** Trims the block and renders `@param x text` / `@return …` tags as readable Markdown lines. */
function formatDoc(lines: string[]): string | undefined {
  while (lines.length > 0 && lines[0].trim() === '') {
    lines.shift();
  }
  while (lines.length > 0 && lines[lines.length - 1].trim() === '') {
    lines.pop();
  }
  if (lines.length === 0) {
    return undefined;
  }
  const out = lines.map((line) => {
    const l = line.trimEnd();
    const tag = /^\s*@(\w+)\s*(.*)$/.exec(l);
    if (!tag) {
      return l;
    }
    const [, name, rest] = tag;
    if (name === 'param' || name === 'tparam') {
      const m = /^(?:(\S+)\s+)?(\S+)\s*(.*)$/.exec(rest);
      if (name === 'tparam' && m) {
        return `- *@param* \`${m[2]}\` (${m[1] ?? ''}) ${m[3]}`.trimEnd();
      }
      const p = /^(\S+)\s*(.*)$/.exec(rest);
      return p ? `- *@param* \`${p[1]}\` ${p[2]}`.trimEnd() : `- *@param*`;
    }
    return `- *@${name}* ${rest}`.trimEnd();
  });
  // A list needs a blank line before it to render as one.
  const first = out.findIndex((l) => l.startsWith('- *@'));
  if (first > 0 && out[first - 1].trim() !== '') {
    out.splice(first, 0, '');
  }
  return out.join('\n');
}
