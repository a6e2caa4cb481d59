/**
 * The plain JSONL frame capture of docs/captures.md: one JSON object per line, any server can
 * write it. Read line by line (readline), so a capture of any size is never held whole.
 *
 *   {"t": 1.25, "conn": "c1", "open": {"url": "wss://…?resumeHandle=…", "resume": true, "conversation": "a"}}   (optional)
 *   {"t": 1.30, "conn": "c1", "dir": "out", "text": "{\"type\":\"transcript\",…}"}
 *   {"t": 1.31, "conn": "c1", "dir": "out", "binary": 4800}            (a byte count, or the bytes in base64:
 *                                                             Gemini's JSON in binary frames is read as text)
 *   {"t": 9.00, "conn": "c1", "close": {"code": 1000, "reason": "session expired", "by": "server"}}
 *
 * The protocol (AI-voice or Gemini Live) is not part of the format: the inference tells it by
 * the frames' content.
 */
import { createReadStream } from 'node:fs';
import { createInterface } from 'node:readline';
import { ImportError } from '../errors.ts';
import { binaryPayload, learnUrl, type CaptureEvent, type CaptureSource, type CloseSide, type ImportRedactor } from './capture-event.ts';

export const FRAMES_JSONL = 'frames-jsonl';

/** The first line is a frame-capture record: it names a connection and has one of the record keys. */
export function looksLikeFramesJsonl(head: string): boolean {
  const first = firstLine(head);
  if (first === null) return false;
  try {
    const value = JSON.parse(first) as Record<string, unknown>;
    return typeof value === 'object' && value !== null && 'conn' in value && 't' in value && ('dir' in value || 'open' in value || 'close' in value) && !('kind' in value);
  } catch {
    return false;
  }
}

export function firstLine(head: string): string | null {
  for (const line of head.split('\n')) if (line.trim() !== '') return line.trim();
  return null;
}

/** Lines of a file, streamed, with their 1-based numbers; blank lines skipped. */
export async function* numberedLines(file: string): AsyncGenerator<{ line: string; n: number }> {
  const lines = createInterface({ input: createReadStream(file, { encoding: 'utf8' }), crlfDelay: Infinity });
  let n = 0;
  for await (const line of lines) {
    n++;
    if (line.trim() !== '') yield { line, n };
  }
}

export function parseLine(line: string, where: string): Record<string, unknown> {
  let value: unknown;
  try {
    value = JSON.parse(line);
  } catch (error) {
    throw new ImportError(where, `not a JSON object (${(error as Error).message}); a truncated capture?`);
  }
  if (typeof value !== 'object' || value === null || Array.isArray(value)) throw new ImportError(where, 'not a JSON object');
  return value as Record<string, unknown>;
}

const CLOSE_SIDES: readonly CloseSide[] = ['server', 'client', 'network'];

export function readFramesJsonl(file: string, shown: string, redactor: ImportRedactor): CaptureSource {
  async function* events(): AsyncGenerator<CaptureEvent> {
    const opened = new Set<string>();
    for await (const { line, n } of numberedLines(file)) {
      const where = `${shown}: line ${n}`;
      const record = parseLine(line, where);
      const t = record.t;
      if (typeof t !== 'number' || !Number.isFinite(t) || t < 0) throw new ImportError(where, '"t" must be a number of seconds (0 or more)');
      if (typeof record.conn !== 'string' && typeof record.conn !== 'number') throw new ImportError(where, '"conn" must name the connection (a string or a number)');
      const conn = String(record.conn);
      if (record.open !== undefined) {
        const open = record.open as Record<string, unknown>;
        const url = typeof open.url === 'string' ? learnUrl(open.url, redactor) : null;
        const resume = typeof open.resume === 'boolean' ? open.resume : url?.resume ?? null;
        const conversation = typeof open.conversation === 'string' ? open.conversation : url?.sessionToken ?? null;
        opened.add(conn);
        yield { kind: 'open', conn, t, conversation, resume, where };
        continue;
      }
      if (!opened.has(conn)) {
        opened.add(conn);
        yield { kind: 'open', conn, t, conversation: null, resume: null, where };
      }
      if (record.close !== undefined) {
        const close = record.close as Record<string, unknown>;
        if (typeof close.code !== 'number' || !Number.isInteger(close.code)) throw new ImportError(where, '"close.code" must be a close code (1006 for a connection lost with no close frame)');
        const by = CLOSE_SIDES.includes(close.by as CloseSide) ? (close.by as CloseSide) : close.code === 1006 ? 'network' : null;
        yield { kind: 'close', conn, t, code: close.code, reason: typeof close.reason === 'string' ? close.reason : '', by, where };
        continue;
      }
      if (record.dir !== 'in' && record.dir !== 'out') throw new ImportError(where, `unknown record: a line carries "open", "close", or "dir": "in"|"out" with "text" or "binary" (got keys ${Object.keys(record).join(', ')})`);
      if (typeof record.text === 'string') yield { kind: 'frame', conn, t, dir: record.dir, text: record.text, where };
      else if (typeof record.binary === 'number') yield { kind: 'frame', conn, t, dir: record.dir, binaryBytes: record.binary, where };
      else if (typeof record.binary === 'string') yield { kind: 'frame', conn, t, dir: record.dir, ...binaryPayload(Buffer.from(record.binary, 'base64')), where };
      else throw new ImportError(where, 'a frame carries "text" (a string) or "binary" (a byte count or base64)');
    }
  }
  return { format: FRAMES_JSONL, events: events() };
}
