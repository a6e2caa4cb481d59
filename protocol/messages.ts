/**
 * AI-voice client protocol v1 (docs/ai-voice-protocol.md), defined once.
 * Both sides import these schemas; nothing else in the project restates a message shape.
 */
import { z } from 'zod';

// Server → client (spec §3). Objects are loose: a newer server may add fields.
export const TranscriptMessage = z.looseObject({
  type: z.literal('transcript'),
  role: z.literal('agent'),
  text: z.string(),
  final: z.boolean(),
});
export const SessionResumptionUpdateMessage = z.looseObject({
  type: z.literal('session_resumption_update'),
  handle: z.string(),
  resumable: z.boolean(),
});
export const SessionExpiringMessage = z.looseObject({
  type: z.literal('session_expiring'),
  message: z.string(),
  timeLeft: z.number().nonnegative(),
  hasHandle: z.boolean(),
});
export const SessionResumedMessage = z.looseObject({
  type: z.literal('session:resumed'),
  conversationId: z.string().optional(),
});
export const ConversationEndMessage = z.looseObject({
  type: z.literal('conversation_end'),
  reason: z.string(),
});
export const ErrorMessage = z.looseObject({
  type: z.literal('error'),
  code: z.string(),
  message: z.string(),
});

export const ServerMessage = z.discriminatedUnion('type', [
  TranscriptMessage,
  SessionResumptionUpdateMessage,
  SessionExpiringMessage,
  SessionResumedMessage,
  ConversationEndMessage,
  ErrorMessage,
]);
export type ServerMessage = z.infer<typeof ServerMessage>;
export type ServerMessageType = ServerMessage['type'];
export const SERVER_MESSAGE_TYPES = ServerMessage.options.map((o) => o.shape.type.value) as readonly ServerMessageType[];

// Client → server (spec §4).
export const ProspectMessage = z.looseObject({
  type: z.literal('prospect_message'),
  text: z.string().min(1),
});
export const EndConversationMessage = z.looseObject({
  type: z.literal('end_conversation'),
});
export const ClientMessage = z.discriminatedUnion('type', [ProspectMessage, EndConversationMessage]);
export type ClientMessage = z.infer<typeof ClientMessage>;
export type ClientMessageType = ClientMessage['type'];
export const CLIENT_MESSAGE_TYPES = ClientMessage.options.map((o) => o.shape.type.value) as readonly ClientMessageType[];

// HTTP session creation (spec §1).
export const CreateSessionRequest = z.object({
  prospectName: z.string().min(1),
  testMode: z.string().optional(),
});
export type CreateSessionRequest = z.infer<typeof CreateSessionRequest>;
export const CreateSessionResponse = z.object({
  sessionToken: z.string().min(1),
  conversationId: z.string().min(1),
});
export type CreateSessionResponse = z.infer<typeof CreateSessionResponse>;
export const HttpErrorBody = z.object({
  error: z.enum(['bad_request', 'unknown_share_token']),
  message: z.string(),
});
export type HttpErrorBody = z.infer<typeof HttpErrorBody>;

export const SESSION_PATH_PATTERN = /^\/api\/sales-agent\/([^/]+)\/session$/;
export const WS_PATH = '/ws/ai-voice';
export const sessionPath = (shareToken: string): string => `/api/sales-agent/${encodeURIComponent(shareToken)}/session`;

/** Query parameters of the WebSocket URL (spec §2). */
export interface ConnectParams {
  sessionToken: string;
  shareToken: string;
  testMode?: string | undefined;
  resumeHandle?: string | undefined;
}

export function buildConnectUrl(wsBase: string, params: ConnectParams): string {
  const query = new URLSearchParams({ mode: 'sales_agent', sessionToken: params.sessionToken, shareToken: params.shareToken });
  if (params.testMode) query.set('testMode', params.testMode);
  if (params.resumeHandle) query.set('resumeHandle', params.resumeHandle);
  return `${wsBase}?${query.toString()}`;
}

/**
 * The outcome of reading one text frame. Every frame either side receives goes through
 * here, so an invalid frame is a value to record, never an exception.
 */
export type DecodedFrame<M> =
  | { readonly state: 'valid'; readonly message: M }
  | { readonly state: 'unknown-type'; readonly type: string }
  | { readonly state: 'invalid'; readonly problem: string }
  | { readonly state: 'not-json'; readonly problem: string };

function decodeWith<M>(schema: z.ZodType<M>, known: readonly string[], text: string): DecodedFrame<M> {
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch (error) {
    return { state: 'not-json', problem: (error as Error).message };
  }
  if (typeof value !== 'object' || value === null || Array.isArray(value)) {
    return { state: 'invalid', problem: 'frame is not a JSON object' };
  }
  const type = (value as { type?: unknown }).type;
  if (typeof type !== 'string') return { state: 'invalid', problem: 'field "type" is missing or not a string' };
  if (!known.includes(type)) return { state: 'unknown-type', type };
  const parsed = schema.safeParse(value);
  if (!parsed.success) {
    const issue = parsed.error.issues[0];
    const where = issue && issue.path.length > 0 ? `field "${issue.path.join('.')}"` : 'frame';
    return { state: 'invalid', problem: `${type}: ${where}: ${issue?.message ?? 'invalid'}` };
  }
  return { state: 'valid', message: parsed.data };
}

export const decodeServerFrame = (text: string): DecodedFrame<ServerMessage> =>
  decodeWith(ServerMessage, SERVER_MESSAGE_TYPES, text);
export const decodeClientFrame = (text: string): DecodedFrame<ClientMessage> =>
  decodeWith(ClientMessage, CLIENT_MESSAGE_TYPES, text);

export const encodeMessage = (message: ServerMessage | ClientMessage): string => JSON.stringify(message);
