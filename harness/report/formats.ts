/**
 * The one registry of report formats, after vitest's `ReportersMap`: a format's name → its
 * reporter. `--format` is read against it, and the writer runs the reporters it names, in
 * this order (the order their files are written).
 */
import { ReportFormatError } from '../errors.ts';
import { htmlReporter } from './reporters/html-reporter.ts';
import { jsonReporter } from './reporters/json-reporter.ts';
import { junitReporter } from './reporters/junit-reporter.ts';
import { markdownReporter } from './reporters/markdown-reporter.ts';
import type { Reporter, ReportFormat } from './reporters/reporter.ts';

export type { ReportFormat } from './reporters/reporter.ts';

export const REPORTERS_MAP: Readonly<Record<ReportFormat, Reporter>> = {
  json: jsonReporter,
  md: markdownReporter,
  junit: junitReporter,
  html: htmlReporter,
};

export const ALL_FORMATS = Object.keys(REPORTERS_MAP) as readonly ReportFormat[];

const isFormat = (name: string): name is ReportFormat => Object.hasOwn(REPORTERS_MAP, name);

/**
 * `json,md`: a comma-separated list of formats; absent or `all` means every format. A list
 * that names no format, or names one the registry does not know, is a ReportFormatError.
 */
export function parseFormats(text: string | undefined): Set<ReportFormat> {
  if (text === undefined) return new Set(ALL_FORMATS);
  const names = text.split(',').map((s) => s.trim()).filter(Boolean);
  if (names.includes('all')) return new Set(ALL_FORMATS);
  const unknown = names.filter((n) => !isFormat(n));
  if (unknown.length > 0 || names.length === 0) throw new ReportFormatError(unknown, ALL_FORMATS);
  return new Set(names.filter(isFormat));
}
