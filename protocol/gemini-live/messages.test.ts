import { describe, expect, it } from 'vitest';
import {
  clientMessageKind,
  decodeClientFrame,
  decodeServerFrame,
  formatServerFrame,
  serverMessageKind,
  type ClientMessage,
  type DecodedGeminiFrame,
  type ServerMessage,
} from './messages.ts';

function valid<M>(decoded: DecodedGeminiFrame<M>): M {
  if (decoded.state !== 'valid') throw new Error(`${decoded.state}: ${decoded.problem}`);
  return decoded.message;
}
function invalid<M>(decoded: DecodedGeminiFrame<M>) {
  if (decoded.state !== 'invalid') throw new Error(`expected invalid, got ${decoded.state}`);
  return decoded;
}
const client = (frame: unknown) => decodeClientFrame(JSON.stringify(frame));
const server = (frame: unknown) => decodeServerFrame(JSON.stringify(frame));

describe('client frames: real ones from the research are accepted', () => {
  it('the full setup of §1.3 (js-genai liveConnectConfigToMldev)', () => {
    const m = valid(
      client({
        setup: {
          model: 'models/gemini-live-2.5-flash-preview',
          generationConfig: {
            responseModalities: ['AUDIO'],
            temperature: 0.7,
            speechConfig: { voiceConfig: { prebuiltVoiceConfig: { voiceName: 'Puck' } }, languageCode: 'en-US' },
            thinkingConfig: {},
            mediaResolution: 'MEDIA_RESOLUTION_LOW',
            enableAffectiveDialog: true,
          },
          systemInstruction: { parts: [{ text: 'You are a prospect.' }] },
          tools: [
            {
              functionDeclarations: [
                { name: 'get_weather', description: 'd', parameters: { type: 'OBJECT', properties: { city_name: { type: 'STRING' } } }, behavior: 'NON_BLOCKING' },
              ],
            },
            { googleSearch: {} },
          ],
          realtimeInputConfig: { automaticActivityDetection: { disabled: false, endOfSpeechSensitivity: 'END_SENSITIVITY_HIGH', prefixPaddingMs: 20, silenceDurationMs: 500 } },
          inputAudioTranscription: {},
          outputAudioTranscription: {},
          sessionResumption: { handle: 'opaque-handle', transparent: true },
          contextWindowCompression: { triggerTokens: '25600', slidingWindow: { targetTokens: '12800' } },
          historyConfig: { initialHistoryInClientContent: true },
          proactivity: { proactiveAudio: true },
        },
      }),
    );
    expect(clientMessageKind(m)).toBe('setup');
    if (!('setup' in m) || !m.setup) throw new Error('not a setup');
    expect(m.setup.model).toBe('models/gemini-live-2.5-flash-preview');
    expect(m.setup.generationConfig?.responseModalities).toEqual(['AUDIO']);
    expect(m.setup.sessionResumption).toEqual({ handle: 'opaque-handle', transparent: true });
    // Unknown fields and nested schemas survive untouched (no renaming inside `parameters`).
    expect(JSON.stringify(m.setup.tools)).toContain('"city_name"');
    expect(m.setup.generationConfig?.speechConfig).toEqual({ voiceConfig: { prebuiltVoiceConfig: { voiceName: 'Puck' } }, languageCode: 'en-US' });
  });

  it('the setup @google/genai 2.32.0 sends (facts file), with sessionResumption {} meaning "send me handles"', () => {
    const m = valid(client({ setup: { model: 'models/gemini-2.0-flash-live-001', generationConfig: { responseModalities: ['TEXT'] }, sessionResumption: {} } }));
    expect(m).toEqual({ setup: { model: 'models/gemini-2.0-flash-live-001', generationConfig: { responseModalities: ['TEXT'] }, sessionResumption: {} } });
  });

  it('int64 token counts as numbers too, normalised to strings (§1.2)', () => {
    const m = valid(client({ setup: { model: 'm', contextWindowCompression: { triggerTokens: 25600, slidingWindow: { targetTokens: 12800 } } } }));
    expect(m).toMatchObject({ setup: { contextWindowCompression: { triggerTokens: '25600', slidingWindow: { targetTokens: '12800' } } } });
  });

  it.each([
    [{ clientContent: { turns: [{ role: 'user', parts: [{ text: 'Hello' }] }], turnComplete: true } }, 'clientContent'],
    [{ clientContent: { turnComplete: true } }, 'clientContent'],
    [{ clientContent: {} }, 'clientContent'],
    [{ realtimeInput: { audio: { data: 'AAECAw==', mimeType: 'audio/pcm;rate=16000' } } }, 'realtimeInput'],
    [{ realtimeInput: { video: { data: '/9j/4AAQ', mimeType: 'image/jpeg' } } }, 'realtimeInput'],
    [{ realtimeInput: { text: 'hi' } }, 'realtimeInput'],
    [{ realtimeInput: { activityStart: {} } }, 'realtimeInput'],
    [{ realtimeInput: { activityEnd: {} } }, 'realtimeInput'],
    [{ realtimeInput: { audioStreamEnd: true } }, 'realtimeInput'],
    [{ realtimeInput: { mediaChunks: [{ data: 'AAEC', mimeType: 'audio/pcm' }] } }, 'realtimeInput'],
    [{ toolResponse: { functionResponses: [{ id: 'function-call-5831', name: 'get_weather', response: { result: 'sunny' }, scheduling: 'WHEN_IDLE' }] } }, 'toolResponse'],
  ])('%j', (frame, kind) => {
    expect(clientMessageKind(valid(client(frame)))).toBe(kind);
  });

  it('python-genai snake_case (§1.2), at the top and inside, normalised to camelCase', () => {
    expect(valid(client({ client_content: { turns: [{ role: 'user', parts: [{ text: 'x' }] }], turn_complete: true } }))).toEqual({
      clientContent: { turns: [{ role: 'user', parts: [{ text: 'x' }] }], turnComplete: true },
    });
    expect(valid(client({ realtime_input: { audio_stream_end: true, media_chunks: [{ mime_type: 'audio/pcm', data: 'AA==' }] } }))).toEqual({
      realtimeInput: { audioStreamEnd: true, mediaChunks: [{ mimeType: 'audio/pcm', data: 'AA==' }] },
    });
    expect(
      valid(client({ setup: { model: 'm', generation_config: { response_modalities: ['TEXT'] }, session_resumption: { handle: 'h' }, output_audio_transcription: {} } })),
    ).toEqual({ setup: { model: 'm', generationConfig: { responseModalities: ['TEXT'] }, sessionResumption: { handle: 'h' }, outputAudioTranscription: {} } });
  });

  it('never renames inside a Struct: function response fields keep their names', () => {
    const m = valid(client({ tool_response: { function_responses: [{ id: 'c1', name: 'f', response: { user_name: 'Ann', nested_obj: { a_b: 1 } } }] } }));
    expect(m).toEqual({ toolResponse: { functionResponses: [{ id: 'c1', name: 'f', response: { user_name: 'Ann', nested_obj: { a_b: 1 } } }] } });
  });

  it('keeps unknown fields at every level (never stricter than the protocol)', () => {
    const m = valid(client({ setup: { model: 'm', futureField: { x: 1 }, generationConfig: { newKnob: 3 } }, traceId: 'abc' }));
    expect(m).toMatchObject({ setup: { futureField: { x: 1 }, generationConfig: { newKnob: 3 } }, traceId: 'abc' });
  });

  it('reads binary frames (Buffer, Uint8Array, ArrayBuffer) as UTF-8 JSON', () => {
    const bytes = Buffer.from(JSON.stringify({ realtimeInput: { text: 'héllo' } }));
    expect(valid(decodeClientFrame(bytes))).toEqual({ realtimeInput: { text: 'héllo' } });
    expect(valid(decodeClientFrame(new Uint8Array(bytes)))).toEqual({ realtimeInput: { text: 'héllo' } });
    const buffer = bytes.buffer.slice(bytes.byteOffset, bytes.byteOffset + bytes.byteLength);
    expect(valid(decodeClientFrame(buffer))).toEqual({ realtimeInput: { text: 'héllo' } });
  });
});

