/**
 * Gemini Live BidiGenerateContent, the session-management subset, defined once
 * (docs/gemini-live.md §1.2 framing, §1.3 client messages, §1.4 server
 * messages; shapes from js-genai `src/types.ts` and its converters). Both the Gemini face
 * and anything that judges a Gemini Live client import these schemas; nothing else
 * restates a message shape.
 *
 * Casing (§1.2). Proto3 JSON accepts a field's camelCase and snake_case names, and real
 * clients use both: python-genai sends `client_content`, `realtime_input`, `tool_response`.
 * Client schemas accept either spelling of every field they know and normalise it to
 * camelCase; giving both spellings of one field is refused, as proto JSON refuses a
 * duplicate field. Server schemas take camelCase only: @google/genai reads server frames
 * with a plain `Object.assign` (§1.8, `handleWebSocketMessage`), so a snake_case field
 * from a server is lost to every JS client; they refuse it by name.
 *
 * Unknown fields are kept as they are (objects are loose) and nested `Struct`s — function
 * `args`, `response`, tool `parameters` — are never renamed. The one unknown field Gemini
 * is known to refuse is refused: `turnComplete` inside `realtimeInput` (§1.3, 1007).
 */
import { z } from 'zod';
import { parseDuration } from './duration.ts';

// ————————————————————————————————————————————————————————————————— building blocks

type Casing = 'client' | 'server';

const snakeCase = (camel: string): string => camel.replace(/[A-Z]/g, (c) => `_${c.toLowerCase()}`);

/**
 * A proto message. `client`: each known field in camelCase or snake_case, normalised to
 * camelCase (§1.2). `server`: camelCase only; a snake_case known field is an error.
 * Unknown fields pass through untouched in both.
 */
function protoObject<S extends z.ZodRawShape>(casing: Casing, shape: S) {
  const spellings = Object.keys(shape)
    .map((camel) => [snakeCase(camel), camel] as const)
    .filter(([snake, camel]) => snake !== camel);
  return z.preprocess((input, ctx) => {
    if (typeof input !== 'object' || input === null || Array.isArray(input)) return input;
    let renamed: Record<string, unknown> | undefined;
    for (const [snake, camel] of spellings) {
      if (!Object.hasOwn(input, snake)) continue;
      if (casing === 'server') {
        ctx.addIssue({
          code: 'custom',
          path: [snake],
          message: `server frames spell it "${camel}": @google/genai does not read "${snake}" (docs/gemini-live.md §1.8)`,
        });
        continue;
      }
      if (Object.hasOwn(input, camel)) {
        ctx.addIssue({ code: 'custom', path: [camel], message: `given twice, as "${camel}" and "${snake}"` });
        continue;
      }
      renamed ??= { ...(input as Record<string, unknown>) };
      renamed[camel] = renamed[snake];
      delete renamed[snake];
    }
    return renamed ?? input;
  }, z.looseObject(shape));
}

/** An empty-for-now proto message whose content this subset does not model (kept as given). */
const anyMessage = () => z.looseObject({});

/** A protobuf `Struct` (function args, responses): any JSON object, never renamed. */
const Struct = z.record(z.string(), z.unknown());

/** proto-JSON int64: a decimal string or an integer (§1.2 "int64 fields"); normalised to a string. */
const Int64 = z
  .union([z.string().regex(/^-?\d+$/, 'expected an int64: a decimal string or an integer'), z.number().int()])
  .transform((v) => String(v));

/** proto-JSON bytes: standard or URL-safe base64, padding optional. */
const Bytes = z.string().refine((s) => /^[A-Za-z0-9+/_-]*={0,2}$/.test(s) && s.replace(/=+$/, '').length % 4 !== 1, {
  message: 'expected base64 bytes',
});

/** google.protobuf.Duration as JSON, e.g. "50s" (§1.4 goAway.timeLeft); kept as the string. */
const DurationString = z.string().check((ctx) => {
  const parsed = parseDuration(ctx.value);
  if (!parsed.ok) ctx.issues.push({ code: 'custom', input: ctx.value, message: parsed.problem });
});

