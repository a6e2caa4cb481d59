/**
 * The per-scenario report: one JSON file per scenario and system under test, Autobahn's
 * per-case JSON for this protocol. This zod schema is the single source of truth: the
 * shipped JSON Schema (`scenario-report.schema.json`) is generated from it, and tests parse
 * every emitted report with it.
 *
 * Times named `t`, `…At` or `…Ms` are protocol milliseconds since the run started (virtual
 * or scaled time), so they are reproducible from the seed. Every wall-clock value lives
 * under `wall` and nowhere else: a determinism check drops that one key.
 */
import { fileURLToPath } from 'node:url';
import { z } from 'zod';
import { PROTOCOLS } from '../../protocol/sut-result.ts';
import { AXES, VERDICTS, type Axis } from '../judge/verdict.ts';
import { SERVER_AXES, type ServerAxis } from '../judge/server-section.ts';

export const REPORT_VERSION = 1;

/** Where the shipped JSON Schema lives, next to this file (written by tools/write-report-schema.ts). */
export const REPORT_SCHEMA_FILE = fileURLToPath(new URL('./scenario-report.schema.json', import.meta.url));

const t = z.number().describe('Protocol milliseconds since the run started.');
const conn = z.number().int().describe('Server connection id (the journal\'s `conn`).');
const fingerprintText = z.string().describe('A handle or token as its fingerprint ‹xxxxxxxx›, never the secret itself.');

export const VerdictSchema = z.enum(VERDICTS);

export const AxisVerdictSchema = z.strictObject({
  verdict: VerdictSchema,
  reason: z.string().describe('One sentence a person can act on.'),
});

const axesShape = Object.fromEntries(AXES.map((axis) => [axis, AxisVerdictSchema])) as Record<Axis, typeof AxisVerdictSchema>;

export const ReportVerdictSchema = z.strictObject({
  overall: VerdictSchema.describe('The worst axis by the documented priority FAILED > UNKNOWN > NON-STRICT > OK (INFORMATIONAL does not count).'),
  passed: z.boolean().describe('Whether the scenario passes the gate: OK and INFORMATIONAL pass, NON-STRICT passes unless strict.'),
  axes: z.strictObject(axesShape),
});

export const ScriptedFaultsSchema = z.strictObject({
  expiry: z.strictObject({
    enabled: z.boolean(),
    lifetimeS: z.number(),
    timeLeftS: z.number(),
    closeAfterS: z.number().describe('When the server closes, counted from the notice.'),
    closeCode: z.number().int(),
    closeReason: z.string(),
    dropAtDeadline: z.boolean(),
    silentAfterNotice: z.boolean(),
    summary: z.string(),
  }).describe('The connection-lifetime policy the server applied to every connection.'),
  handles: z.string().describe('The handle policy in words.'),
  validation: z.string().describe('What the server does with a rejected handle, in words.'),
  resume: z.string().describe('When session:resumed is sent and what state a resume restores, in words.'),
  toxics: z.array(z.string()).describe('Toxiproxy toxics standing on every connection from its open, in words.'),
  rules: z.array(z.strictObject({
    rule: z.number().int().describe('Index in server.faults, as fault events name it.'),
    note: z.string().nullable(),
    when: z.string(),
    actions: z.array(z.string()),
    connection: z.number().int().nullable(),
    after: z.number().describe('Protocol seconds between trigger and action.'),
    times: z.number().int(),
    toxicity: z.number(),
  })),
});

export const HappenedEventSchema = z.strictObject({
  t,
  kind: z.enum(['fault', 'expiring', 'close', 'upgrade-rejected', 'restart', 'conversation-end']),
  conn: conn.nullable(),
  label: z.string().describe('What happened, in words.'),
  rule: z.number().int().nullable().describe('The scripted rule that fired (fault events); -1 for a standing toxic.'),
  code: z.number().int().nullable().describe('Close code (close) or HTTP status (upgrade-rejected).'),
  by: z.enum(['client', 'server', 'network']).nullable(),
});

export const FaultWindowSchema = z.strictObject({
  kind: z.enum(['expiry', 'fault', 'outage', 'down']),
  from: t,
  to: t,
  conn: conn.nullable(),
  label: z.string(),
});

