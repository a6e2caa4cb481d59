/**
 * The run as a picture, after Jepsen's timelines: one lane per connection with its bar from
 * open to close, fault windows shaded across every lane, turns as ticks, the handle a
 * connection presented and the code it closed with, and red marks where turns or context
 * were lost. Plain inline SVG: it opens from disk with no script and no network.
 */
import type { ReportConnection, ScenarioReport } from '../scenario-report-schema.ts';
import { escapeHtml as esc, secs } from './escape.ts';

const WIDTH = 1100;
const LABEL_W = 170;
const RIGHT = 56;
const TOP = 58;
const LANE_H = 46;
const BAR_H = 14;
const AXIS_H = 34;
const PLOT_W = WIDTH - LABEL_W - RIGHT;

const RESUME_FILL: Record<ReportConnection['resume'], string> = { none: '#4a7bd0', resumed: '#2e9e44', rejected: '#e07b24' };
const WINDOW_FILL: Record<string, string> = { expiry: '#f0b429', fault: '#9aa0a6', outage: '#9aa0a6', down: '#9aa0a6' };

/** Coordinates rounded to 0.1 px: smaller files, and identical output for identical input. */
const n = (v: number): string => String(Math.round(v * 10) / 10);

export function svgTimeline(report: ScenarioReport): string {
  const end = Math.max(1, report.durations.protocolMs, ...report.events.map((e) => e.t), ...report.faults.windows.map((w) => w.to));
  const x = (t: number): number => LABEL_W + (Math.min(Math.max(t, 0), end) / end) * PLOT_W;
  const refused = report.attempts.filter((a) => a.state === 'refused');
  const lanes = report.connections.length + (refused.length > 0 ? 1 : 0);
  const plotBottom = TOP + Math.max(1, lanes) * LANE_H;
  const height = plotBottom + AXIS_H;
  const laneY = (i: number): number => TOP + i * LANE_H;
  const barY = (i: number): number => laneY(i) + 14;
  const laneOf = new Map(report.connections.map((c, i) => [c.conn, i]));
  const parts: string[] = [];

  parts.push(`<rect x="0" y="0" width="${WIDTH}" height="${height}" fill="#ffffff"/>`);
  // Lanes first, so every mark sits on top of them.
  for (let i = 0; i < lanes; i++) {
    parts.push(`<rect x="${LABEL_W}" y="${laneY(i)}" width="${PLOT_W}" height="${LANE_H}" fill="${i % 2 === 0 ? '#f6f7f9' : '#ffffff'}"/>`);
  }
  parts.push(windowsSvg(report, x, plotBottom));
  report.connections.forEach((c, i) => parts.push(connectionSvg(report, c, x, laneY(i), barY(i), end)));
  if (refused.length > 0) {
    const i = report.connections.length;
    parts.push(`<text class="lane-label" x="8" y="${n(barY(i) + 11)}" font-size="12" fill="#333">refused attempts</text>`);
    for (const a of refused) {
      const cx = x(a.t);
      const cy = barY(i) + BAR_H / 2;
      parts.push(`<g class="refused"><title>${esc(`attempt ${a.n} refused at ${secs(a.t)}: HTTP ${a.status ?? '?'}${a.handle ? `, handle ${a.handle}` : ''}`)}</title><path d="M${n(cx - 5)} ${n(cy - 5)}L${n(cx + 5)} ${n(cy + 5)}M${n(cx - 5)} ${n(cy + 5)}L${n(cx + 5)} ${n(cy - 5)}" stroke="#d1342f" stroke-width="2.5"/></g>`);
    }
  }
  parts.push(lossesSvg(report, x, laneOf, barY, plotBottom));
  parts.push(axisSvg(end, x, plotBottom));
  const label = `Timeline of ${report.scenario} against ${report.sut.id}: ${report.connections.length} connections, ${report.faults.windows.length} fault windows, ${report.losses.length} losses`;
  return `<svg id="timeline" class="timeline" xmlns="http://www.w3.org/2000/svg" viewBox="0 0 ${WIDTH} ${height}" width="${WIDTH}" height="${height}" role="img" aria-label="${esc(label)}" font-family="system-ui, sans-serif">${parts.join('')}</svg>`;
}

