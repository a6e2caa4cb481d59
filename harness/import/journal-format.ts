/**
 * The harness's own record of a run: a scenario report (JSON: `wire` holds every frame,
 * `events` the rest of the mock's journal) or the journal `serve` prints (JSONL, one event a
 * line, read line by line). Times are protocol milliseconds; frames are already redacted
 * (handles and tokens as fingerprints, mock-server/core/journal.ts).
 */
import { readFileSync, statSync } from 'node:fs';
import { ImportError } from '../errors.ts';
import type { CaptureEvent, CaptureSource, CloseSide } from './capture-event.ts';
import { firstLine, numberedLines, parseLine } from './frames-jsonl-format.ts';

export const REPORT_JSON = 'report-json';
export const SERVE_JOURNAL = 'serve-journal';
export const REPORT_MAX_BYTES = 256 * 1024 * 1024;

export function looksLikeReport(head: string): boolean {
  return /^\s*\{/.test(head) && head.includes('"reportVersion"') || (/^\s*\{/.test(head) && head.includes('"verdict"') && head.includes('"scenario"'));
}

export function looksLikeServeJournal(head: string): boolean {
  const first = firstLine(head);
  if (first === null) return false;
  try {
    const value = JSON.parse(first) as Record<string, unknown>;
    return typeof value.kind === 'string' && typeof value.t === 'number';
  } catch {
    return false;
  }
}

type JournalLike = Record<string, unknown> & { kind?: unknown; t?: unknown; conn?: unknown };

/** One journal event as capture events (frames the mock kept from the client are left out: the client never saw them). */
function fromJournal(e: JournalLike, where: string): CaptureEvent | null {
  if (typeof e.t !== 'number') throw new ImportError(where, 'a journal event has a "t" in protocol milliseconds');
  const t = e.t / 1000;
  const conn = String(e.conn);
  switch (e.kind) {
    case 'open':
      return { kind: 'open', conn, t, conversation: typeof e.conversationId === 'string' ? e.conversationId : null, resume: e.presented !== null && e.presented !== undefined, where };
    case 'frame-in':
    case 'frame-out': {
      if (e.dropped === true) return null;
      const dir = e.kind === 'frame-in' ? 'in' : 'out';
      // Gemini's JSON comes in binary frames; the journal keeps its text (docs/gemini-live.md §1.2).
      if (e.binary === true && typeof e.text !== 'string') return { kind: 'frame', conn, t, dir, binaryBytes: typeof e.bytes === 'number' ? e.bytes : 0, where };
      if (typeof e.text !== 'string') throw new ImportError(where, 'a text frame without its text');
      return { kind: 'frame', conn, t, dir, text: e.text, where };
    }
    case 'upgrade-rejected':
      // A Gemini face refuses after the upgrade (status 101 and a close code): only an HTTP refusal is an attempt that never opened.
      if (typeof e.status !== 'number' || e.status === 101) return null;
      return { kind: 'refused', t, conversation: typeof e.conversationId === 'string' ? e.conversationId : null, status: e.status, where };
    case 'close':
      return { kind: 'close', conn, t, code: typeof e.code === 'number' ? e.code : null, reason: typeof e.reason === 'string' ? e.reason : '', by: (e.by as CloseSide) ?? null, where };
    default:
      return null;
  }
}

export function readServeJournal(file: string, shown: string): CaptureSource {
  async function* events(): AsyncGenerator<CaptureEvent> {
    for await (const { line, n } of numberedLines(file)) {
      const where = `${shown}: line ${n}`;
      const event = fromJournal(parseLine(line, where), where);
      if (event) yield event;
    }
  }
  return { format: SERVE_JOURNAL, events: events() };
}

const RANK = { refused: 0, open: 0, frame: 1, close: 2 } as const;

export function readReport(file: string, shown: string): CaptureSource {
  const size = statSync(file).size;
  if (size > REPORT_MAX_BYTES) throw new ImportError(shown, `a report of ${Math.round(size / 2 ** 20)} MB is over the ${REPORT_MAX_BYTES / 2 ** 20} MB read whole`);
  let report: { wire?: unknown; events?: unknown };
  try {
    report = JSON.parse(readFileSync(file, 'utf8')) as typeof report;
  } catch (error) {
    throw new ImportError(shown, `not a complete report: ${(error as Error).message} (a truncated file?)`);
  }
  if (!Array.isArray(report.wire) || !Array.isArray(report.events)) throw new ImportError(shown, 'a scenario report carries "wire" and "events" arrays; this one does not');
  const out: CaptureEvent[] = [];
  (report.events as JournalLike[]).forEach((e, i) => {
    if (e.kind === 'open' || e.kind === 'close' || e.kind === 'upgrade-rejected') {
      const event = fromJournal(e, `${shown}: events[${i}]`);
      if (event) out.push(event);
    }
  });
  (report.wire as JournalLike[]).forEach((w, i) => {
    const where = `${shown}: wire[${i}]`;
    const event = fromJournal({ ...w, kind: w.dir === 'in' ? 'frame-in' : 'frame-out', text: w.text ?? undefined }, where);
    if (event) out.push(event);
  });
  out.sort((a, b) => a.t - b.t || RANK[a.kind] - RANK[b.kind]);
  return { format: REPORT_JSON, events: (async function* () { yield* out; })() };
}
