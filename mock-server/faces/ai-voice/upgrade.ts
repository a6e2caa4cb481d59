/**
 * The upgrade of `GET /ws/ai-voice?…` (spec §2): its query, the checks before any WebSocket
 * exists, and the attach of an accepted connection to its conversation with the AI-voice codec.
 */
import { fingerprint } from '../../../protocol/redact.ts';
import type { UpgradeDecision } from '../../core/connection-port.ts';
import type { ServerCore } from '../../core/server-core.ts';
import { AiVoiceCodec } from './codec.ts';

/** What the upgrade URL's query says; absent parameters are null. */
export interface UpgradeQuery {
  readonly mode: string | null;
  readonly sessionToken: string | null;
  readonly shareToken: string | null;
  readonly resumeHandle: string | null;
}

export function parseUpgradeQuery(url: URL): UpgradeQuery {
  const q = url.searchParams;
  return { mode: q.get('mode'), sessionToken: q.get('sessionToken'), shareToken: q.get('shareToken'), resumeHandle: q.get('resumeHandle') };
}

export function decideUpgrade(core: ServerCore, url: URL): UpgradeDecision {
  const t = core.clock.now();
  const { mode, sessionToken, shareToken, resumeHandle: presented } = parseUpgradeQuery(url);
  const conversation = sessionToken ? core.conversationOf(sessionToken) : undefined;
  const handleNote = presented ? { handle: fingerprint(presented) } : {};
  if (mode !== 'sales_agent') {
    core.journal.record({ kind: 'upgrade-rejected', t, status: 400, reason: `mode must be sales_agent, got ${mode ?? 'none'}`, ...handleNote });
    return { accept: false, status: 400, body: 'unsupported mode' };
  }
  if (!conversation || shareToken !== conversation.shareToken) {
    const reason = !sessionToken ? 'missing sessionToken' : !conversation ? 'unknown sessionToken' : 'shareToken does not match the session';
    core.journal.record({ kind: 'upgrade-rejected', t, status: 401, reason, ...(conversation ? { conversationId: conversation.id } : {}), ...handleNote });
    return { accept: false, status: 401, body: 'unauthorised' };
  }
  if (conversation.ended) {
    // A finished conversation's token no longer opens anything.
    core.journal.record({ kind: 'upgrade-rejected', t, status: 401, reason: 'the conversation has ended', conversationId: conversation.id, ...handleNote });
    return { accept: false, status: 401, body: 'conversation ended' };
  }
  const gate = conversation.gate();
  if (gate.rejectStatus !== undefined) {
    core.journal.record({ kind: 'upgrade-rejected', t, status: gate.rejectStatus, reason: 'fault: outage', conversationId: conversation.id, attempt: conversation.attempts, ...handleNote });
    return { accept: false, status: gate.rejectStatus, body: 'service unavailable' };
  }
  return {
    accept: true,
    delayMs: gate.delayMs,
    attach: (port) => {
      conversation.attach(port, presented && presented.length > 0 ? presented : null, gate, AiVoiceCodec.for(conversation, core));
    },
  };
}