function windowsSvg(report: ScenarioReport, x: (t: number) => number, plotBottom: number): string {
  return report.faults.windows
    .map((w, i) => {
      const left = x(w.from);
      // A fault that acts at one instant still gets a visible band.
      const width = Math.max(4, x(w.to) - left);
      const labelY = TOP - 22 + (i % 2) * 10;
      return `<g class="fault-window" data-kind="${w.kind}"><title>${esc(`${w.label}: ${secs(w.from)} → ${secs(w.to)}`)}</title>`
        + `<rect x="${n(left)}" y="${TOP - 8}" width="${n(width)}" height="${n(plotBottom - TOP + 8)}" fill="${WINDOW_FILL[w.kind] ?? '#9aa0a6'}" fill-opacity="0.35" stroke="${WINDOW_FILL[w.kind] ?? '#9aa0a6'}" stroke-opacity="0.9" stroke-dasharray="3 2"/>`
        // Narrow windows get a glyph only: their labels would pile up; the tooltip has it all.
        + `<text x="${n(left + (width < 50 ? width / 2 : 2))}" y="${labelY}" font-size="10" fill="#7a5a00"${width < 50 ? ' text-anchor="middle"' : ''}>${width < 50 ? '⚡' : esc(`⚡ ${w.kind === 'expiry' ? 'expiry window' : w.label.replace(/ \((rule|toxic) -?\d+\)$/, '')}`)}</text></g>`;
    })
    .join('');
}

function connectionSvg(report: ScenarioReport, c: ReportConnection, x: (t: number) => number, laneTop: number, y: number, end: number): string {
  const left = x(c.openedAt);
  const right = x(c.closedAt ?? end);
  const width = Math.max(2, right - left);
  const how = c.resume === 'resumed' ? 'resumed' : c.resume === 'rejected' ? 'rejected' : 'fresh';
  const title = `connection ${c.conn} (${how}): ${secs(c.openedAt)} → ${c.closedAt === null ? 'end of run' : secs(c.closedAt)}; context ${c.contextTurns}/${c.conversationTurns} turns; ${c.agentTurns} turns answered${c.close ? `; closed ${c.close.code}${c.close.reason ? ` "${c.close.reason}"` : ''} by ${c.close.by}` : ''}`;
  const out: string[] = [`<g class="connection-lane" data-conn="${c.conn}">`];
  out.push(`<text class="lane-label" x="8" y="${n(laneTop + 17)}" font-size="12" font-weight="600" fill="#222">conn ${c.conn} · ${how}</text>`);
  out.push(`<text x="8" y="${n(laneTop + 31)}" font-size="10" fill="#555">context ${c.contextTurns}/${c.conversationTurns}, ${c.agentTurns} turns</text>`);
  out.push(`<rect class="connection" data-conn="${c.conn}" x="${n(left)}" y="${n(y)}" width="${n(width)}" height="${BAR_H}" rx="3" fill="${RESUME_FILL[c.resume]}"><title>${esc(title)}</title></rect>`);
  if (c.handlePresented !== null) {
    out.push(`<text class="handle" x="${n(left + 2)}" y="${n(y - 3)}" font-size="9.5" fill="#333"><title>${esc(`presented handle ${c.handlePresented}${c.handleSeq !== null ? ` (#${c.handleSeq} of ${c.latestIssuedSeq ?? '?'})` : ''}`)}</title>${esc(c.handlePresented)}</text>`);
  }
  for (const t of report.turns.events) {
    if (t.conn !== c.conn) continue;
    const tx = n(x(t.t));
    if (t.side === 'agent') {
      out.push(`<line class="turn${t.greeting ? ' greeting' : ''}" x1="${tx}" x2="${tx}" y1="${n(y + 2)}" y2="${n(y + BAR_H - 2)}" stroke="${t.greeting ? '#ffe08a' : '#ffffff'}" stroke-width="1"><title>${esc(`${t.greeting ? 'greeting' : `agent turn ${t.turn}`} at ${secs(t.t)}`)}</title></line>`);
    } else {
      out.push(`<line class="prospect-turn" x1="${tx}" x2="${tx}" y1="${n(y + BAR_H)}" y2="${n(y + BAR_H + 4)}" stroke="${t.duplicate ? '#d1342f' : '#555'}" stroke-width="1"><title>${esc(`prospect turn ${t.turn}${t.duplicate ? ` (duplicate: ${t.duplicate})` : ''} at ${secs(t.t)}`)}</title></line>`);
    }
  }
  for (const e of c.expiring) {
    const ex = x(e.t);
    out.push(`<path class="expiring" d="M${n(ex - 5)} ${n(y - 9)}L${n(ex + 5)} ${n(y - 9)}L${n(ex)} ${n(y - 1)}Z" fill="#f0b429" stroke="#7a5a00" stroke-width="0.8"><title>${esc(`session_expiring at ${secs(e.t)}: timeLeft ${e.timeLeftS} s, deadline ${secs(e.deadline)}`)}</title></path>`);
  }
  if (c.close) {
    const bad = c.close.by !== 'client' && !(c.close.code === 1000 && c.conversationEndAt !== null);
    const colour = bad ? '#d1342f' : '#222';
    // Below the bar's end: the end itself is where a loss marker may sit.
    const anchor = right > LABEL_W + PLOT_W - 20 ? 'end' : right < LABEL_W + 20 ? 'start' : 'middle';
    out.push(`<g class="close-code" data-code="${c.close.code}"><title>${esc(`closed ${c.close.code}${c.close.reason ? ` "${c.close.reason}"` : ''} by ${c.close.by}${c.close.cause ? ` (${c.close.cause})` : ''} at ${secs(c.closedAt ?? 0)}`)}</title>`
      + `<line x1="${n(right)}" x2="${n(right)}" y1="${n(y - 3)}" y2="${n(y + BAR_H + 3)}" stroke="${colour}" stroke-width="2"/>`
      + `<text x="${n(right)}" y="${n(y + BAR_H + 14)}" font-size="11" font-weight="700" fill="${colour}" text-anchor="${anchor}">${c.close.code} · ${c.close.by}</text></g>`);
  }
  out.push('</g>');
  return out.join('');
}

