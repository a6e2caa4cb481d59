/**
 * Markdown for a person and for GitHub's step summary: the verdict counts, the matrix, and
 * for each failed scenario the reason in one sentence and a Mermaid sequence diagram of what
 * happened. The writer appends the same text to $GITHUB_STEP_SUMMARY.
 */
import { SERVER_AXES } from '../../judge/server-section.ts';
import { AXES, VERDICTS, type Verdict } from '../../judge/verdict.ts';
import { mdCell } from '../render/escape.ts';
import { mermaidSequence } from '../render/mermaid-sequence.ts';
import { countVerdicts, oneSentenceReason, VERDICT_STYLE } from '../render/verdicts.ts';
import type { OutputFile, ReportEntry, Reporter, RunContext } from './reporter.ts';

/** GitHub caps a step summary at 1 MiB: past this many failures, the rest get a line each. */
export const MAX_DIAGRAMS = 15;

const tag = (v: Verdict): string => `${VERDICT_STYLE[v].icon} ${v}`;

export function summaryMarkdown(entries: readonly ReportEntry[], run: RunContext): string {
  const suts = [...new Set(entries.map((e) => e.report.sut.id))];
  const scenarios = [...new Map(entries.map((e) => [e.report.scenario, e.report])).values()];
  const byKey = new Map(entries.map((e) => [`${e.report.sut.id}\u0000${e.report.scenario}`, e]));
  const counts = countVerdicts(entries.map((e) => e.report));
  const failures = entries.filter((e) => !e.report.verdict.passed);
  const out: string[] = [];

  out.push(`## resume-harness: ${failures.length === 0 ? `✅ all ${entries.length} passed` : `❌ ${failures.length} of ${entries.length} failed`}`, '');
  out.push(`Seed **${run.seed}** · ${run.mode}${run.mode === 'network' ? ` ×${run.timeScale}` : ''} · ${run.strict ? 'strict' : 'not strict'} · run \`${run.runId}\` · replay with \`--seed ${run.seed}\``, '');
  out.push(`| ${VERDICTS.map((v) => tag(v)).join(' | ')} |`, `|${VERDICTS.map(() => '---:').join('|')}|`, `| ${VERDICTS.map((v) => counts[v]).join(' | ')} |`, '');

  out.push('### Verdicts', '');
  out.push(`| Scenario | Group | ${suts.map((s) => `\`${mdCell(s)}\``).join(' | ')} |`, `|---|---|${suts.map(() => '---').join('|')}|`);
  for (const s of scenarios) {
    const cells = suts.map((sut) => {
      const e = byKey.get(`${sut}\u0000${s.scenario}`);
      return e ? tag(e.report.verdict.overall) : '—';
    });
    out.push(`| \`${s.scenario}\` | ${mdCell(s.group)} | ${cells.join(' | ')} |`);
  }
  out.push('');

  if (failures.length > 0) {
    out.push('### Failures', '');
    failures.forEach((e, i) => {
      const r = e.report;
      out.push(`#### ${tag(r.verdict.overall)} \`${r.scenario}\` against \`${mdCell(r.sut.id)}\``, '');
      out.push(`**Why:** ${mdCell(oneSentenceReason(r))}`, '');
      if (i >= MAX_DIAGRAMS) {
        out.push(`Report: \`${e.files.json ?? e.files.html ?? '—'}\``, '');
        return;
      }
      out.push(`Axes: ${AXES.map((a) => `${a} ${tag(r.verdict.axes[a].verdict)}`).join(' · ')}`, '');
      if (r.server) out.push(`Server axes (\`${mdCell(r.server.id)}\`): ${SERVER_AXES.map((a) => `${a} ${tag(r.server!.axes[a].verdict)}`).join(' · ')}`, '');
      out.push('```mermaid', mermaidSequence(r), '```', '');
      const files = [e.files.json, e.files.html].filter((f): f is string => f !== null);
      if (files.length > 0) out.push(`Report: ${files.map((f) => `\`${f}\``).join(', ')}`, '');
    });
  }
  return `${out.join('\n')}\n`;
}

export const markdownReporter: Reporter = {
  format: 'md',
  onRunEnd(entries: readonly ReportEntry[], run: RunContext): OutputFile[] {
    return [{ path: 'summary.md', content: summaryMarkdown(entries, run) }];
  },
};