describe('client frames: malformed ones are refused, naming the field', () => {
  it.each([
    [{ setup: {} }, 'setup.model'],
    [{ setup: { model: '' } }, 'setup.model'],
    [{ setup: { model: 7 } }, 'setup.model'],
    [{ setup: { model: 'm', generationConfig: { responseModalities: ['VIDEO'] } } }, 'setup.generationConfig.responseModalities.0'],
    [{ setup: { model: 'm', generationConfig: { responseModalities: 'TEXT' } } }, 'setup.generationConfig.responseModalities'],
    [{ setup: { model: 'm', sessionResumption: { handle: 42 } } }, 'setup.sessionResumption.handle'],
    [{ setup: { model: 'm', sessionResumption: { transparent: 'yes' } } }, 'setup.sessionResumption.transparent'],
    [{ setup: { model: 'm', contextWindowCompression: { triggerTokens: '1e4' } } }, 'setup.contextWindowCompression.triggerTokens'],
    [{ setup: { model: 'm', context_window_compression: { sliding_window: { target_tokens: 1.5 } } } }, 'setup.contextWindowCompression.slidingWindow.targetTokens'],
    [{ clientContent: { turns: {} } }, 'clientContent.turns'],
    [{ clientContent: { turns: [{ role: 'user', parts: [{ text: 1 }] }] } }, 'clientContent.turns.0.parts.0.text'],
    [{ clientContent: { turns: [{ parts: [{ text: 'a', inlineData: { data: 'AA==' } }] }] } }, 'clientContent.turns.0.parts.0.inlineData'],
    [{ clientContent: { turnComplete: 'true' } }, 'clientContent.turnComplete'],
    [{ realtimeInput: { audio: { data: 'not base64!', mimeType: 'audio/pcm' } } }, 'realtimeInput.audio.data'],
    [{ realtimeInput: { text: 'x', turnComplete: true } }, 'realtimeInput.turnComplete'],
    [{ realtime_input: { turn_complete: true } }, 'realtimeInput.turn_complete'],
    [{ realtimeInput: { audioStreamEnd: 1 } }, 'realtimeInput.audioStreamEnd'],
    [{ toolResponse: { functionResponses: [{ id: 'c', response: 'ok' }] } }, 'toolResponse.functionResponses.0.response'],
    [{ clientContent: { turnComplete: true, turn_complete: false } }, 'clientContent.turnComplete'],
    [{ setup: { model: 'm' }, setup_: 1, ['client_content']: {}, clientContent: {} }, 'clientContent'],
  ])('%j → %s', (frame, field) => {
    const r = invalid(client(frame));
    expect(r.field).toBe(field);
    expect(r.problem).toContain(`"${field}"`);
  });

  it('refuses a frame with no message field, naming what it had', () => {
    const r = invalid(client({ hello: 1 }));
    expect(r.field).toBeUndefined();
    expect(r.problem).toContain('setup, clientContent, realtimeInput, toolResponse');
    expect(r.problem).toContain('"hello"');
    expect(invalid(client({})).problem).toContain('no field');
  });

  it('refuses two message fields in one frame (§1.2: exactly one)', () => {
    const r = invalid(client({ setup: { model: 'm' }, clientContent: { turnComplete: true } }));
    expect(r.problem).toContain('setup and clientContent');
  });

  it('tells JSON that is not an object from text that is not JSON', () => {
    expect(invalid(decodeClientFrame('[1]')).problem).toContain('JSON object');
    expect(invalid(decodeClientFrame('null')).problem).toContain('JSON object');
    expect(decodeClientFrame('{"setup":').state).toBe('not-json');
    expect(decodeClientFrame(new Uint8Array([0x7b, 0xff, 0x7d])).state).toBe('not-json');
  });
});

