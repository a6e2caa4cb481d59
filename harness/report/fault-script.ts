/**
 * The fault timeline as scripted: the scenario's server script in words, so a reader sees
 * what was meant to happen next to what happened (Jepsen's nemesis schedule as data).
 */
import type { Action, FaultRule, ServerScript, Toxic, Trigger } from '../../mock-server/index.ts';
import type { ScriptedFaults } from './scenario-report-schema.ts';

export function scriptedFaults(script: ServerScript): ScriptedFaults {
  const e = script.expiry;
  const closeAfter = e.closeAfter ?? e.timeLeft;
  const ending = e.dropAtDeadline ? 'drops the connection (1006, no close frame)' : `closes with ${e.closeCode}${e.closeReason ? ` "${e.closeReason}"` : ''}`;
  const summary = e.enabled
    ? `Every connection lives ${e.lifetime} s: session_expiring (timeLeft ${e.timeLeft} s) at ${e.lifetime - e.timeLeft} s, then the server ${ending} ${closeAfter} s after the notice${e.silentAfterNotice ? ', silent in between' : ''}.`
    : 'No scripted connection lifetime: expiry only through faults.';
  return {
    expiry: {
      enabled: e.enabled,
      lifetimeS: e.lifetime,
      timeLeftS: e.timeLeft,
      closeAfterS: closeAfter,
      closeCode: e.closeCode,
      closeReason: e.closeReason,
      dropAtDeadline: e.dropAtDeadline,
      silentAfterNotice: e.silentAfterNotice,
      summary,
    },
    handles: handlesText(script.handles),
    validation: validationText(script.validation),
    resume: resumeText(script.resume),
    // Script versions without standing toxics read as none.
    toxics: (script.toxics ?? []).map(toxicText),
    rules: script.faults.map((rule, index) => ({
      rule: index,
      note: rule.note ?? null,
      when: triggerText(rule.when),
      actions: actionsOf(rule).map(actionText),
      connection: rule.connection ?? null,
      after: rule.after,
      times: rule.times,
      toxicity: rule.toxicity,
    })),
  };
}

const actionsOf = (rule: FaultRule): Action[] => (Array.isArray(rule.do) ? rule.do : [rule.do]);

export function triggerText(when: Trigger): string {
  if ('at' in when) return `at ${when.at} s`;
  if ('turn' in when) return `turn ${when.turn}, ${when.phase}`;
  if ('connection' in when) return `when connection ${when.connection} opens`;
  if ('event' in when) return when.nth === undefined ? `on every ${when.event}` : `on ${ordinal(when.nth)} ${when.event}`;
  const jitter = when.jitter > 0 ? ` ±${when.jitter} s` : '';
  return `every ${when.every} s${jitter}, ${when.count} times, from ${when.start} s`;
}

export function actionText(action: Action): string {
  if ('drop' in action) return action.drop.delay > 0 ? `drop after ${action.drop.delay} s` : 'drop (no close frame)';
  if ('close' in action) return `close ${action.close.code}${action.close.reason ? ` "${action.close.reason}"` : ''}${action.close.delay > 0 ? ` after ${action.close.delay} s` : ''}`;
  if ('outage' in action) {
    const o = action.outage;
    return `outage: next ${o.attempts} attempts ${o.status !== undefined ? `refused with HTTP ${o.status}` : `closed with ${o.code}`}`;
  }
  if ('expire' in action) return `session_expiring (timeLeft ${action.expire.timeLeft} s), close ${action.expire.closeCode} after ${action.expire.closeAfter ?? action.expire.timeLeft} s`;
  if ('toxic' in action) return `toxic ${toxicText(action.toxic)}`;
  const [name, value] = Object.entries(action)[0] ?? ['unknown', undefined];
  const detail = value === undefined || (typeof value === 'object' && value !== null && Object.keys(value).length === 0) ? '' : ` ${compact(value)}`;
  return `${name}${detail}`;
}

/** A Toxiproxy toxic as Toxiproxy would list it: type, name, stream, attributes, toxicity. */
export function toxicText(toxic: Toxic): string {
  const t = toxic as Toxic & { name?: string; stream?: string; toxicity?: number };
  const parts = [t.type, t.name ? `"${t.name}"` : '', t.stream ?? '', compact(t.attributes), t.toxicity !== undefined && t.toxicity < 1 ? `toxicity ${t.toxicity}` : ''];
  return parts.filter(Boolean).join(' ');
}

function handlesText(h: ServerScript['handles']): string {
  const parts = [`a handle after every ${h.every === 1 ? '' : `${h.every}th `}agent turn${h.firstAfterTurn > 0 ? ` from turn ${h.firstAfterTurn}` : ''}${h.firstDelay > 0 ? `, none in the first ${h.firstDelay} s` : ''}`];
  if (h.nonResumableWhileGenerating) parts.push('resumable:false while generating');
  if (h.nonResumableAfterTurns.length > 0) parts.push(`resumable:false after turns ${h.nonResumableAfterTurns.join(', ')}`);
  parts.push(`TTL ${h.ttl} s ${h.ttlFromIssue ? 'from issue' : 'from the issuing connection\'s close'}`);
  if (h.onlyNewestValid) parts.push('only the newest handle is valid');
  return `${parts.join('; ')}.`;
}

function validationText(v: ServerScript['validation']): string {
  const how = v.reject === 'silent-fresh'
    ? `opens a fresh session silently${v.silentFresh.greet ? '' : ' and says nothing'}`
    : v.reject === 'close-4003'
      ? 'closes with 4003'
      : v.reject === 'close'
        ? `closes with ${v.rejectClose.code}${v.rejectClose.reason ? ` "${v.rejectClose.reason}"` : ''} right after opening`
        : `accepts${v.acceptThenClose.sendResumed ? ' (session:resumed sent)' : ''} then closes with ${v.acceptThenClose.code} after ${v.acceptThenClose.after} s`;
  const extras = [v.rejectAll ? 'every handle is rejected' : '', v.refuseWhileOldSocketOpen ? 'a resume is refused while the old socket is open' : ''].filter(Boolean);
  return `A rejected handle: the server ${how}${extras.length ? `; ${extras.join('; ')}` : ''}.`;
}

function resumeText(r: ServerScript['resume']): string {
  const confirm = r.confirm === 'immediate' ? 'at once' : r.confirm === 'never' ? 'never' : `after ${r.confirm.after} s`;
  const state = typeof r.state === 'string' ? r.state : `rolled back ${r.state.rollback} turns`;
  return `session:resumed is sent ${confirm}; the restored state is ${state}.`;
}

function ordinal(n: number): string {
  const suffix = n % 100 >= 11 && n % 100 <= 13 ? 'th' : ['th', 'st', 'nd', 'rd'][n % 10] ?? 'th';
  return `${n}${suffix}`;
}

const compact = (value: unknown): string => JSON.stringify(value) ?? '';