export const ConnectionSchema = z.strictObject({
  conn,
  ordinal: z.number().int().describe('1-based connection number within its conversation.'),
  conversationId: z.string(),
  openedAt: t,
  closedAt: t.nullable().describe('Null when the connection was still open at the end of the run.'),
  durationMs: z.number(),
  close: z.strictObject({
    code: z.number().int(),
    reason: z.string(),
    by: z.enum(['client', 'server', 'network']),
    cause: z.string().nullable().describe('The server\'s own cause: expiry-deadline, fault: drop, rejection, end…'),
  }).nullable(),
  handlePresented: fingerprintText.nullable(),
  handleSeq: z.number().int().nullable().describe('Issue order of the presented handle, when the server knew it.'),
  latestIssuedSeq: z.number().int().nullable().describe('Issue order of the newest handle issued before this connection opened.'),
  resume: z.enum(['none', 'resumed', 'rejected']),
  rejection: z.string().nullable(),
  resumedSentAt: t.nullable().describe('When session:resumed went out (the only proof of a resume).'),
  contextTurns: z.number().int().describe('Prospect turns in the model state this connection started with.'),
  conversationTurns: z.number().int().describe('The most prospect turns the conversation had reached before it opened.'),
  contextLostTurns: z.number().int().describe('conversationTurns − contextTurns: turns of context this connection did not get back.'),
  prospectTurns: z.number().int(),
  agentTurns: z.number().int().describe('Agent turns on this connection, the greeting excluded.'),
  greeting: z.boolean(),
  handlesIssued: z.array(z.strictObject({ t, handle: fingerprintText, seq: z.number().int(), turns: z.number().int(), reason: z.string() })),
  expiring: z.array(z.strictObject({ t, timeLeftS: z.number(), deadline: t })),
  framesIn: z.number().int(),
  framesOut: z.number().int(),
  blackHoled: z.boolean().describe('The server stopped reading and writing (half-open): its close time says nothing of the client.'),
  conversationEndAt: t.nullable(),
});

export const AttemptSchema = z.strictObject({
  n: z.number().int().describe('1-based attempt number; attempt 1 is the first connection.'),
  t,
  state: z.enum(['opened', 'refused']),
  conn: conn.nullable(),
  status: z.number().int().nullable().describe('HTTP status of a refused upgrade.'),
  handle: fingerprintText.nullable(),
  outage: z.number().int().describe('0 for the first connection, then one number per outage (consecutive attempts until one carries a full agent turn).'),
  sincePreviousMs: z.number().nullable().describe('Time since the previous attempt started.'),
  idleGapMs: z.number().nullable().describe('Idle time before this attempt: since the previous attempt ended (its close, or its refusal).'),
});

export const TurnEventSchema = z.strictObject({
  t,
  conn,
  side: z.enum(['prospect', 'agent']),
  turn: z.number().int(),
  greeting: z.boolean(),
  duplicate: z.string().nullable(),
});

export const LossSchema = z.strictObject({
  kind: z.enum(['context', 'new-session', 'unanswered', 'unfinished', 'duplicate']),
  t,
  conn: conn.nullable(),
  turn: z.number().int().nullable().describe('The first turn concerned.'),
  turns: z.number().int().describe('How many turns are concerned.'),
  label: z.string(),
});

export const WireFrameSchema = z.strictObject({
  n: z.number().int(),
  t,
  conn,
  dir: z.enum(['in', 'out']).describe('in: client → server; out: server → client.'),
  type: z.string().nullable(),
  bytes: z.number().int(),
  binary: z.boolean(),
  text: z.string().nullable().describe('The frame as sent, secrets already replaced by fingerprints.'),
  decoded: z.string().nullable().describe('How the server decoded a client frame: valid, invalid, unknown-type, not-json, binary.'),
  problem: z.string().nullable(),
  dropped: z.boolean().describe('A scripted fault kept this server frame from the client.'),
});

