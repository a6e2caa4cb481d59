/**
 * The first frame of a Gemini Live connection (docs/gemini-live.md §1.2): it must be `setup`,
 * and the setup decides everything the connection will be — which conversation it joins
 * (fresh, or the one its `sessionResumption.handle` belongs to), whether it gets handle
 * updates, and what its output looks like. Nothing is attached to a conversation before it.
 */
import { GeminiCloses } from '../../../protocol/gemini-live/close-codes.ts';
import { clientMessageKind, decodeClientFrame, type Setup } from '../../../protocol/gemini-live/messages.ts';
import type { ConnectionGate, Conversation, AttachOptions } from '../../core/conversation.ts';
import type { ConnectionPort, IncomingData } from '../../core/connection-port.ts';
import type { SessionTerms } from '../../core/connection-options.ts';
import type { FrameJournal } from '../ai-voice/codec.ts';
import { GeminiCodec, type FrameIn, type GeminiSessionShape, type KickOff } from './gemini-codec.ts';

/** What a Gemini session's setup agrees with the client (§1.3, §1.4). */
export function termsOf(setup: Setup): SessionTerms {
  return {
    // §1.3: without `sessionResumption` the server sends no sessionResumptionUpdate at all.
    handles: setup.sessionResumption !== undefined,
    // Gemini's model waits to be spoken to.
    greets: false,
    // §1.4: `resumable: false` with an empty handle while the model generates.
    nonResumableWhileGenerating: true,
  };
}

export function shapeOf(setup: Setup): GeminiSessionShape {
  const modalities = setup.generationConfig?.responseModalities ?? ['AUDIO'];
  return { audio: !modalities.includes('TEXT'), outputTranscription: setup.outputAudioTranscription !== undefined };
}

/** The model a conversation was opened with: a resume may not change it (§1.2). */
export interface ModelMemory {
  modelOf(conversation: Conversation): string | undefined;
  remember(conversation: Conversation, model: string): void;
}

/**
 * Waits for the first frame on `port`, then attaches the connection to `conversation` as its
 * setup says, or refuses it with the close Gemini sends (§1.2: anything but a setup first is
 * INVALID_ARGUMENT, 1007).
 */
export function awaitSetup(port: ConnectionPort, conversation: Conversation, gate: ConnectionGate, log: FrameJournal, models: ModelMemory, kickOff: KickOff = 'prospect-turn'): void {
  let seen = false;
  port.onData((data) => {
    if (seen) return;
    seen = true;
    attachOnSetup(port, data, conversation, gate, log, models, kickOff);
  });
}

function attachOnSetup(port: ConnectionPort, data: IncomingData, conversation: Conversation, gate: ConnectionGate, log: FrameJournal, models: ModelMemory, kickOff: KickOff): void {
  const binary = !('text' in data);
  const bytes = 'text' in data ? Buffer.byteLength(data.text) : data.binary.byteLength;
  const decoded = decodeClientFrame('text' in data ? data.text : data.binary);
  const text = 'text' in data ? data.text : decoded.state === 'not-json' ? undefined : Buffer.from(data.binary).toString('utf8');
  const shown = text !== undefined ? { text } : {};
  const fresh: SessionTerms = { handles: false, greets: false, nonResumableWhileGenerating: true };
  const plain: GeminiSessionShape = { audio: false, outputTranscription: false };
  const refuse = (frame: FrameIn, why: string, close = GeminiCloses.invalidArgument): void => {
    const options: AttachOptions = { terms: fresh, refuse: { rejection: 'bad-setup', rejectReason: 'forced', code: close.code, reason: close.reason, afterAccept: false, cause: `protocol: ${why}` } };
    conversation.attach(port, null, gate, GeminiCodec.for(conversation, log, plain, frame), options);
  };

  if (decoded.state !== 'valid') {
    refuse({ ...shown, bytes, binary, decoded: decoded.state === 'not-json' ? 'not-json' : 'invalid', problem: decoded.problem }, 'the first frame is not a valid message');
    return;
  }
  const kind = clientMessageKind(decoded.message);
  if (kind !== 'setup' || !('setup' in decoded.message) || !decoded.message.setup) {
    refuse({ ...shown, bytes, binary, decoded: 'invalid', type: kind, problem: `the first frame must be setup, got ${kind}` }, 'first frame not setup');
    return;
  }
  const setup = decoded.message.setup;
  const frame: FrameIn = { ...shown, bytes, binary, decoded: 'valid', type: 'setup' };
  const resumption = setup.sessionResumption;
  if (resumption?.transparent) {
    // §1.3: transparent resumption is Vertex-only; the Developer API refuses it (adk-python PR #5784).
    refuse({ ...frame, decoded: 'invalid', problem: 'sessionResumption.transparent is not supported on the Gemini Developer API' }, 'transparent resumption');
    return;
  }
  const handle = resumption?.handle && resumption.handle.length > 0 ? resumption.handle : null;
  const known = models.modelOf(conversation);
  const options: AttachOptions = { terms: termsOf(setup) };
  if (handle !== null && known !== undefined && known !== setup.model) {
    // §1.2: the model cannot change on resume; seen as setupComplete, then 1011 (§1.6, F6).
    const close = GeminiCloses.internal;
    conversation.attach(port, handle, gate, GeminiCodec.for(conversation, log, shapeOf(setup), frame, kickOff), {
      ...options,
      refuse: { rejection: 'model-changed', rejectReason: 'foreign', code: close.code, reason: close.reason, afterAccept: true, cause: `rejection: the resume asks for ${setup.model}, the session is ${known}` },
    });
    return;
  }
  if (known === undefined) models.remember(conversation, setup.model);
  conversation.attach(port, handle, gate, GeminiCodec.for(conversation, log, shapeOf(setup), frame, kickOff), options);
}
