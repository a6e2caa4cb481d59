/** Option values read with errors that name the flag at fault (exit 2); commander parses the line (command-kit.ts). */
import { PROTOCOLS, type Protocol } from '../../protocol/sut-result.ts';
import type { Mode } from '../sut/system-under-test.ts';
import { UsageError } from '../errors.ts';

export function intFlag(value: string | boolean | undefined, name: string): number | undefined {
  if (value === undefined) return undefined;
  const n = Number(value);
  if (typeof value !== 'string' || !Number.isInteger(n) || n < 0 || n > 0xffffffff) throw new UsageError(`--${name} must be a whole number from 0 to 4294967295, got "${String(value)}"`);
  return n;
}

/** `--protocol ai-voice|gemini-live`: the wire of the mock and of the client (default ai-voice). */
export function protocolFlag(value: string | boolean | undefined): Protocol {
  if (value === undefined) return 'ai-voice';
  if (typeof value === 'string' && (PROTOCOLS as readonly string[]).includes(value)) return value as Protocol;
  throw new UsageError(`--protocol must be ${PROTOCOLS.join(' or ')}, got "${String(value)}"`);
}

export function positiveFlag(value: string | boolean | undefined, name: string): number | undefined {
  if (value === undefined) return undefined;
  const n = Number(value);
  if (typeof value !== 'string' || !(n > 0) || !Number.isFinite(n)) throw new UsageError(`--${name} must be a number above 0, got "${String(value)}"`);
  return n;
}

/** `--mode virtual|network`, with a default. */
export function modeFlag(value: string | undefined, fallback: Mode): Mode {
  if (value === undefined) return fallback;
  if (value === 'virtual' || value === 'network') return value;
  throw new UsageError(`--mode must be virtual or network, got "${value}"`);
}