/** The fields of `Part.data`, a proto oneof: at most one may be set. */
const PART_DATA_FIELDS = ['text', 'inlineData', 'fileData', 'functionCall', 'functionResponse', 'executableCode', 'codeExecutionResult'] as const;

/** Content, Part and Blob as either side spells them (js-genai `src/types.ts`). */
function contentSchemas(casing: Casing) {
  // §1.3 realtimeInput.audio ("audio/pcm;rate=16000"), §1.4 modelTurn inlineData ("audio/pcm;rate=24000").
  const Blob = protoObject(casing, { mimeType: z.string().optional(), data: Bytes.optional() });
  const Part = protoObject(casing, {
    text: z.string().optional(),
    inlineData: Blob.optional(),
    fileData: anyMessage().optional(),
    functionCall: anyMessage().optional(),
    functionResponse: anyMessage().optional(),
    executableCode: anyMessage().optional(),
    codeExecutionResult: anyMessage().optional(),
    thought: z.boolean().optional(),
    thoughtSignature: Bytes.optional(),
  }).check((ctx) => {
    const set = PART_DATA_FIELDS.filter((f) => ctx.value[f] !== undefined);
    if (set.length > 1) {
      ctx.issues.push({ code: 'custom', input: ctx.value, path: [set[1] ?? ''], message: `a part carries one of ${PART_DATA_FIELDS.join(', ')}; this one has ${set.join(' and ')}` });
    }
  });
  // §1.3 clientContent.turns[], §1.4 serverContent.modelTurn.
  const Content = protoObject(casing, { role: z.string().optional(), parts: z.array(Part).optional() });
  return { Blob, Part, Content };
}

const client = contentSchemas('client');
const server = contentSchemas('server');

// ————————————————————————————————————————————————————————————————— client → server (§1.3)

/** Modality (js-genai `Modality`); the Live API answers in TEXT or AUDIO (§1.3 setup). */
export const Modality = z.enum(['TEXT', 'AUDIO', 'IMAGE', 'MODALITY_UNSPECIFIED']);
export type Modality = z.infer<typeof Modality>;

/** §1.3 `setup` (js-genai `liveConnectConfigToMldev`). The first frame of a connection (§1.2). */
export const Setup = protoObject('client', {
  /** "models/…"; the SDK adds the prefix. Cannot change on resume (§1.2, §1.5). */
  model: z.string().min(1, 'the model is required'),
  generationConfig: protoObject('client', {
    responseModalities: z.array(Modality).optional(),
    temperature: z.number().optional(),
    topP: z.number().optional(),
    topK: z.number().optional(),
    maxOutputTokens: z.number().int().optional(),
    seed: z.number().int().optional(),
    speechConfig: anyMessage().optional(),
    thinkingConfig: anyMessage().optional(),
    mediaResolution: z.string().optional(),
    enableAffectiveDialog: z.boolean().optional(),
  }).optional(),
  systemInstruction: client.Content.optional(),
  tools: z.array(anyMessage()).optional(),
  realtimeInputConfig: anyMessage().optional(),
  /**
   * §1.3: `{}` opts in to `sessionResumptionUpdate`s for a new session; `{handle}` resumes.
   * Omitted: no updates at all. `transparent` is Vertex-only (refused by both SDKs and by
   * the Developer API backend, §1.3, adk-python PR #5784) — a face's decision, not a shape error.
   */
  sessionResumption: protoObject('client', {
    handle: z.string().optional(),
    transparent: z.boolean().optional(),
  }).optional(),
  /** §1.3; token counts are int64 (§1.2). */
  contextWindowCompression: protoObject('client', {
    triggerTokens: Int64.optional(),
    slidingWindow: protoObject('client', { targetTokens: Int64.optional() }).optional(),
  }).optional(),
  inputAudioTranscription: anyMessage().optional(),
  outputAudioTranscription: anyMessage().optional(),
  /** §1.3, newer (3.x) models. */
  historyConfig: protoObject('client', { initialHistoryInClientContent: z.boolean().optional() }).optional(),
  proactivity: anyMessage().optional(),
  safetySettings: z.array(anyMessage()).optional(),
});
export type Setup = z.output<typeof Setup>;

