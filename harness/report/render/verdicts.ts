/** How verdicts read and look in every format, and the one-sentence reason of a scenario. */
import { AXES, VERDICTS, type Axis, type AxisVerdict, type AxisVerdicts, type Verdict } from '../../judge/verdict.ts';
import { SERVER_AXES, type ServerAxis } from '../../judge/server-section.ts';
import type { ScenarioReport } from '../scenario-report-schema.ts';

/** Colours after Autobahn's report: green pass, yellow allowed-but-not-ideal, red fail. */
export const VERDICT_STYLE: Record<Verdict, { readonly colour: string; readonly text: string; readonly icon: string }> = {
  OK: { colour: '#2e9e44', text: '#ffffff', icon: '✅' },
  'NON-STRICT': { colour: '#e3b505', text: '#1d1d1d', icon: '⚠️' },
  INFORMATIONAL: { colour: '#5b8dd6', text: '#ffffff', icon: 'ℹ️' },
  FAILED: { colour: '#d1342f', text: '#ffffff', icon: '❌' },
  UNKNOWN: { colour: '#7d5ba6', text: '#ffffff', icon: '❓' },
};

/**
 * Causes before symptoms: a client that never reconnected also misses turns, so the turns
 * axis explains a failure only when nothing else does.
 */
const REASON_ORDER: readonly Axis[] = ['expiry', 'reconnect', 'context', 'protocol', 'secrets', 'turns'];

/** The axes that explain a verdict, worst first: FAILED, then UNKNOWN, then NON-STRICT. */
export function blamedAxes(axes: AxisVerdicts): Axis[] {
  const order: Verdict[] = ['FAILED', 'UNKNOWN', 'NON-STRICT'];
  const axisOrder = [...REASON_ORDER, ...AXES.filter((a) => !REASON_ORDER.includes(a))];
  return order.flatMap((v) => axisOrder.filter((a) => axes[a].verdict === v));
}

/** The reason in one sentence: the worst axis's own reason, or why it passed. */
export function axesReason(axes: AxisVerdicts, harnessError: string | null = null, serverAxes?: Readonly<Record<ServerAxis, AxisVerdict>>): string {
  if (harnessError !== null) return `Harness error: ${firstLine(harnessError)}`;
  const axis = blamedAxes(axes)[0];
  // With a server under test, the server is what is judged: its own failing axis is the cause, the conversation's the symptom.
  const serverAxis = serverAxes ? blamedServerAxis(serverAxes) : undefined;
  if (serverAxis !== undefined && (axis === undefined || SEVERITY[serverAxes![serverAxis].verdict] >= SEVERITY[axes[axis].verdict])) return `server ${serverAxis}: ${serverAxes![serverAxis].reason}`;
  if (axis === undefined) return 'Every axis is OK or informational.';
  return `${axis}: ${axes[axis].reason}`;
}

const SEVERITY: Record<Verdict, number> = { INFORMATIONAL: 0, OK: 0, 'NON-STRICT': 1, UNKNOWN: 2, FAILED: 3 };

function blamedServerAxis(axes: Readonly<Record<ServerAxis, AxisVerdict>>): ServerAxis | undefined {
  const order: Verdict[] = ['FAILED', 'UNKNOWN', 'NON-STRICT'];
  return order.flatMap((v) => SERVER_AXES.filter((a) => axes[a].verdict === v))[0];
}

export const oneSentenceReason = (report: ScenarioReport): string => axesReason(report.verdict.axes, report.harnessError, report.server?.axes);

export const firstLine = (text: string): string => text.split('\n')[0] ?? '';

export function emptyCounts(): Record<Verdict, number> {
  return Object.fromEntries(VERDICTS.map((v) => [v, 0])) as Record<Verdict, number>;
}

export function countVerdicts(reports: readonly ScenarioReport[]): Record<Verdict, number> {
  const counts = emptyCounts();
  for (const r of reports) counts[r.verdict.overall] += 1;
  return counts;
}