function lossesSvg(report: ScenarioReport, x: (t: number) => number, laneOf: Map<number, number>, barY: (i: number) => number, plotBottom: number): string {
  return report.losses
    .map((l, i) => {
      const lx = x(l.t);
      const lane = l.conn === null ? undefined : laneOf.get(l.conn);
      const cy = lane === undefined ? TOP + 8 : barY(lane) + BAR_H / 2;
      const short = l.kind === 'unfinished' || l.kind === 'unanswered'
        ? `lost: ${l.turns > 1 && l.turn !== null ? `turns ${l.turn}–${l.turn + l.turns - 1}` : `turn ${l.turn ?? '?'}`}`
        : l.kind === 'context' ? `context lost: ${l.turns} turns` : l.kind === 'duplicate' ? `duplicate turn ${l.turn ?? '?'}` : 'new session';
      const labelY = TOP - 40 + (i % 2) * 11;
      const anchor = lx > LABEL_W + PLOT_W - 120 ? 'end' : 'start';
      return `<g class="loss" data-kind="${l.kind}"><title>${esc(l.label)}</title>`
        + `<line x1="${n(lx)}" x2="${n(lx)}" y1="${labelY + 3}" y2="${n(plotBottom)}" stroke="#d1342f" stroke-width="1.5" stroke-dasharray="4 3"/>`
        + `<circle cx="${n(lx)}" cy="${n(cy)}" r="6" fill="#ffffff" stroke="#d1342f" stroke-width="2"/>`
        + `<path d="M${n(lx - 3)} ${n(cy - 3)}L${n(lx + 3)} ${n(cy + 3)}M${n(lx - 3)} ${n(cy + 3)}L${n(lx + 3)} ${n(cy - 3)}" stroke="#d1342f" stroke-width="2"/>`
        + `<text x="${n(anchor === 'end' ? lx - 4 : lx + 4)}" y="${labelY}" font-size="11" font-weight="700" fill="#d1342f" text-anchor="${anchor}">✗ ${esc(short)}</text></g>`;
    })
    .join('');
}

function axisSvg(end: number, x: (t: number) => number, y: number): string {
  const step = niceStep(end / 10);
  const out = [`<g class="axis"><line x1="${LABEL_W}" x2="${LABEL_W + PLOT_W}" y1="${y}" y2="${y}" stroke="#333"/>`];
  for (let t = 0; t <= end + 1e-9; t += step) {
    const tx = n(x(t));
    out.push(`<line x1="${tx}" x2="${tx}" y1="${y}" y2="${y + 5}" stroke="#333"/><text x="${tx}" y="${y + 18}" font-size="10" text-anchor="middle" fill="#333">${clock(t, end)}</text>`);
  }
  out.push(`<text x="${LABEL_W + PLOT_W}" y="${y + 30}" font-size="10" text-anchor="end" fill="#666">protocol time</text></g>`);
  return out.join('');
}

/** Steps a reader counts in: 1-2-5 below a second, then whole seconds, minutes and hours. */
const STEPS_MS = [100, 200, 500, 1000, 2000, 5000, 10_000, 15_000, 30_000, 60_000, 120_000, 300_000, 600_000, 900_000, 1_800_000, 3_600_000, 7_200_000];

export function niceStep(raw: number): number {
  return STEPS_MS.find((s) => s >= raw) ?? Math.ceil(raw / 3_600_000) * 3_600_000;
}

function clock(ms: number, end: number): string {
  if (end < 120_000) return `${Math.round(ms / 100) / 10} s`;
  const total = Math.round(ms / 1000);
  const h = Math.floor(total / 3600);
  const m = Math.floor((total % 3600) / 60);
  const s = total % 60;
  const mm = h > 0 ? String(m).padStart(2, '0') : String(m);
  return `${h > 0 ? `${h}:` : ''}${mm}:${String(s).padStart(2, '0')}`;
}