/** §1.3 `clientContent`: ordered turns; `turnComplete` only valid here (§1.3 ordering rules). */
export const ClientContent = protoObject('client', {
  turns: z.array(client.Content).optional(),
  turnComplete: z.boolean().optional(),
});
export type ClientContent = z.output<typeof ClientContent>;

/** §1.3 `realtimeInput`: one media field per message in practice. */
export const RealtimeInput = protoObject('client', {
  audio: client.Blob.optional(),
  video: client.Blob.optional(),
  text: z.string().optional(),
  /** Deprecated form (§1.3). */
  mediaChunks: z.array(client.Blob).optional(),
  /** Only with automatic activity detection disabled (§1.3). */
  activityStart: anyMessage().optional(),
  activityEnd: anyMessage().optional(),
  /** Only with automatic activity detection (§1.3). */
  audioStreamEnd: z.boolean().optional(),
}).check((ctx) => {
  // §1.3: "turnComplete is valid only in clientContent. Putting it in realtimeInput gives 1007"
  // (pipecat 258e83c90).
  for (const spelling of ['turnComplete', 'turn_complete']) {
    if (Object.hasOwn(ctx.value, spelling)) {
      ctx.issues.push({ code: 'custom', input: ctx.value, path: [spelling], message: 'turnComplete belongs in clientContent; Gemini closes 1007 for it here' });
    }
  }
});
export type RealtimeInput = z.output<typeof RealtimeInput>;

/** §1.3 `toolResponse`. The Developer API needs `id` from the toolCall (js-genai throws without it). */
export const ToolResponse = protoObject('client', {
  functionResponses: z
    .array(
      protoObject('client', {
        id: z.string().optional(),
        name: z.string().optional(),
        response: Struct.optional(),
        scheduling: z.string().optional(),
        willContinue: z.boolean().optional(),
      }),
    )
    .optional(),
});
export type ToolResponse = z.output<typeof ToolResponse>;

/** The oneof of a client frame (§1.2: exactly one of these keys), defined once. */
export const CLIENT_MESSAGE_FIELDS = {
  setup: Setup,
  clientContent: ClientContent,
  realtimeInput: RealtimeInput,
  toolResponse: ToolResponse,
} as const;

// ————————————————————————————————————————————————————————————————— server → client (§1.4)

/** §1.4 `setupComplete`: `{}` on the Developer API; Vertex adds `sessionId` (§1.1). */
export const SetupComplete = protoObject('server', { sessionId: z.string().optional() });
export type SetupComplete = z.output<typeof SetupComplete>;

/** §1.4 Transcription: text, finished, languageCode, speakerLabel, words. */
const Transcription = protoObject('server', {
  text: z.string().optional(),
  finished: z.boolean().optional(),
  languageCode: z.string().optional(),
});

/**
 * §1.4 `serverContent`. A text turn ends `generationComplete` → `turnComplete` (with
 * `usageMetadata` beside it); an interrupted one `interrupted` → `turnComplete`, with no
 * `generationComplete`.
 */
export const ServerContent = protoObject('server', {
  modelTurn: server.Content.optional(),
  outputTranscription: Transcription.optional(),
  inputTranscription: Transcription.optional(),
  interimInputTranscription: Transcription.optional(),
  generationComplete: z.boolean().optional(),
  turnComplete: z.boolean().optional(),
  interrupted: z.boolean().optional(),
  turnCompleteReason: z.string().optional(),
  /** "always sent alongside turn_complete"; IDLE added in js-genai 2.18.0 (§1.4). */
  interactionStatus: z.string().optional(),
  waitingForInput: z.boolean().optional(),
  groundingMetadata: anyMessage().optional(),
  urlContextMetadata: anyMessage().optional(),
});
export type ServerContent = z.output<typeof ServerContent>;

