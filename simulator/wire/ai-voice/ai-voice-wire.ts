/**
 * The AI-voice protocol v1 (docs/ai-voice-protocol.md) as the simulator's wire: the HTTP
 * session call (§4, http-session.ts), the connect URL with its query (§2), the prospect's
 * messages, and the server's frames (§3, frames.ts).
 */
import { buildConnectUrl, encodeMessage, type CreateSessionResponse } from '../../../protocol/messages.ts';
import type { FrameSink, SessionRequest, SimulatorWire, WireSession } from '../../core/wire.ts';
import { readAiVoiceFrame } from './frames.ts';
import { createAiVoiceSession, type AiVoiceEndpoint } from './http-session.ts';

export type { AiVoiceEndpoint } from './http-session.ts';

export class AiVoiceWire implements SimulatorWire {
  constructor(private readonly endpoint: AiVoiceEndpoint) {}

  createSession(request: SessionRequest): Promise<CreateSessionResponse> {
    return createAiVoiceSession(this.endpoint, request);
  }

  connectUrl(session: WireSession, resumeHandle: string | undefined): string {
    return buildConnectUrl(this.endpoint.wsUrl, {
      sessionToken: session.sessionToken,
      shareToken: this.endpoint.shareToken,
      testMode: this.endpoint.testMode,
      resumeHandle,
    });
  }

  prospectMessage(text: string): string {
    return encodeMessage({ type: 'prospect_message', text });
  }

  endConversation(): string {
    return encodeMessage({ type: 'end_conversation' });
  }

  readFrame(text: string, sink: FrameSink): void {
    readAiVoiceFrame(text, sink);
  }
}
