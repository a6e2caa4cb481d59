/**
 * One scenario's page, after Autobahn's per-case pages: the header with the verdict, the
 * description and expectation, the verdict per axis, the timeline, the connections and
 * attempts, the client's result next to the server's view, the faults as scripted and as
 * they happened, and the numbered wire log.
 */
import { AXES } from '../../judge/verdict.ts';
import type { ScenarioReport } from '../scenario-report-schema.ts';
import { escapeHtml as esc, secs } from './escape.ts';
import { cssName, HTML_STYLES } from './html-styles.ts';
import { svgTimeline } from './svg-timeline.ts';
import { oneSentenceReason } from './verdicts.ts';
import { SERVER_AXES } from '../../judge/server-section.ts';

export interface ScenarioPageLinks {
  readonly index: string;
  readonly json: string | null;
}

const badge = (verdict: string): string => `<span class="badge v-${cssName(verdict)}">${esc(verdict)}</span>`;
const ms = (t: number | null): string => (t === null ? '—' : secs(t));
const tcell = (t: number | null): string => `<td class="t">${ms(t)}</td>`;
const cell = (v: unknown): string => `<td>${esc(v === null || v === undefined ? '—' : String(v))}</td>`;
const num = (v: number | null): string => `<td class="num">${v === null ? '—' : esc(String(v))}</td>`;

export function scenarioPage(report: ScenarioReport, links: ScenarioPageLinks): string {
  const r = report;
  const title = `${r.verdict.overall} · ${r.sut.id} · ${r.scenario}`;
  return `<!doctype html>
<html lang="en"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width, initial-scale=1">
<title>${esc(title)}</title><style>${HTML_STYLES}</style></head>
<body data-verdict="${esc(r.verdict.overall)}">
<nav><a href="${esc(links.index)}">← all scenarios</a>${links.json ? ` · <a href="${esc(links.json)}">report JSON</a>` : ''}</nav>
<header>
<h1>${badge(r.verdict.overall)} ${esc(r.scenario)} — ${esc(r.title)}</h1>
<p class="meta">system under test <b>${esc(r.sut.id)}</b> · group ${esc(r.group)} · severity ${esc(r.severity)} · seed ${r.seed} (scenario seed ${r.scenarioSeed}) · ${esc(r.mode)}${r.mode === 'network' ? ` ×${r.timeScale}` : ''} · ${r.strict ? 'strict' : 'not strict'} · protocol ${secs(r.durations.protocolMs)} · wall ${Math.round(r.wall.wallMs)} ms</p>
<p class="reason" id="reason">${esc(oneSentenceReason(r))}</p>
${r.harnessError ? `<pre class="harness-error">${esc(r.harnessError)}</pre>` : ''}${r.reportError ? `<p class="reason">${esc(r.reportError)}</p>` : ''}
</header>
<section><h2>Scenario</h2><dl>
<dt>Description</dt><dd>${esc(r.description)}</dd>
<dt>Expectation</dt><dd>${esc(r.expectation)}</dd>
<dt>Why</dt><dd>${esc(r.why)}</dd>
<dt>Expected outcome</dt><dd>${esc(r.expect.outcome)}, ${r.expect.maxTurns} turns, at most ${r.expect.maxAttemptsPerOutage} attempts per outage</dd>
<dt>Provenance</dt><dd>${esc(r.provenance.join(' · '))}</dd>
</dl></section>
<section><h2>Verdict by axis</h2><table class="axes-table"><tr><th>Axis</th><th>Verdict</th><th>Reason</th></tr>
${AXES.map((a) => `<tr data-axis="${a}"><td>${a}</td><td>${badge(r.verdict.axes[a].verdict)}</td><td>${esc(r.verdict.axes[a].reason)}</td></tr>`).join('\n')}
</table></section>
${serverSection(r)}
<section id="timeline-section"><h2>Timeline</h2>
<div class="timeline-wrap">${svgTimeline(r)}</div>
${legend()}
</section>
<section><h2>Where context or turns were lost</h2>${r.losses.length === 0 ? '<p>Nowhere: no context or turn was lost.</p>' : `<ul class="losses">${r.losses.map((l) => `<li data-kind="${l.kind}">at ${secs(l.t)}: ${esc(l.label)}</li>`).join('')}</ul>`}</section>
${connectionsTable(r)}
${attemptsTable(r)}
${comparisonTable(r)}
${faultsSection(r)}
${wireTable(r)}
<section><h2>Client output</h2><details><summary>${r.client.output.length} lines (redacted)</summary><pre>${esc(r.client.output.join('\n'))}</pre></details>
<details><summary>Client result and post-mortem data</summary><pre>${esc(JSON.stringify({ report: r.client.report, extra: r.client.extra }, null, 2))}</pre></details></section>
</body></html>
`;
}