const TokenCount = z.number().int().nonnegative();
/** §1.4 `usageMetadata`, a sibling of the message field (sent beside `turnComplete`). */
export const UsageMetadata = protoObject('server', {
  promptTokenCount: TokenCount.optional(),
  cachedContentTokenCount: TokenCount.optional(),
  responseTokenCount: TokenCount.optional(),
  toolUsePromptTokenCount: TokenCount.optional(),
  thoughtsTokenCount: TokenCount.optional(),
  totalTokenCount: TokenCount.optional(),
  promptTokensDetails: z.array(anyMessage()).optional(),
  responseTokensDetails: z.array(anyMessage()).optional(),
});
export type UsageMetadata = z.output<typeof UsageMetadata>;

/**
 * §1.4 `sessionResumptionUpdate`. `resumable: false` with an empty `newHandle` while the
 * model generates or runs tools; `lastConsumedClientMessageIndex` (int64) only with
 * `transparent`. Proto3 JSON omits defaults, so every field is optional.
 */
export const SessionResumptionUpdate = protoObject('server', {
  newHandle: z.string().optional(),
  resumable: z.boolean().optional(),
  lastConsumedClientMessageIndex: Int64.optional(),
});
export type SessionResumptionUpdate = z.output<typeof SessionResumptionUpdate>;

/** §1.4, §1.5 `goAway`: `timeLeft` a Duration string ("50s"), about 60 s before the close. */
export const GoAway = protoObject('server', { timeLeft: DurationString.optional() });
export type GoAway = z.output<typeof GoAway>;

/** §1.4 `toolCall`. */
export const ToolCall = protoObject('server', {
  functionCalls: z
    .array(protoObject('server', { id: z.string().optional(), name: z.string().optional(), args: Struct.optional() }))
    .optional(),
});
export type ToolCall = z.output<typeof ToolCall>;

/** §1.4 `toolCallCancellation`. */
export const ToolCallCancellation = protoObject('server', { ids: z.array(z.string()).optional() });
export type ToolCallCancellation = z.output<typeof ToolCallCancellation>;

/** The oneof of a server frame (§1.4, js-genai `LiveServerMessage`), defined once. */
export const SERVER_MESSAGE_FIELDS = {
  setupComplete: SetupComplete,
  serverContent: ServerContent,
  toolCall: ToolCall,
  toolCallCancellation: ToolCallCancellation,
  goAway: GoAway,
  sessionResumptionUpdate: SessionResumptionUpdate,
} as const;

// ————————————————————————————————————————————————————————————————— frames

type Fields = Record<string, z.ZodType>;
/** Exactly one key of F, with its parsed value. */
type OneOf<F extends Fields> = { [K in keyof F]: { [P in K]: z.output<F[P]> } & { [P in Exclude<keyof F, K>]?: never } }[keyof F];

export type ClientMessageKind = keyof typeof CLIENT_MESSAGE_FIELDS;
export type ClientMessage = OneOf<typeof CLIENT_MESSAGE_FIELDS>;
export const CLIENT_MESSAGE_KINDS = Object.keys(CLIENT_MESSAGE_FIELDS) as ClientMessageKind[];

export type ServerMessageKind = keyof typeof SERVER_MESSAGE_FIELDS;
/** One message field, `usageMetadata` beside it or alone. */
export type ServerMessage =
  | (OneOf<typeof SERVER_MESSAGE_FIELDS> & { usageMetadata?: UsageMetadata })
  | ({ usageMetadata: UsageMetadata } & { [K in ServerMessageKind]?: never });
export const SERVER_MESSAGE_KINDS = Object.keys(SERVER_MESSAGE_FIELDS) as ServerMessageKind[];

const optionalAll = <F extends Fields>(fields: F) =>
  Object.fromEntries(Object.entries(fields).map(([k, v]) => [k, v.optional()])) as { [K in keyof F]: z.ZodOptional<F[K]> };

