/**
 * What one captured text frame means, on either wire: the AI-voice protocol
 * (docs/ai-voice-protocol.md §3–§4) or Gemini Live (docs/gemini-live.md §1.3–§1.5). The
 * inference reads meanings, never raw frames, so both wires share it.
 */
import { decodeClientFrame, decodeServerFrame } from '../../protocol/messages.ts';
import type { Protocol } from '../../protocol/sut-result.ts';

export type FrameMeaning =
  | { readonly kind: 'prospect'; readonly text: string }
  | { readonly kind: 'end-request' }
  | { readonly kind: 'setup'; readonly resume: boolean; readonly handle: string | null }
  | { readonly kind: 'setup-complete' }
  | { readonly kind: 'agent-chunk' }
  | { readonly kind: 'agent-final' }
  | { readonly kind: 'handle'; readonly handle: string }
  | { readonly kind: 'not-resumable' }
  | { readonly kind: 'expiring'; readonly timeLeft: number }
  | { readonly kind: 'resumed' }
  | { readonly kind: 'conversation-end'; readonly reason: string }
  /** A frame the mock's default behaviour never sends: replayed as it came (an `error`, an unknown type, invalid fields, not JSON). */
  | { readonly kind: 'odd'; readonly raw: string; readonly json: Record<string, unknown> | null; readonly problem: string }
  | { readonly kind: 'ignored' };

const GEMINI_KEYS = ['setup', 'setupComplete', 'serverContent', 'goAway', 'sessionResumptionUpdate', 'clientContent', 'realtimeInput', 'toolCall', 'toolResponse', 'usageMetadata', 'toolCallCancellation', 'voiceActivity', 'voiceActivityDetectionSignal'];

/** The wire a JSON frame belongs to, or null when it is neither (another protocol). */
export function protocolOf(value: unknown): Protocol | null {
  if (typeof value !== 'object' || value === null || Array.isArray(value)) return null;
  if (typeof (value as { type?: unknown }).type === 'string') return 'ai-voice';
  if (Object.keys(value).some((k) => GEMINI_KEYS.includes(k))) return 'gemini-live';
  return null;
}

export function parseJsonObject(text: string): Record<string, unknown> | null {
  try {
    const value = JSON.parse(text) as unknown;
    return typeof value === 'object' && value !== null && !Array.isArray(value) ? (value as Record<string, unknown>) : null;
  } catch {
    return null;
  }
}

export function meaningOf(protocol: Protocol, dir: 'in' | 'out', text: string): FrameMeaning {
  return protocol === 'ai-voice' ? aiVoiceMeaning(dir, text) : geminiMeaning(dir, text);
}

function aiVoiceMeaning(dir: 'in' | 'out', text: string): FrameMeaning {
  if (dir === 'in') {
    const decoded = decodeClientFrame(text);
    if (decoded.state !== 'valid') return { kind: 'ignored' };
    return decoded.message.type === 'prospect_message' ? { kind: 'prospect', text: decoded.message.text } : { kind: 'end-request' };
  }
  const decoded = decodeServerFrame(text);
  if (decoded.state === 'not-json') return { kind: 'odd', raw: text, json: null, problem: 'not JSON' };
  if (decoded.state !== 'valid') return { kind: 'odd', raw: text, json: parseJsonObject(text), problem: decoded.state === 'unknown-type' ? `unknown type "${decoded.type}"` : decoded.problem };
  const m = decoded.message;
  switch (m.type) {
    case 'transcript':
      return m.final ? { kind: 'agent-final' } : { kind: 'agent-chunk' };
    case 'session_resumption_update':
      return m.resumable && m.handle !== '' ? { kind: 'handle', handle: m.handle } : { kind: 'not-resumable' };
    case 'session_expiring':
      return { kind: 'expiring', timeLeft: m.timeLeft };
    case 'session:resumed':
      return { kind: 'resumed' };
    case 'conversation_end':
      return { kind: 'conversation-end', reason: m.reason };
    case 'error':
      return { kind: 'odd', raw: text, json: parseJsonObject(text), problem: 'an error message' };
  }
}

/** "50s", "1.5s", or a number of seconds (docs/gemini-live.md §1.5: goAway.timeLeft is a duration string). */
function durationSeconds(value: unknown): number | null {
  if (typeof value === 'number') return value;
  if (typeof value === 'string') {
    const m = /^(\d+(?:\.\d+)?)s$/.exec(value.trim());
    if (m) return Number(m[1]);
  }
  return null;
}

function geminiMeaning(dir: 'in' | 'out', text: string): FrameMeaning {
  const json = parseJsonObject(text);
  if (json === null) return dir === 'out' ? { kind: 'odd', raw: text, json: null, problem: 'not JSON' } : { kind: 'ignored' };
  if (dir === 'in') {
    const setup = json.setup as { sessionResumption?: { handle?: unknown } } | undefined;
    if (setup) {
      const handle = typeof setup.sessionResumption?.handle === 'string' && setup.sessionResumption.handle !== '' ? setup.sessionResumption.handle : null;
      return { kind: 'setup', resume: handle !== null, handle };
    }
    const content = json.clientContent as { turns?: Array<{ parts?: Array<{ text?: unknown }> }>; turnComplete?: unknown } | undefined;
    if (content?.turnComplete === true) {
      const said = (content.turns ?? []).flatMap((turn) => turn.parts ?? []).map((p) => (typeof p.text === 'string' ? p.text : '')).join(' ');
      return { kind: 'prospect', text: said };
    }
    return { kind: 'ignored' };
  }
  if ('setupComplete' in json) return { kind: 'setup-complete' };
  const update = json.sessionResumptionUpdate as { newHandle?: unknown; resumable?: unknown } | undefined;
  if (update) return update.resumable === true && typeof update.newHandle === 'string' && update.newHandle !== '' ? { kind: 'handle', handle: update.newHandle } : { kind: 'not-resumable' };
  const goAway = json.goAway as { timeLeft?: unknown } | undefined;
  if (goAway) {
    const timeLeft = durationSeconds(goAway.timeLeft);
    return timeLeft === null ? { kind: 'odd', raw: text, json, problem: 'goAway.timeLeft is not a duration' } : { kind: 'expiring', timeLeft };
  }
  const content = json.serverContent as { turnComplete?: unknown; outputTranscription?: unknown; modelTurn?: unknown } | undefined;
  if (content) {
    if (content.turnComplete === true) return { kind: 'agent-final' };
    if (content.outputTranscription || content.modelTurn) return { kind: 'agent-chunk' };
    return { kind: 'ignored' };
  }
  if (protocolOf(json) === 'gemini-live') return { kind: 'ignored' };
  return { kind: 'odd', raw: text, json, problem: `unknown message with keys ${Object.keys(json).join(', ')}` };
}