export const ComparisonSchema = z.strictObject({
  client: z.strictObject({
    state: z.enum(['reported', 'missing', 'invalid', 'hung']),
    status: z.enum(['completed', 'failed']).nullable(),
    turns: z.number().int().nullable(),
    reconnects: z.number().int().nullable(),
    contextLost: z.boolean().nullable(),
    reason: z.string().nullable(),
  }).describe('What the client said about itself (sut-contract §4).'),
  server: z.strictObject({
    turnsAnswered: z.number().int(),
    connections: z.number().int(),
    reconnects: z.number().int().describe('Connection attempts after the first, refused ones included.'),
    resumed: z.number().int(),
    rejected: z.number().int(),
    conversations: z.number().int(),
    conversationEnded: z.boolean(),
    finalContextTurns: z.number().int(),
    lostSlots: z.array(z.number().int()).describe('Answered turns the final model state no longer holds.'),
  }).describe('What the server\'s journal shows.'),
  agree: z.strictObject({
    turns: z.boolean().nullable(),
    reconnects: z.boolean().nullable(),
    contextLost: z.boolean().nullable(),
  }).describe('Null when the client reported nothing to compare.'),
});

export const ServerSectionSchema = z.strictObject({
  id: z.string().describe('As given to --server: reference, cmd:COMMAND, image:NAME.'),
  kind: z.enum(['cmd', 'image']),
  client: z.literal('ai-voice').describe('The wire between the client and the server.'),
  upstream: z.literal('gemini-live').describe('The wire between the server and the mock: the journal of this report is the Gemini face\'s.'),
  shareToken: fingerprintText.describe('The share token of the agent the server was given (RESUME_HARNESS_AGENTS).'),
  state: z.enum(['ready', 'never-ready', 'exited-early', 'crashed']).describe('ready: listened in time and ran until stopped; never-ready: its port never accepted within the bound; exited-early: exited before; crashed: exited during the run.'),
  reason: z.string(),
  exitCode: z.number().int().nullable(),
  signal: z.string().nullable(),
  stoppedWith: z.enum(['SIGTERM', 'SIGKILL', 'already-exited']),
  verdict: AxisVerdictSchema.shape.verdict.describe('The worst of the server axes; it joins the overall verdict.'),
  lifecycle: AxisVerdictSchema.describe('UNKNOWN when the server could not be judged (never ready, exited, crashed).'),
  secrets: AxisVerdictSchema.describe('No handle, share token or API key in full in its output (server-contract.md §2).'),
  axes: z.strictObject(Object.fromEntries(SERVER_AXES.map((axis) => [axis, AxisVerdictSchema])) as Record<ServerAxis, typeof AxisVerdictSchema>)
    .describe('Every server axis (docs/server-contract.md §3): lifecycle, handle-relay, expiry-relay, resume-passthrough, tenant-binding, isolation, close-codes, frame-types, upstream, secrets.'),
  wire: z.array(z.looseObject({ kind: z.string(), t })).describe('The client side of the server\'s wire as the recording proxy saw it (redacted: handles and tokens as fingerprints), the probes\' connections included.'),
  probes: z.array(z.looseObject({ probe: z.enum(['tenant', 'isolation']), exercised: z.boolean(), note: z.string() })).describe('What the harness\'s own probes did after the client\'s conversation.'),
  stdout: z.array(z.string()).describe('What it printed, redacted (a container\'s two streams arrive together, as stdout).'),
  stderr: z.array(z.string()),
  droppedLines: z.number().int(),
  details: z.record(z.string(), z.string()).describe('The command and pid, or the image and container id.'),
}).describe('The server under test (--server, server-contract.md): the client talked to it, it talked to the mock Gemini face.');