function exactlyOne(kinds: readonly string[], value: Record<string, unknown>, allowNone: boolean): string | undefined {
  const present = kinds.filter((k) => value[k] !== undefined);
  if (present.length > 1) return `a frame carries one of ${kinds.join(', ')}; this one has ${present.join(' and ')}`;
  if (present.length === 0 && !allowNone) {
    const keys = Object.keys(value);
    return `a frame carries one of ${kinds.join(', ')}; this one has ${keys.length ? keys.map((k) => `"${k}"`).join(', ') : 'no field'}`;
  }
  return undefined;
}

/** A client frame (§1.2): exactly one of setup, clientContent, realtimeInput, toolResponse. */
export const ClientMessage = protoObject('client', optionalAll(CLIENT_MESSAGE_FIELDS))
  .check((ctx) => {
    const problem = exactlyOne(CLIENT_MESSAGE_KINDS, ctx.value, false);
    if (problem) ctx.issues.push({ code: 'custom', input: ctx.value, message: problem });
  })
  .transform((v) => v as unknown as ClientMessage);

/** A server frame (§1.4): at most one message field, and it or `usageMetadata`. */
export const ServerMessage = protoObject('server', { ...optionalAll(SERVER_MESSAGE_FIELDS), usageMetadata: UsageMetadata.optional() })
  .check((ctx) => {
    const problem = exactlyOne(SERVER_MESSAGE_KINDS, ctx.value, ctx.value.usageMetadata !== undefined);
    if (problem) ctx.issues.push({ code: 'custom', input: ctx.value, message: problem });
  })
  .transform((v) => v as unknown as ServerMessage);

export function clientMessageKind(message: ClientMessage): ClientMessageKind {
  const kind = CLIENT_MESSAGE_KINDS.find((k) => (message as Record<string, unknown>)[k] !== undefined);
  if (!kind) throw new Error('not a parsed client message');
  return kind;
}

/** The message field of a server frame, or undefined for a bare `usageMetadata`. */
export const serverMessageKind = (message: ServerMessage): ServerMessageKind | undefined =>
  SERVER_MESSAGE_KINDS.find((k) => (message as Record<string, unknown>)[k] !== undefined);

/**
 * One frame, read. Frames come as text or binary (§1.2: the server sends binary; a face
 * accepts both from clients), so an invalid frame is a value to record, never an exception.
 * `field` names the offending field ("setup.generationConfig.responseModalities.0") in
 * camelCase, whatever spelling the frame used.
 */
export type DecodedGeminiFrame<M> =
  | { readonly state: 'valid'; readonly message: M }
  | { readonly state: 'invalid'; readonly field: string | undefined; readonly problem: string }
  | { readonly state: 'not-json'; readonly problem: string };

const utf8 = new TextDecoder('utf-8', { fatal: true });

function decodeWith<M>(schema: z.ZodType<M>, data: string | Uint8Array | ArrayBuffer): DecodedGeminiFrame<M> {
  let value: unknown;
  try {
    const text = typeof data === 'string' ? data : utf8.decode(data);
    value = JSON.parse(text);
  } catch (error) {
    return { state: 'not-json', problem: (error as Error).message };
  }
  if (typeof value !== 'object' || value === null || Array.isArray(value)) {
    return { state: 'invalid', field: undefined, problem: 'a frame is a JSON object' };
  }
  const parsed = schema.safeParse(value);
  if (parsed.success) return { state: 'valid', message: parsed.data };
  const issue = parsed.error.issues[0];
  const field = issue && issue.path.length > 0 ? issue.path.map(String).join('.') : undefined;
  return { state: 'invalid', field, problem: `${field ? `field "${field}"` : 'frame'}: ${issue?.message ?? 'invalid'}` };
}

export const decodeClientFrame = (data: string | Uint8Array | ArrayBuffer): DecodedGeminiFrame<ClientMessage> =>
  decodeWith(ClientMessage, data);
export const decodeServerFrame = (data: string | Uint8Array | ArrayBuffer): DecodedGeminiFrame<ServerMessage> =>
  decodeWith(ServerMessage, data);

/** A server frame as Gemini writes it: JSON with a 2-space indent and a trailing newline (§1.2). */
export const formatServerFrame = (message: ServerMessage): string => `${JSON.stringify(message, null, 2)}\n`;
