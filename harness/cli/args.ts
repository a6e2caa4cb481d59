/** Command-line parsing with errors that name the flag at fault (exit 2). */
import { parseArgs, type ParseArgsConfig } from 'node:util';
import { PROTOCOLS, type Protocol } from '../../protocol/sut-result.ts';
import { UsageError } from '../errors.ts';

export function parse<T extends ParseArgsConfig['options']>(args: string[], options: T): { values: Record<string, string | boolean | undefined>; positionals: string[] } {
  try {
    const parsed = parseArgs({ args, options, allowPositionals: true, strict: true });
    return { values: parsed.values as Record<string, string | boolean | undefined>, positionals: parsed.positionals };
  } catch (error) {
    throw new UsageError((error as Error).message);
  }
}

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
