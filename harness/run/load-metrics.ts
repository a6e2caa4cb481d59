/**
 * What a load run measures of each conversation, from the reference client's own event log
 * (the client knows when it asked to resume and when the resume was confirmed), and the
 * run's figures over all of them: percentiles, totals, and shards merged into one.
 */

/** An event of the reference client's log (simulator/core/event-log.ts, simulator/gemini): `t` in protocol ms. */
export interface ClientEvent {
  readonly t: number;
  readonly kind: string;
  readonly [field: string]: unknown;
}

export interface ResumeFigures {
  /** Protocol ms from each resuming `connect` to its confirmation (session:resumed; Gemini: setupComplete of a resumed session). */
  readonly latenciesMs: number[];
  /** Resuming connects that were never confirmed: rejected, timed out, failed or closed first. */
  readonly failed: number;
}

/** A resume attempt is a `connect` with a handle (AI-voice: `handle`; Gemini: `resume: true`). */
const isResumingConnect = (e: ClientEvent): boolean => e.kind === 'connect' && ((typeof e.handle === 'string' && e.handle.length > 0) || e.resume === true);
const confirms = (e: ClientEvent): boolean => e.kind === 'resumed' || (e.kind === 'open' && e.resumed === true);
const FAILS = new Set(['resume-silently-rejected', 'resume-timeout', 'handle-rejected', 'connect-failed', 'close', 'closed', 'resumed-other-conversation']);

export function resumeFigures(events: readonly ClientEvent[]): ResumeFigures {
  const latenciesMs: number[] = [];
  let failed = 0;
  let pending: number | null = null;
  for (const e of events) {
    if (isResumingConnect(e)) {
      if (pending !== null) failed += 1;
      pending = e.t;
    } else if (pending !== null && confirms(e)) {
      latenciesMs.push(e.t - pending);
      pending = null;
    } else if (pending !== null && FAILS.has(e.kind)) {
      failed += 1;
      pending = null;
    }
  }
  if (pending !== null) failed += 1;
  return { latenciesMs, failed };
}

/** Nearest-rank percentile (k6's p(95)); NaN for no values. */
export function percentile(sorted: readonly number[], p: number): number {
  if (sorted.length === 0) return Number.NaN;
  const rank = Math.ceil((p / 100) * sorted.length);
  return sorted[Math.min(sorted.length, Math.max(1, rank)) - 1]!;
}

/** One conversation of a load run. */
export interface ConversationLoad {
  readonly index: number;
  /** completed / failed (the client's result), or why there is none (missing, hung, invalid). */
  readonly status: string;
  readonly turns: number;
  readonly maxTurns: number;
  readonly lostTurns: number;
  readonly reconnects: number;
  readonly contextLost: boolean;
  /** Real ms (protocol ms × time scale). */
  readonly resumeLatenciesMs: number[];
  readonly failedResumes: number;
  /** The six-axis verdict from the mock's journal (against the mock only). */
  readonly verdict: string | null;
}

/** A load run's (or one shard's) summary: everything a threshold reads, and what merging needs (the raw latencies). */
export interface LoadSummary {
  readonly target: string;
  readonly protocol: string;
  readonly scenario: string;
  readonly timeScale: number;
  readonly shards: string[];
  readonly conversations: number;
  readonly completed: number;
  readonly lostTurns: number;
  readonly contextLost: number;
  readonly resumes: number;
  readonly failedResumes: number;
  /** Real ms, sorted. */
  readonly resumeLatenciesMs: number[];
  readonly verdicts: Record<string, number>;
  /** Conversations whose connections were open at the same moment, at most (the server's journal; the clients' view through a server). */
  readonly heldAtOnce: number;
  readonly peakRssBytes: number;
  readonly wallMs: number;
}

export function summarize(base: Omit<LoadSummary, 'conversations' | 'completed' | 'lostTurns' | 'contextLost' | 'resumes' | 'failedResumes' | 'resumeLatenciesMs' | 'verdicts'>, conversations: readonly ConversationLoad[]): LoadSummary {
  const latencies = conversations.flatMap((c) => c.resumeLatenciesMs).sort((a, b) => a - b);
  const verdicts: Record<string, number> = {};
  for (const c of conversations) if (c.verdict !== null) verdicts[c.verdict] = (verdicts[c.verdict] ?? 0) + 1;
  return {
    ...base,
    conversations: conversations.length,
    completed: conversations.filter((c) => c.status === 'completed').length,
    lostTurns: conversations.reduce((n, c) => n + c.lostTurns, 0),
    contextLost: conversations.filter((c) => c.contextLost).length,
    resumes: latencies.length,
    failedResumes: conversations.reduce((n, c) => n + c.failedResumes, 0),
    resumeLatenciesMs: latencies,
    verdicts,
  };
}

/**
 * Shards of one load run, as one: totals add up, latencies pool; conversations held at once add
 * up too (the shards run at the same time against one server), memory and wall time are the
 * largest shard's (each machine has its own).
 */
export function mergeSummaries(parts: readonly LoadSummary[]): LoadSummary {
  const first = parts[0];
  if (first === undefined) throw new RangeError('no summaries to merge');
  const verdicts: Record<string, number> = {};
  for (const p of parts) for (const [v, n] of Object.entries(p.verdicts)) verdicts[v] = (verdicts[v] ?? 0) + n;
  const sum = (pick: (s: LoadSummary) => number): number => parts.reduce((n, p) => n + pick(p), 0);
  return {
    ...first,
    shards: parts.flatMap((p) => p.shards),
    conversations: sum((p) => p.conversations),
    completed: sum((p) => p.completed),
    lostTurns: sum((p) => p.lostTurns),
    contextLost: sum((p) => p.contextLost),
    resumes: sum((p) => p.resumes),
    failedResumes: sum((p) => p.failedResumes),
    resumeLatenciesMs: parts.flatMap((p) => p.resumeLatenciesMs).sort((a, b) => a - b),
    verdicts,
    heldAtOnce: sum((p) => p.heldAtOnce),
    peakRssBytes: Math.max(...parts.map((p) => p.peakRssBytes)),
    wallMs: Math.max(...parts.map((p) => p.wallMs)),
  };
}
