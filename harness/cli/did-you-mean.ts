/**
 * "Did you mean …?" for a scenario id, a mutant id or any other name from a known list: the
 * closest names by edit distance (Levenshtein), close enough to be a typo.
 */

export function editDistance(a: string, b: string): number {
  if (a === b) return 0;
  let previous = Array.from({ length: b.length + 1 }, (_, j) => j);
  for (let i = 1; i <= a.length; i++) {
    const current = [i];
    for (let j = 1; j <= b.length; j++) {
      const cost = a[i - 1] === b[j - 1] ? 0 : 1;
      current[j] = Math.min(previous[j]! + 1, current[j - 1]! + 1, previous[j - 1]! + cost);
    }
    previous = current;
  }
  return previous[b.length]!;
}

/**
 * The known names nearest to `wanted`, best first, at most `limit`: within a third of the
 * longer name's length (at least 2 edits), so "goawy" finds "goaway" but "x" finds nothing;
 * or a name that contains `wanted` whole.
 */
export function closestNames(wanted: string, known: readonly string[], limit = 3): string[] {
  const scored = [...new Set(known)]
    .map((name) => ({ name, distance: editDistance(wanted.toLowerCase(), name.toLowerCase()) }))
    // A typo, or the name with its prefix left off (`handle-relay` for `server:handle-relay`).
    .filter(({ name, distance }) => distance <= Math.max(2, Math.floor(Math.max(wanted.length, name.length) / 3)) || (wanted.length >= 4 && name.toLowerCase().includes(wanted.toLowerCase())))
    .sort((x, y) => x.distance - y.distance || x.name.localeCompare(y.name));
  return scored.slice(0, limit).map((s) => s.name);
}

/** ` (did you mean "a" or "b"?)`, or nothing when no name is close. */
export function didYouMean(wanted: string, known: readonly string[]): string {
  const names = closestNames(wanted, known);
  if (names.length === 0) return '';
  const quoted = names.map((n) => `"${n}"`);
  return ` (did you mean ${quoted.length === 1 ? quoted[0] : `${quoted.slice(0, -1).join(', ')} or ${quoted.at(-1)}`}?)`;
}
