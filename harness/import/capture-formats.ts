/**
 * The capture formats `import` reads, detected by content (never by file name): the first
 * 64 KiB decide. One entry per format; each reader lives in its own file.
 */
import { closeSync, openSync, readSync } from 'node:fs';
import { ImportError } from '../errors.ts';
import type { CaptureSource, ImportRedactor } from './capture-event.ts';
import { FRAMES_JSONL, looksLikeFramesJsonl, readFramesJsonl } from './frames-jsonl-format.ts';
import { HAR, looksLikeHar, readHar } from './har-format.ts';
import { looksLikeReport, looksLikeServeJournal, readReport, readServeJournal, REPORT_JSON, SERVE_JOURNAL } from './journal-format.ts';

export interface CaptureFormat {
  readonly name: string;
  readonly describe: string;
  readonly detect: (head: string) => boolean;
  readonly read: (file: string, shown: string, redactor: ImportRedactor) => CaptureSource;
}

/** Most specific first: a report is a JSON object too, a journal line has a "t" too. */
export const CAPTURE_FORMATS: readonly CaptureFormat[] = [
  { name: HAR, describe: 'a HAR exported by Chrome or Firefox DevTools (_webSocketMessages)', detect: looksLikeHar, read: readHar },
  { name: REPORT_JSON, describe: 'a resume-harness scenario report (JSON: wire and journal)', detect: looksLikeReport, read: (file, shown) => readReport(file, shown) },
  { name: SERVE_JOURNAL, describe: 'the journal `resume-harness serve` prints (JSONL)', detect: looksLikeServeJournal, read: (file, shown) => readServeJournal(file, shown) },
  { name: FRAMES_JSONL, describe: 'the JSONL frame capture of docs/captures.md (AI-voice or Gemini Live)', detect: looksLikeFramesJsonl, read: readFramesJsonl },
];

const HEAD_BYTES = 64 * 1024;

export function readHead(file: string): string {
  const fd = openSync(file, 'r');
  try {
    const buffer = Buffer.alloc(HEAD_BYTES);
    const n = readSync(fd, buffer, 0, HEAD_BYTES, 0);
    return buffer.subarray(0, n).toString('utf8');
  } finally {
    closeSync(fd);
  }
}

export function detectFormat(file: string, shown: string): CaptureFormat {
  let head: string;
  try {
    head = readHead(file);
  } catch (error) {
    throw new ImportError(shown, `cannot read: ${(error as Error).message}`);
  }
  if (head.trim() === '') throw new ImportError(shown, 'empty file');
  const format = CAPTURE_FORMATS.find((f) => f.detect(head));
  if (!format) throw new ImportError(`${shown}: line 1`, `not a capture import knows; it reads ${CAPTURE_FORMATS.map((f) => f.describe).join('; ')}`);
  return format;
}