export const ScenarioReportSchema = z.strictObject({
  reportVersion: z.literal(REPORT_VERSION),
  scenario: z.string().describe('The scenario id.'),
  base: z.string().nullable().describe('The base scenario id of a variant.'),
  title: z.string(),
  description: z.string(),
  expectation: z.string(),
  why: z.string(),
  group: z.string(),
  severity: z.string(),
  provenance: z.array(z.string()),
  expect: z.strictObject({
    outcome: z.string(),
    maxAttemptsPerOutage: z.number(),
    minRetryGapS: z.number(),
    stallAfterS: z.number(),
    maxTurns: z.number().int(),
    limitS: z.number(),
  }).describe('The scenario\'s machine-readable expectation.'),
  seed: z.number().int().describe('The run\'s seed: what `--seed` takes to replay this run.'),
  scenarioSeed: z.number().int().describe('The seed this scenario actually ran with, derived from the run\'s seed and its id.'),
  protocol: z.enum(PROTOCOLS).describe('The wire of the run (--protocol): the mock spoke it, the client had to.'),
  mode: z.enum(['virtual', 'network']),
  timeScale: z.number(),
  strict: z.boolean(),
  sut: z.strictObject({ id: z.string(), kind: z.string() }),
  verdict: ReportVerdictSchema,
  faults: z.strictObject({
    scripted: ScriptedFaultsSchema,
    happened: z.array(HappenedEventSchema),
    windows: z.array(FaultWindowSchema).describe('Intervals during which a fault was in force, for shading a timeline.'),
  }),
  connections: z.array(ConnectionSchema),
  attempts: z.array(AttemptSchema),
  turns: z.strictObject({
    expected: z.number().int(),
    serverAnswered: z.number().int(),
    clientCounted: z.number().int().nullable(),
    perConnection: z.array(z.strictObject({ conn, ordinal: z.number().int(), prospect: z.number().int(), agent: z.number().int() })),
    events: z.array(TurnEventSchema),
  }),
  losses: z.array(LossSchema).describe('Where context or turns were lost.'),
  comparison: ComparisonSchema,
  wire: z.array(WireFrameSchema).describe('Every frame both ways, in order.'),
  events: z.array(z.looseObject({ kind: z.string(), t })).describe('The server journal without frames, verbatim (already redacted).'),
  client: z.strictObject({
    report: z.looseObject({ state: z.string() }).describe('The client\'s result as the harness received it.'),
    extra: z.record(z.string(), z.unknown()).describe('What the client kept for post-mortem (event log, exit status).'),
    output: z.array(z.string()).describe('Everything the client printed or logged, redacted.'),
  }),
  durations: z.strictObject({ protocolMs: z.number() }),
  server: ServerSectionSchema.optional(),
  harnessError: z.string().nullable().describe('Set when the harness itself failed, or could not judge (a server under test that never became ready): every axis is then UNKNOWN.'),
  reportError: z.string().nullable().describe('Set when part of this report could not be built; the verdict still stands.'),
  wall: z.strictObject({
    wallMs: z.number().describe('Real milliseconds the run took.'),
    runId: z.string().nullable(),
    reportedAt: z.string().nullable().describe('ISO date the report was written.'),
    server: z.strictObject({
      readyMs: z.number().nullable().describe('Real ms from the start request until the port accepted.'),
      stopMs: z.number().describe('Real ms the stop took.'),
      containerStartMs: z.number().nullable().describe('Image form: real ms to create and start the container.'),
    }).optional().describe('With --server: its start and stop costs.'),
  }).describe('Every wall-clock value, and only those: drop this key to compare two runs of one seed.'),
}).meta({ title: 'resume-harness scenario report', description: 'One scenario run against one system under test: verdicts, fault timeline, connections, wire log.' });

export type ScenarioReport = z.infer<typeof ScenarioReportSchema>;
export type ReportServerSection = z.infer<typeof ServerSectionSchema>;
export type ReportConnection = z.infer<typeof ConnectionSchema>;
export type ReportAttempt = z.infer<typeof AttemptSchema>;
export type ReportLoss = z.infer<typeof LossSchema>;
export type ReportFaultWindow = z.infer<typeof FaultWindowSchema>;
export type ReportHappened = z.infer<typeof HappenedEventSchema>;
export type ReportWireFrame = z.infer<typeof WireFrameSchema>;
export type ReportTurnEvent = z.infer<typeof TurnEventSchema>;
export type ReportComparison = z.infer<typeof ComparisonSchema>;
export type ScriptedFaults = z.infer<typeof ScriptedFaultsSchema>;

/** The shipped JSON Schema, generated so it can never drift from the zod schema. */
export function scenarioReportJsonSchema(): Record<string, unknown> {
  return z.toJSONSchema(ScenarioReportSchema, { target: 'draft-2020-12', io: 'output' }) as Record<string, unknown>;
}

export const scenarioReportJsonSchemaText = (): string => `${JSON.stringify(scenarioReportJsonSchema(), null, 2)}\n`;