function legend(): string {
  const sw = (colour: string, extra = ''): string => `<i class="sw" style="background:${colour};${extra}"></i>`;
  return `<div class="legend">
<span>${sw('#4a7bd0')}fresh connection</span><span>${sw('#2e9e44')}resumed</span><span>${sw('#e07b24')}handle rejected</span>
<span>${sw('rgba(240,180,41,.35)', 'border:1px dashed #f0b429')}expiry window (notice → deadline)</span><span>${sw('rgba(154,160,166,.35)', 'border:1px dashed #9aa0a6')}fault window</span>
<span>white ticks: agent turns · grey ticks: prospect turns</span><span>▼ session_expiring</span><span><b style="color:#d1342f">1006 · server</b> close code and who closed (red: not the client, not a normal end)</span><span><b style="color:#d1342f">✗</b> lost turn or context</span>
</div>`;
}

function connectionsTable(r: ScenarioReport): string {
  const rows = r.connections.map((c) => `<tr data-conn="${c.conn}">${num(c.conn)}${num(c.ordinal)}${tcell(c.openedAt)}${tcell(c.closedAt)}${tcell(c.durationMs)}`
    + `${cell(c.close?.code)}${cell(c.close?.reason || null)}${cell(c.close?.by)}${cell(c.close?.cause)}<td class="mono">${esc(c.handlePresented ?? '—')}</td>${cell(c.resume + (c.rejection ? ` (${c.rejection})` : ''))}`
    + `<td>${c.contextTurns}/${c.conversationTurns}${c.contextLostTurns > 0 ? ` <b style="color:#d1342f">−${c.contextLostTurns}</b>` : ''}</td>${num(c.agentTurns)}${num(c.handlesIssued.length)}<td>${c.framesIn}/${c.framesOut}</td></tr>`);
  return `<section><h2>Connections</h2><table class="connections"><tr><th>conn</th><th>#</th><th>opened</th><th>closed</th><th>lived</th><th>code</th><th>reason</th><th>by</th><th>cause</th><th>handle presented</th><th>resume</th><th>context restored / conversation</th><th>turns answered</th><th>handles issued</th><th>frames in/out</th></tr>${rows.join('\n')}</table></section>`;
}

function attemptsTable(r: ScenarioReport): string {
  const rows = r.attempts.map((a) => `<tr>${num(a.n)}${tcell(a.t)}${cell(a.state)}${cell(a.conn)}${cell(a.status)}<td class="mono">${esc(a.handle ?? '—')}</td>${num(a.outage)}${tcell(a.sincePreviousMs)}${tcell(a.idleGapMs)}</tr>`);
  return `<section><h2>Reconnect attempts</h2><table class="attempts"><tr><th>attempt</th><th>at</th><th>state</th><th>conn</th><th>HTTP</th><th>handle</th><th>outage</th><th>since previous</th><th>idle gap</th></tr>${rows.join('\n')}</table></section>`;
}

