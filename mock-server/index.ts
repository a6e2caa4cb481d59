/**
 * The mock server's public face: the harness and the tests outside mock-server/ import
 * from here only, so the core and the faces can be rearranged without touching them.
 *
 *   core/        protocol-neutral: conversations, connections, handles, expiry, the fault
 *                runner, the journal; talks to a face through ConnectionSink and typed events
 *   faces/       one folder per wire protocol over the core (ai-voice/: codec, HTTP session
 *                route, upgrade); testing/stub-face.ts shows a second one fits
 *   script/      the server script (zod), validated once
 *   transports/  ws and msw: move bytes between sockets and the AI-voice face
 */
export { AiVoiceServer, type AiVoiceServerOptions } from './faces/ai-voice/ai-voice-server.ts';
export { Journal, type JournalEvent, type HandleRef, type EventOf } from './core/journal.ts';
export { SalesAgent, factsOf, type ModelState } from './core/sales-agent.ts';
export { ServerScript, FaultRule, Trigger, Action, Toxic, acceptScript, isValidScript, type ServerScriptInput, type ValidScript } from './script/schema.ts';
export { startWsServer, isLoopbackHost, type RunningServer, type WsServerOptions } from './transports/ws-server.ts';
export { mswHandlers, mswTransport, virtualEndpoints, VIRTUAL_ORIGIN, type MswTransport, type VirtualEndpoints } from './transports/msw-handlers.ts';
export { MockServerError, isMockServerError, MOCK_ERROR_CODES, type MockErrorCode } from './errors.ts';
export { GeminiLiveServer, GEMINI_WS_PATH, type GeminiLiveServerOptions } from './faces/gemini-live/gemini-live-server.ts';
export type { KickOff } from './faces/gemini-live/gemini-codec.ts';
export type { TransportFace, UpgradeRequest } from './core/connection-port.ts';
