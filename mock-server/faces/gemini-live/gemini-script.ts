/**
 * A server script as the Gemini face plays it. A scenario means the same on both faces; two
 * of the script's defaults are the AI-voice server's own behaviour, and on Google's wire they
 * become what Gemini does instead:
 * - a rejected handle: the AI-voice server's `silent-fresh` (and its 4003 close) have no
 *   Gemini counterpart; Gemini closes before setupComplete, by default with 1008
 *   "BidiGenerateContent session not found" (`validation.rejectClose`, gemini-live.md §1.6, F5);
 * - the close at the goAway deadline keeps the script's code, except the AI-voice default
 *   1000 "session expired", which the codec turns into Gemini's overrun close (§1.7, F1).
 */
import type { ServerScript } from '../../script/schema.ts';

export function geminiScript(script: ServerScript): ServerScript {
  const reject = script.validation.reject;
  if (reject !== 'silent-fresh' && reject !== 'close-4003') return script;
  return { ...script, validation: { ...script.validation, reject: 'close' } };
}
