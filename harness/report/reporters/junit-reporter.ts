/**
 * JUnit XML for CI test tabs. The schema CI systems validate against (Jenkins' junit-10.xsd)
 * has no `<properties>` inside a `<testcase>`, so each scenario × system under test is a
 * `<testsuite>` of one `<testcase>`: the suite's properties carry the seed and the axis
 * verdicts and the file stays valid everywhere.
 *
 * FAILED (and NON-STRICT under --strict) is a `<failure>`; UNKNOWN, a harness error, is an
 * `<error>`: the client did not fail, the harness did.
 */
import { AXES } from '../../judge/verdict.ts';
import type { ScenarioReport } from '../scenario-report-schema.ts';
import { escapeXml as x } from '../render/escape.ts';
import { oneSentenceReason } from '../render/verdicts.ts';
import type { OutputFile, ReportEntry, Reporter, RunContext } from './reporter.ts';

const seconds = (ms: number): string => (Math.max(0, ms) / 1000).toFixed(3);

export function junitXml(entries: readonly ReportEntry[], run: RunContext): string {
  const failures = entries.filter((e) => isFailure(e.report)).length;
  const errors = entries.filter((e) => isError(e.report)).length;
  const wall = entries.reduce((sum, e) => sum + e.report.wall.wallMs, 0);
  const suites = entries.map((e) => suiteXml(e));
  return `<?xml version="1.0" encoding="UTF-8"?>
<testsuites name="${x(`resume-harness · seed ${run.seed} · ${run.mode}`)}" tests="${entries.length}" failures="${failures}" errors="${errors}" time="${seconds(wall)}">
${suites.join('\n')}
</testsuites>
`;
}

const isError = (r: ScenarioReport): boolean => r.verdict.overall === 'UNKNOWN';
const isFailure = (r: ScenarioReport): boolean => !r.verdict.passed && !isError(r);

function suiteXml(entry: ReportEntry): string {
  const r = entry.report;
  const reportPath = entry.files.json ?? entry.files.html;
  const props: Array<[string, string]> = [
    ['seed', String(r.seed)],
    ['scenario.seed', String(r.scenarioSeed)],
    ['mode', r.mode],
    ['strict', String(r.strict)],
    ['sut', r.sut.id],
    ['group', r.group],
    ['severity', r.severity],
    ['verdict', r.verdict.overall],
    ...AXES.map((a): [string, string] => [`axis.${a}`, r.verdict.axes[a].verdict]),
    ['protocol.seconds', seconds(r.durations.protocolMs)],
    ...(reportPath ? [['report', reportPath] as [string, string]] : []),
  ];
  const reason = oneSentenceReason(r);
  const details = [
    ...AXES.map((a) => `${a}: ${r.verdict.axes[a].verdict} — ${r.verdict.axes[a].reason}`),
    ...r.losses.map((l) => `lost at ${(l.t / 1000).toFixed(1)} s: ${l.label}`),
    ...(reportPath ? [`report: ${reportPath}`] : []),
  ].join('\n');
  const message = reportPath ? `${reason} (report: ${reportPath})` : reason;
  const outcome = isError(r)
    ? `<error type="UNKNOWN" message="${x(message)}">${x(`${r.harnessError ?? reason}\n${details}`)}</error>`
    : isFailure(r)
      ? `<failure type="${x(r.verdict.overall)}" message="${x(message)}">${x(details)}</failure>`
      : '';
  const name = `${r.scenario}: ${r.title}`;
  return `<testsuite name="${x(`${r.sut.id} · ${r.scenario}`)}" tests="1" failures="${isFailure(r) ? 1 : 0}" errors="${isError(r) ? 1 : 0}" skipped="0" time="${seconds(r.wall.wallMs)}" package="${x(`resume-harness.${r.sut.id}`)}">
<properties>
${props.map(([n, v]) => `<property name="${x(n)}" value="${x(v)}"/>`).join('\n')}
</properties>
<testcase name="${x(name)}" classname="${x(`resume-harness.${r.sut.id}.${r.group}`)}" time="${seconds(r.wall.wallMs)}">${outcome}<system-out>${x(`${r.verdict.overall}: ${reason}\n${details}`)}</system-out></testcase>
</testsuite>`;
}

export const junitReporter: Reporter = {
  format: 'junit',
  onRunEnd(entries: readonly ReportEntry[], run: RunContext): OutputFile[] {
    return [{ path: 'junit.xml', content: junitXml(entries, run) }];
  },
};
