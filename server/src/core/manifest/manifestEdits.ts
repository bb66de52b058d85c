import { applyEdits, Edit, findNodeAtLocation, FormattingOptions, JSONPath, modify, parseTree } from 'jsonc-parser';

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
