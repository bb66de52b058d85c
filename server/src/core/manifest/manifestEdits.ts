import { applyEdits, Edit, findNodeAtLocation, FormattingOptions, JSONPath, modify, Node, parseTree } from 'jsonc-parser';

/** Detects the manifest's indentation so edits keep its formatting. */
function formattingOf(text: string): FormattingOptions {
  const indent = /\n([ \t]+)"/.exec(text)?.[1] ?? '  ';
  return { insertSpaces: !indent.startsWith('\t'), tabSize: indent.startsWith('\t') ? 1 : indent.length, eol: text.includes('\r\n') ? '\r\n' : '\n' };
}

/** Text edits that append names to a string array of the manifest (created when absent). */
export function appendToArray(text: string, key: 'embed' | 'provided', names: string[]): Edit[] {
  const root = parseTree(text);
  const existing = root ? findNodeAtLocation(root, [key]) : undefined;
  const present = new Set<string>();
  for (const item of existing?.type === 'array' ? (existing.children ?? []) : []) {
    if (item.type === 'string') {
      present.add(item.value as string);
    } else if (item.type === 'object') {
      const m = findNodeAtLocation(item, ['module']);
      if (m?.type === 'string') {
        present.add(m.value as string);
      }
    }
  }
  const toAdd = [...new Set(names)].filter((n) => !present.has(n));
  if (toAdd.length === 0) {
    return [];
  }
  const formattingOptions = formattingOf(text);
  if (!existing || existing.type !== 'array') {
    return modify(text, [key], toAdd, { formattingOptions });
  }
  const afterComment = appendAfterLineComment(text, existing, toAdd);
  if (afterComment) {
    return afterComment;
  }
  // Append one by one so comments and the layout of existing items stay untouched.
  let current = text;
  let index = existing.children?.length ?? 0;
  for (const name of toAdd) {
    const step = modify(current, [key, index], name, { formattingOptions, isArrayInsertion: true });
    current = applyEdits(current, step);
    index++;
  }
  // Edits computed one after another apply in sequence; collapse them into one replacement.
  return collapse(text, current);
}

/**
 * Text edits that replace existing values of the manifest (`["embed", 3]`,
 * `["embed", 5, "file"]`), each computed on the original text: they touch
 * only the values, so comments and layout around them stay as they are.
 */
export function replaceValues(text: string, changes: { path: JSONPath; value: string }[]): Edit[] {
  const formattingOptions = formattingOf(text);
  return changes.flatMap((c) => modify(text, c.path, c.value, { formattingOptions }));
}

/**
 * An array written one item per line whose last item ends its line with a
 * `// comment`: the comment belongs to that item, so the new items go on
 * lines of their own after it (jsonc-parser would put them between the item
 * and its comment). Undefined for any other layout.
 */
function appendAfterLineComment(text: string, array: Node, names: string[]): Edit[] | undefined {
  const last = array.children?.at(-1);
  if (!last) {
    return undefined;
  }
  const itemEnd = last.offset + last.length;
  let lineEnd = text.indexOf('\n', itemEnd);
  lineEnd = lineEnd < 0 ? text.length : lineEnd;
  const rest = text.slice(itemEnd, lineEnd).replace(/\r$/, '');
  const shape = /^(\s*)(,?)(\s*)\/\/[^\n]*$/.exec(rest);
  const closing = array.offset + array.length - 1;
  if (!shape || closing < lineEnd) {
    return undefined;
  }
  const lineStart = text.lastIndexOf('\n', last.offset) + 1;
  const indent = /^[ \t]*/.exec(text.slice(lineStart))![0];
  const eol = text.includes('\r\n') ? '\r\n' : '\n';
  const trailingComma = shape[2] === ',';
  const lines = names.map((n, i) => `${eol}${indent}${JSON.stringify(n)}${trailingComma || i < names.length - 1 ? ',' : ''}`).join('');
  const commentEnd = text[lineEnd - 1] === '\r' ? lineEnd - 1 : lineEnd;
  const edits: Edit[] = [{ offset: commentEnd, length: 0, content: lines }];
  if (!trailingComma) {
    edits.unshift({ offset: itemEnd, length: 0, content: ',' });
  }
  return edits;
}

/** One edit from the original text to the final text, covering only the changed middle. */
function collapse(before: string, after: string): Edit[] {
  let start = 0;
  while (start < before.length && start < after.length && before[start] === after[start]) {
    start++;
  }
  let endBefore = before.length;
  let endAfter = after.length;
  while (endBefore > start && endAfter > start && before[endBefore - 1] === after[endAfter - 1]) {
    endBefore--;
    endAfter--;
  }
  return [{ offset: start, length: endBefore - start, content: after.slice(start, endAfter) }];
}

export { applyEdits };
