/**
 * Reading the docs the way a reader follows them: the links of a Markdown page, the anchors
 * its headings get on GitHub, the numbered sections it has, and the citations a text makes
 * ("spec §6.3, §7", "sut-contract §4", "gemini-live.md §1.6", "F14", "T7").
 */

export interface Link {
  readonly target: string;
  readonly line: number;
}

/** Inline Markdown links and images, outside fenced code blocks. */
export function linksIn(markdown: string): Link[] {
  const links: Link[] = [];
  let fenced = false;
  markdown.split('\n').forEach((text, i) => {
    if (/^\s*```/.test(text)) fenced = !fenced;
    if (fenced) return;
    const prose = text.replace(/`[^`]*`/g, '');
    for (const m of prose.matchAll(/!?\[(?:[^\][]|\[[^\]]*\])*\]\(([^)\s]+)(?:\s+"[^"]*")?\)/g)) links.push({ target: m[1]!, line: i + 1 });
  });
  return links;
}

/** GitHub's anchor for a heading: lower case, punctuation dropped, spaces to hyphens; repeats get -1, -2. */
export function headingSlugs(markdown: string): Set<string> {
  const slugs = new Set<string>();
  const seen = new Map<string, number>();
  let fenced = false;
  for (const text of markdown.split('\n')) {
    if (/^\s*```/.test(text)) fenced = !fenced;
    const m = fenced ? null : /^#{1,6}\s+(.*?)\s*#*\s*$/.exec(text);
    if (!m) continue;
    const base = m[1]!
      .replace(/`/g, '')
      .replace(/\[([^\]]*)\]\([^)]*\)/g, '$1')
      .toLowerCase()
      .replace(/[^\p{L}\p{N}\s_-]/gu, '')
      .replace(/\s/g, '-');
    const n = seen.get(base) ?? 0;
    seen.set(base, n + 1);
    slugs.add(n === 0 ? base : `${base}-${n}`);
  }
  return slugs;
}

/**
 * The section numbers a page has: its headings ("## 6. Expected…" → 6, "### 5.1 What…" → 5.1)
 * and the numbered rules right under a numbered heading (ai-voice-protocol.md §6's rule "3."
 * is §6.3).
 */
export function sectionNumbers(markdown: string): Set<string> {
  const numbers = new Set<string>();
  let current: string | null = null;
  for (const text of markdown.split('\n')) {
    const heading = /^#{1,6}\s+(?:(\d+(?:\.\d+)*)\.?\s)?/.exec(text);
    if (heading) {
      current = heading[1] ?? null;
      if (current) numbers.add(current);
      continue;
    }
    const rule = /^(\d+)\. /.exec(text);
    if (rule && current) numbers.add(`${current}.${rule[1]}`);
  }
  return numbers;
}

export interface Citation {
  readonly doc: 'ai-voice-protocol.md' | 'sut-contract.md' | 'server-contract.md' | 'gemini-live.md' | 'field-failures.md';
  /** A section number ("6.3"), or a code ("F14", "T7") for field-failures.md. */
  readonly section: string;
  readonly line: number;
  readonly text: string;
}

const DOC_OF: Record<string, Citation['doc']> = {
  spec: 'ai-voice-protocol.md',
  'ai-voice-protocol': 'ai-voice-protocol.md',
  'sut-contract': 'sut-contract.md',
  'server-contract': 'server-contract.md',
  'gemini-live': 'gemini-live.md',
};

// A document's name (optionally as a Markdown link), then "§N"; the further "§M" of the same
// clause list ("spec §6.3, §7 (1000) and §8", "§1.6 bad handles, §1.7") belong to it too, up to
// the next document's name or the end of the sentence.
const PREFIX = /\b(spec|ai-voice-protocol|sut-contract|server-contract|gemini-live)(?:\.md)?(?:\]\([^)]*\))?\)? ?§ ?(\d+(?:\.\d+)*)/g;

export function citationsIn(text: string): Citation[] {
  const out: Citation[] = [];
  text.split('\n').forEach((lineText, i) => {
    const prefixes = [...lineText.matchAll(PREFIX)];
    prefixes.forEach((m, k) => {
      const doc = DOC_OF[m[1]!]!;
      const from = m.index! + m[0].length;
      const to = k + 1 < prefixes.length ? prefixes[k + 1]!.index! : lineText.length;
      const rest = lineText.slice(from, to).split(/[;:]|\.\s|\.$/)[0]!;
      const numbers = [m[2]!, ...[...rest.matchAll(/§ ?(\d+(?:\.\d+)*)/g)].map((x) => x[1]!)];
      for (const section of numbers) out.push({ doc, section: section.replace(/\.$/, ''), line: i + 1, text: m[0] });
    });
    for (const m of lineText.matchAll(/(?<![\w$#./-])([FT])(\d{1,3})(?![\w/.-]*\w)/g)) {
      // F and T codes: "F14", "T7", "(F5)", "F1–F24"; not hex, identifiers, paths or key names.
      out.push({ doc: 'field-failures.md', section: `${m[1]}${m[2]}`, line: i + 1, text: m[0] });
    }
  });
  return out;
}
