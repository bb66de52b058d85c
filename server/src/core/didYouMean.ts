/** Edit distance (case-insensitive), for "did you mean" on misspelt keys and codes. */
function distance(a: string, b: string): number {
  const d: number[] = Array.from({ length: b.length + 1 }, (_, j) => j);
  for (let i = 1; i <= a.length; i++) {
    let prev = d[0];
    d[0] = i;
    for (let j = 1; j <= b.length; j++) {
      const tmp = d[j];
      d[j] = Math.min(d[j] + 1, d[j - 1] + 1, prev + (a[i - 1].toLowerCase() === b[j - 1].toLowerCase() ? 0 : 1));
      prev = tmp;
    }
  }
  return d[b.length];
}

/** The known word closest to `word`, when it is close enough to be what was meant. */
export function closestWord(word: string, known: readonly string[]): string | undefined {
  const best = known.map((k) => [k, distance(word, k)] as const).sort((x, y) => x[1] - y[1])[0];
  return best && best[1] <= Math.max(2, Math.floor(word.length / 3)) ? best[0] : undefined;
}

/** " Did you mean 'x'?" when a known word is close, else ''. */
export function didYouMean(word: string, known: readonly string[]): string {
  const best = closestWord(word, known);
  return best === undefined ? '' : ` Did you mean '${best}'?`;
}
