/**
 * A Mermaid sequence diagram of one run, for the Markdown summary: client and server, each
 * connection opened and closed with its codes, the faults as notes, and where context or
 * turns were lost. GitHub renders ```mermaid blocks in a step summary.
 */
import type { ScenarioReport } from '../scenario-report-schema.ts';
import { secs } from './escape.ts';

/** Past this many lines the middle is elided: a reconnect storm must not bury the ending. */
const MAX_LINES = 90;
const MAX_TEXT = 110;

export function mermaidSequence(report: ScenarioReport): string {
  const body = bodyLines(report);
  const lines = body.length <= MAX_LINES ? body : [...body.slice(0, 45), `Note over C,S: … ${body.length - 85} more steps …`, ...body.slice(-40)];
  return ['sequenceDiagram', '    participant C as Client', '    participant S as Server', ...lines.map((l) => `    ${l}`)].join('\n');
}

function bodyLines(report: ScenarioReport): string[] {
  const out: string[] = [];
  const say = (arrow: string, text: string): void => {
    out.push(`${arrow}: ${clean(text)}`);
  };
  const note = (over: string, text: string): void => {
    out.push(`Note over ${over}: ${clean(text)}`);
  };
  const byConn = new Map(report.connections.map((c) => [c.conn, c]));
  const turnsOn = (conn: number): string => {
    const answered = report.turns.events.filter((e) => e.conn === conn && e.side === 'agent' && !e.greeting).map((e) => e.turn);
    if (answered.length === 0) return `no turn answered on connection ${conn}`;
    const lo = Math.min(...answered);
    const hi = Math.max(...answered);
    return `${answered.length} turn${answered.length === 1 ? '' : 's'} answered on connection ${conn} (${lo === hi ? `turn ${lo}` : `turns ${lo}–${hi}`})`;
  };
  const losses = [...report.losses];
  const flushLosses = (before: number): void => {
    while (losses.length > 0 && losses[0]!.t < before) lossNote(losses.shift()!);
  };
  const lossNote = (l: ScenarioReport['losses'][number]): void => note('C,S', `LOST: ${l.label}`);

  note('C,S', `${report.sut.id} · ${report.scenario}: ${report.verdict.overall}`);
  for (const e of report.events) {
    flushLosses(e.t);
    const at = `at ${secs(e.t)}`;
    switch (e.kind) {
      case 'http-session':
        say('C->>S', `POST session`);
        say('S-->>C', `HTTP ${String(e.status)}${typeof e.conversationId === 'string' ? `, ${e.conversationId}` : ''}`);
        break;
      case 'open': {
        const c = byConn.get(Number(e.conn));
        if (!c) break;
        say('C->>S', `connect ${c.conn} ${c.handlePresented ? `with handle ${c.handlePresented}` : 'without a handle'} ${at}`);
        const how = c.resume === 'resumed' ? 'resumed' : c.resume === 'rejected' ? `handle rejected${c.rejection ? ` (${c.rejection})` : ''}` : 'fresh session';
        say('S-->>C', `open, ${how}, context ${c.contextTurns} of ${c.conversationTurns} turns`);
        break;
      }
      case 'resumed-sent':
        say('S->>C', `session:resumed ${at}`);
        break;
      case 'upgrade-rejected':
        say('C->>S', `connect ${typeof e.handle === 'string' ? `with handle ${e.handle}` : 'without a handle'} ${at}`);
        say('S--xC', `refused: HTTP ${String(e.status)}`);
        break;
      case 'expiring':
        say('S->>C', `session_expiring, timeLeft ${String(e.timeLeft)} s ${at}`);
        break;
      case 'fault':
        note('S', `fault: ${String(e.action)}${typeof e.detail === 'string' ? ` (${e.detail})` : ''} ${at}`);
        break;
      case 'restart':
        note('S', `server restart ${at}`);
        break;
      case 'conversation-end':
        say('S->>C', `conversation_end (${String(e.reason)}) ${at}`);
        break;
      case 'close': {
        const conn = Number(e.conn);
        note('C,S', turnsOn(conn));
        const what = `close ${String(e.code)}${e.reason ? ` "${String(e.reason)}"` : ''} of connection ${conn} ${at}`;
        if (e.by === 'client') say('C-xS', what);
        else if (e.by === 'network') say('S--xC', `network: ${what}`);
        else say(e.code === 1006 ? 'S--xC' : 'S-xC', e.code === 1006 ? `dropped, no close frame (1006), connection ${conn} ${at}` : what);
        break;
      }
      default:
        break;
    }
  }
  for (const c of report.connections) if (c.closedAt === null) note('C,S', `${turnsOn(c.conn)}, still open at the end`);
  flushLosses(Number.POSITIVE_INFINITY);
  const r = report.comparison.client;
  note('C', r.state === 'reported'
    ? `client result: ${r.status}, ${r.turns} turns, ${r.reconnects} reconnects, contextLost ${r.contextLost}`
    : `client result ${r.state}: ${r.reason ?? ''}`);
  return out;
}

/**
 * Mermaid reads `;` as a statement end and `#…;` as an entity, and `<…>` may become HTML:
 * message text keeps none of them.
 */
export function clean(text: string): string {
  const one = text
    .replace(/[\r\n]+/g, ' ')
    .replace(/;/g, ',')
    .replace(/#/g, 'no. ')
    .replace(/%%/g, '%')
    .replace(/[<>{}]/g, '')
    .trim();
  return one.length <= MAX_TEXT ? one : `${one.slice(0, MAX_TEXT - 1)}…`;
}
