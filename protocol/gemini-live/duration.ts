/**
 * google.protobuf.Duration in its proto3 JSON form: a decimal number of seconds with a
 * trailing "s" ("50s", "0.5s", "1.000000001s", "-2.5s"). Gemini Live sends one in
 * `goAway.timeLeft` (docs/gemini-live.md §1.4: `{"goAway":{"timeLeft":"50s"}}`;
 * observed values "50s" and "30s", §1.5). @google/genai hands the string through unparsed
 * (gemini-live-mock-facts.md, "What the mock must answer").
 *
 * Grammar accepted (the proto3 JSON mapping): optional "-", one or more digits, optionally
 * "." and 1–9 digits, then "s". Seconds are bounded by ±315,576,000,000 (10,000 years), the
 * range of google.protobuf.Duration. Anything else — "50", ".5s", "1.s", "+1s", "1e3s",
 * ten fractional digits — is refused.
 */

/** Seconds and nanoseconds, both carrying the sign of the whole (as in the proto message). */
export interface Duration {
  readonly seconds: number;
  readonly nanos: number;
}

export const MAX_DURATION_SECONDS = 315_576_000_000;
const NANOS_PER_SECOND = 1_000_000_000;
const DURATION_PATTERN = /^(-)?(\d+)(?:\.(\d{1,9}))?s$/;

export type DurationParse = { readonly ok: true; readonly duration: Duration } | { readonly ok: false; readonly problem: string };

export function parseDuration(text: string): DurationParse {
  const match = DURATION_PATTERN.exec(text);
  if (!match) {
    return { ok: false, problem: `"${text}" is not a protobuf Duration (digits, up to 9 fractional digits, then "s", e.g. "50s")` };
  }
  const [, minus, whole = '', fraction = ''] = match;
  const seconds = Number(whole);
  if (!Number.isSafeInteger(seconds) || seconds > MAX_DURATION_SECONDS) {
    return { ok: false, problem: `"${text}" is outside the Duration range of ±${MAX_DURATION_SECONDS}s` };
  }
  const nanos = Number(fraction.padEnd(9, '0'));
  const sign = minus ? -1 : 1;
  // `0 * -1` is -0; normalise so that "-0s" and "0s" are the same value.
  return { ok: true, duration: { seconds: seconds === 0 ? 0 : sign * seconds, nanos: nanos === 0 ? 0 : sign * nanos } };
}

/** Like parseDuration, for callers that have already validated the string. */
export function durationFromString(text: string): Duration {
  const parsed = parseDuration(text);
  if (!parsed.ok) throw new RangeError(parsed.problem);
  return parsed.duration;
}

/** A Duration is valid when both parts are integers of the same sign and nanos < 1 s. */
export function isValidDuration(d: Duration): boolean {
  return (
    Number.isSafeInteger(d.seconds) &&
    Math.abs(d.seconds) <= MAX_DURATION_SECONDS &&
    Number.isInteger(d.nanos) &&
    Math.abs(d.nanos) < NANOS_PER_SECOND &&
    !(d.seconds > 0 && d.nanos < 0) &&
    !(d.seconds < 0 && d.nanos > 0)
  );
}

/**
 * The canonical proto3 JSON text, as protobuf's own formatters write it: no fraction when
 * nanos is 0, else 3, 6 or 9 fractional digits ("50s", "0.500s", "1.000000001s").
 */
export function formatDuration(d: Duration): string {
  if (!isValidDuration(d)) throw new RangeError(`not a valid Duration: ${JSON.stringify(d)}`);
  const negative = d.seconds < 0 || d.nanos < 0;
  const seconds = Math.abs(d.seconds);
  const nanos = Math.abs(d.nanos);
  let fraction = '';
  if (nanos !== 0) {
    const digits = String(nanos).padStart(9, '0');
    fraction = nanos % 1_000_000 === 0 ? `.${digits.slice(0, 3)}` : nanos % 1_000 === 0 ? `.${digits.slice(0, 6)}` : `.${digits}`;
  }
  return `${negative ? '-' : ''}${seconds}${fraction}s`;
}

/** Whole milliseconds (truncated toward zero), for timers and virtual clocks. */
export const durationToMillis = (d: Duration): number => d.seconds * 1000 + Math.trunc(d.nanos / 1_000_000);

/** A Duration of a whole number of milliseconds. */
export function durationFromMillis(ms: number): Duration {
  if (!Number.isSafeInteger(ms)) throw new RangeError(`not a whole number of milliseconds: ${ms}`);
  const seconds = Math.trunc(ms / 1000);
  const nanos = (ms % 1000) * 1_000_000;
  return { seconds: seconds === 0 ? 0 : seconds, nanos: nanos === 0 ? 0 : nanos };
}