describe('server frames', () => {
  it.each([
    [{ setupComplete: {} }, 'setupComplete'],
    [{ setupComplete: { sessionId: 'vertex-session' } }, 'setupComplete'],
    [{ serverContent: { modelTurn: { parts: [{ inlineData: { mimeType: 'audio/pcm;rate=24000', data: 'AAAA' } }] } } }, 'serverContent'],
    [{ serverContent: { modelTurn: { role: 'model', parts: [{ text: 'Hello there' }] } } }, 'serverContent'],
    [{ serverContent: { outputTranscription: { text: ' could talk about' } } }, 'serverContent'],
    [{ serverContent: { inputTranscription: { text: 'hello', finished: true } } }, 'serverContent'],
    [{ serverContent: { generationComplete: true } }, 'serverContent'],
    [{ serverContent: { interrupted: true } }, 'serverContent'],
    [{ toolCall: { functionCalls: [{ id: 'function-call-5831923424298605773', name: 'get_current_weather', args: { location: 'Redmond, WA' } }] } }, 'toolCall'],
    [{ toolCallCancellation: { ids: ['function-call-1'] } }, 'toolCallCancellation'],
    [{ goAway: { timeLeft: '50s' } }, 'goAway'],
    [{ goAway: {} }, 'goAway'],
    [{ sessionResumptionUpdate: { newHandle: 'opaque', resumable: true } }, 'sessionResumptionUpdate'],
    [{ sessionResumptionUpdate: { newHandle: 'opaque', resumable: true, lastConsumedClientMessageIndex: '42' } }, 'sessionResumptionUpdate'],
    [{ sessionResumptionUpdate: { resumable: false } }, 'sessionResumptionUpdate'],
    [{ sessionResumptionUpdate: {} }, 'sessionResumptionUpdate'],
  ])('accepts %j (§1.4)', (frame, kind) => {
    expect(serverMessageKind(valid(server(frame)))).toBe(kind);
  });

  it('accepts turnComplete with usageMetadata beside it (§1.4), and usageMetadata alone', () => {
    const frame = {
      serverContent: { turnComplete: true, turnCompleteReason: 'REASON', interactionStatus: 'IDLE' },
      usageMetadata: { promptTokenCount: 515, responseTokenCount: 38, totalTokenCount: 553, promptTokensDetails: [{ modality: 'TEXT', tokenCount: 515 }] },
    };
    const m = valid(server(frame));
    expect(serverMessageKind(m)).toBe('serverContent');
    expect(m.usageMetadata?.totalTokenCount).toBe(553);
    expect(serverMessageKind(valid(server({ usageMetadata: { totalTokenCount: 1 } })))).toBeUndefined();
  });

  it('reads the pretty-printed binary setupComplete of the recordings (§1.2)', () => {
    expect(valid(decodeServerFrame(Buffer.from('{\n  "setupComplete": {}\n}\n')))).toEqual({ setupComplete: {} });
  });

  it.each([
    [{ goAway: { timeLeft: 50 } }, 'goAway.timeLeft'],
    [{ goAway: { timeLeft: '50' } }, 'goAway.timeLeft'],
    [{ sessionResumptionUpdate: { newHandle: 1 } }, 'sessionResumptionUpdate.newHandle'],
    [{ sessionResumptionUpdate: { resumable: 'false' } }, 'sessionResumptionUpdate.resumable'],
    [{ serverContent: { turnComplete: 1 } }, 'serverContent.turnComplete'],
    [{ serverContent: { modelTurn: { parts: [{ inlineData: { data: '%%%' } }] } } }, 'serverContent.modelTurn.parts.0.inlineData.data'],
    [{ serverContent: { turnComplete: true }, usageMetadata: { totalTokenCount: -1 } }, 'usageMetadata.totalTokenCount'],
    [{ toolCall: { functionCalls: [{ id: 'x', args: [] }] } }, 'toolCall.functionCalls.0.args'],
    // camelCase only on the server side: @google/genai would never see these fields.
    [{ serverContent: { turn_complete: true } }, 'serverContent.turn_complete'],
    [{ sessionResumptionUpdate: { new_handle: 'h', resumable: true } }, 'sessionResumptionUpdate.new_handle'],
    [{ session_resumption_update: { newHandle: 'h' } }, 'session_resumption_update'],
  ])('refuses %j, naming %s', (frame, field) => {
    const r = invalid(server(frame));
    expect(r.field).toBe(field);
  });

  it('refuses two message fields, and none', () => {
    expect(invalid(server({ setupComplete: {}, goAway: { timeLeft: '1s' } })).problem).toContain('setupComplete and goAway');
    expect(invalid(server({})).problem).toContain('no field');
  });

  it('formats as Gemini does: 2-space indent, trailing newline, and reads back', () => {
    const message: ServerMessage = { goAway: { timeLeft: '50s' } };
    const text = formatServerFrame(message);
    expect(text).toBe('{\n  "goAway": {\n    "timeLeft": "50s"\n  }\n}\n');
    expect(valid(decodeServerFrame(text))).toEqual(message);
  });
});

describe('types', () => {
  it('narrow on the one message field', () => {
    const m = valid(client({ clientContent: { turnComplete: true } })) satisfies ClientMessage;
    if (m.clientContent) expect(m.clientContent.turnComplete).toBe(true);
    // @ts-expect-error: a client message has exactly one message field
    const bad: ClientMessage = { setup: { model: 'm' }, clientContent: {} };
    expect(bad).toBeDefined();
  });
});