function comparisonTable(r: ScenarioReport): string {
  const c = r.comparison.client;
  const s = r.comparison.server;
  const agree = (v: boolean | null): string => (v === null ? '<td>—</td>' : v ? '<td>yes</td>' : '<td style="color:#d1342f;font-weight:700">no</td>');
  return `<section><h2>The client's result next to the server's view</h2><table class="comparison"><tr><th></th><th>client says</th><th>server saw</th><th>agree</th></tr>
<tr><td>result</td>${cell(c.state === 'reported' ? c.status : `${c.state}`)}${cell(s.conversationEnded ? 'conversation ended' : 'not ended')}<td></td></tr>
<tr><td>turns</td>${cell(c.turns)}${cell(`${s.turnsAnswered} of ${r.turns.expected} answered`)}${agree(r.comparison.agree.turns)}</tr>
<tr><td>reconnects</td>${cell(c.reconnects)}${cell(`${s.reconnects} attempts after the first (${s.resumed} resumed, ${s.rejected} rejected)`)}${agree(r.comparison.agree.reconnects)}</tr>
<tr><td>context lost</td>${cell(c.contextLost)}${cell(`final context ${s.finalContextTurns} turns${s.lostSlots.length ? `, lost slots ${s.lostSlots.join(', ')}` : ''}; ${s.conversations} conversation${s.conversations === 1 ? '' : 's'}`)}${agree(r.comparison.agree.contextLost)}</tr>
${c.reason ? `<tr><td>client's reason</td><td colspan="3">${esc(c.reason)}</td></tr>` : ''}
</table></section>`;
}

function faultsSection(r: ScenarioReport): string {
  const sc = r.faults.scripted;
  const rules = sc.rules.length === 0
    ? '<p>No fault rules: only the policies above.</p>'
    : `<table class="rules"><tr><th>rule</th><th>when</th><th>do</th><th>connection</th><th>after</th><th>times</th><th>toxicity</th><th>note</th></tr>${sc.rules.map((x) => `<tr>${num(x.rule)}${cell(x.when)}${cell(x.actions.join('; '))}${cell(x.connection)}${cell(`${x.after} s`)}${num(x.times)}${num(x.toxicity)}${cell(x.note)}</tr>`).join('')}</table>`;
  const happened = r.faults.happened.length === 0
    ? '<p>Nothing.</p>'
    : `<table class="happened"><tr><th>at</th><th>kind</th><th>conn</th><th>what</th></tr>${r.faults.happened.map((h) => `<tr data-kind="${h.kind}">${tcell(h.t)}${cell(h.kind)}${cell(h.conn)}${cell(h.label)}</tr>`).join('')}</table>`;
  return `<section><h2>Faults</h2><h3>As scripted</h3><dl><dt>Expiry</dt><dd>${esc(sc.expiry.summary)}</dd><dt>Handles</dt><dd>${esc(sc.handles)}</dd><dt>Rejected handle</dt><dd>${esc(sc.validation)}</dd><dt>Resume</dt><dd>${esc(sc.resume)}</dd></dl>${rules}<h3>As it happened</h3>${happened}</section>`;
}

function wireTable(r: ScenarioReport): string {
  const rows = r.wire.map((f) => `<tr class="${f.dir}${f.dropped ? ' dropped' : ''}">${num(f.n)}${tcell(f.t)}${num(f.conn)}<td class="dir">${f.dir === 'in' ? 'C → S' : 'S → C'}</td>${cell(f.type)}${num(f.bytes)}<td class="text mono">${esc(f.binary ? `‹${f.bytes} binary bytes›` : (f.text ?? ''))}${f.problem ? ` <b>(${esc(f.problem)})</b>` : ''}</td></tr>`);
  return `<section><h2>Wire log</h2><p>${r.wire.length} frames, both ways, protocol time; handles and tokens appear as fingerprints.</p><table class="wire"><tr><th>#</th><th>at</th><th>conn</th><th>dir</th><th>type</th><th>bytes</th><th>frame</th></tr>${rows.join('\n')}</table></section>`;
}

/** With --server: the server under test's own axes, its probes and its output (docs/server-contract.md §3). */
function serverSection(r: ScenarioReport): string {
  const server = r.server;
  if (!server) return '';
  const rows = SERVER_AXES.map((a) => `<tr data-server-axis="${a}"><td>${a}</td><td>${badge(server.axes[a].verdict)}</td><td>${esc(server.axes[a].reason)}</td></tr>`).join('\n');
  const probes = server.probes.map((p) => `<li data-probe="${esc(p.probe)}">${esc(p.probe)}: ${p.exercised ? 'exercised' : 'not exercised'} — ${esc(p.note)}</li>`).join('');
  return `<section id="server-section"><h2>The server under test: ${esc(server.id)} ${badge(server.verdict)}</h2>
<p class="meta">${esc(server.reason)} · share token ${esc(server.shareToken)} · ${server.wire.length} events on the client side of its wire</p>
<table class="axes-table"><tr><th>Server axis</th><th>Verdict</th><th>Reason</th></tr>
${rows}
</table>${probes ? `<ul class="probes">${probes}</ul>` : ''}
<details><summary>Server output: ${server.stdout.length + server.stderr.length} lines (redacted)</summary><pre>${esc([...server.stdout, ...server.stderr.map((l) => `[stderr] ${l}`)].join('\n'))}</pre></details></section>`;
}
