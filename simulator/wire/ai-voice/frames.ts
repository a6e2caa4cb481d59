/**
 * The AI-voice protocol's server frames (§3) read into the core's events. Unknown types MUST be
 * ignored and invalid JSON MUST NOT crash (§2): such frames reach the core as `ignored`.
 */
import { decodeServerFrame } from '../../../protocol/messages.ts';
import type { FrameSink } from '../../core/wire.ts';

export function readAiVoiceFrame(text: string, sink: FrameSink): void {
  const decoded = decodeServerFrame(text);
  if (decoded.state !== 'valid') {
    sink.ignored(decoded.state, decoded.state === 'unknown-type' ? decoded.type : decoded.problem);
    return;
  }
  const message = decoded.message;
  switch (message.type) {
    case 'transcript':
      sink.transcript(message.text, message.final);
      return;
    case 'session_resumption_update':
      sink.handleUpdate(message);
      return;
    case 'session_expiring':
      sink.expiring(message);
      return;
    case 'session:resumed':
      sink.resumed(message.conversationId);
      return;
    case 'conversation_end':
      sink.conversationEnd(message.reason);
      return;
    case 'error':
      sink.serverError(message.code, message.message);
      return;
  }
}
