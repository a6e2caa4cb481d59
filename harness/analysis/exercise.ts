/**
 * What must happen in a run for its verdict to mean something (issue 12: "a fault that did not
 * happen is never a pass"). Derived from the scenario's server script, so 77 scenarios need no
 * hand-written list: an expiry notice reached where the script has a connection lifetime, each
 * scripted fault fired, a handle rejected where the server rejects every handle. A scenario
 * waives a derived requirement only by name and with a reason (`exercise.waive` in its file).
 */
import type { FaultRule, Trigger } from '../../mock-server/index.ts';
import type { Scenario } from '../scenario/schema.ts';
import type { Timeline } from './timeline.ts';

/** The axis whose verdict means nothing when the requirement is not met. */
export type ExercisedAxis = 'expiry' | 'reconnect';

export interface ExerciseRequirement {
  /** Stable id, as `exercise.waive` names it: `expiry-notice`, `handle-rejected`, `fault:<index>`. */
  readonly id: string;
  /** What must happen, in words. */
  readonly what: string;
  readonly axis: ExercisedAxis;
  /** Null when it happened; else why not, from the journal. */
  unmet(timeline: Timeline): string | null;
}

export interface ExerciseCheck {
  /** What the scenario needs to happen, in words, in order. */
  readonly required: readonly string[];
  /** The requirements that did not happen, with why. */
  readonly unmet: readonly { readonly id: string; readonly axis: ExercisedAxis; readonly reason: string }[];
}

const secs = (ms: number): string => `${Math.round(ms / 1000)} s`;

export function exerciseRequirements(scenario: Scenario): ExerciseRequirement[] {
  const server = scenario.server;
  const waived = new Set(scenario.exercise?.waive ?? []);
  const all: ExerciseRequirement[] = [];
  if (server.expiry.enabled) {
    const firstNoticeMs = Math.max(0, server.expiry.lifetime - server.expiry.timeLeft) * 1000;
    all.push({
      id: 'expiry-notice',
      what: `an expiry notice reached (the first at ${secs(firstNoticeMs)} of a connection)`,
      axis: 'expiry',
      unmet: (timeline) => {
        if (timeline.events.some((e) => e.kind === 'expiring')) return null;
        const longest = Math.max(0, ...timeline.segments.map((seg) => (seg.close?.t ?? timeline.end) - seg.openedAt));
        return `the conversation ended at ${secs(timeline.end)} (its longest connection lasted ${secs(longest)}), before the first notice at ${secs(firstNoticeMs)}`;
      },
    });
  }
  if (server.validation.rejectAll) {
    all.push({
      id: 'handle-rejected',
      what: 'a handle presented and rejected',
      axis: 'reconnect',
      unmet: (timeline) => {
        const rejected = timeline.events.some((e) => (e.kind === 'open' && (e.rejectReason !== undefined || e.rejection !== undefined)) || (e.kind === 'upgrade-rejected' && e.handle !== undefined));
        if (rejected) return null;
        const presented = timeline.attempts.filter((a) => a.handle !== null).length;
        return presented === 0 ? `no handle was ever presented (${timeline.attempts.length} connection attempts, the run ended at ${secs(timeline.end)})` : `${presented} handles were presented and none was rejected`;
      },
    });
  }
  server.faults.forEach((rule, index) => {
    // A fault left to chance, or kept for a fallback session a conformant client need not open, is not required.
    if (rule.toxicity < 1 || (rule.conversation ?? 1) > 1) return;
    all.push({
      id: `fault:${index}`,
      what: `fault ${index}${rule.note ? ` (${rule.note})` : ''} fired: ${triggerText(rule.when)}`,
      axis: actionsOf(rule).some((a) => 'expire' in a) ? 'expiry' : 'reconnect',
      unmet: (timeline) => {
        if (!timeline.events.some((e) => e.kind === 'fault' && e.rule === index)) return whyNotFired(rule, index, timeline);
        // An idle timeout fires when it is armed; what matters is a connection reaped by it.
        const idle = actionsOf(rule).find((a) => 'idleTimeout' in a);
        if (idle && 'idleTimeout' in idle && !timeline.segments.some((seg) => seg.close?.cause === 'fault: idle timeout')) {
          return `it was armed, but no connection was idle for ${idle.idleTimeout.after} s before the run ended at ${secs(timeline.end)}`;
        }
        return null;
      },
    });
  });
  return all.filter((r) => !waived.has(r.id));
}

export function checkExercise(scenario: Scenario, timeline: Timeline): ExerciseCheck {
  const requirements = exerciseRequirements(scenario);
  const unmet = requirements.flatMap((r) => {
    const reason = r.unmet(timeline);
    return reason === null ? [] : [{ id: r.id, axis: r.axis, reason: `${r.what.replace(/ fired: .*$/, '')} never happened: ${reason}` }];
  });
  return { required: requirements.map((r) => r.what), unmet };
}

const actionsOf = (rule: FaultRule) => (Array.isArray(rule.do) ? rule.do : [rule.do]);

function triggerText(when: Trigger): string {
  if ('at' in when) return `at ${when.at} s`;
  if ('turn' in when) return `at turn ${when.turn} (${when.phase})`;
  if ('connection' in when) return `when connection ${when.connection} opens`;
  if ('event' in when) return `after ${when.nth ? `the ${when.nth}th ` : 'a '}${when.event} event`;
  return `every ${when.every} s from ${when.start} s`;
}

function whyNotFired(rule: FaultRule, index: number, timeline: Timeline): string {
  const when = rule.when;
  const end = `the run ended at ${secs(timeline.end)}`;
  if ('turn' in when) {
    const reached = Math.max(0, ...timeline.events.filter((e) => e.kind === 'agent-turn').map((e) => (e as { turn: number }).turn));
    return `${end} after agent turn ${reached}, before turn ${when.turn}`;
  }
  if ('at' in when) return `${end}, before the fault's time of ${when.at} s`;
  if ('every' in when) return `${end}, before the first firing at ${when.start + when.every} s${when.jitter > 0 ? ` ± ${when.jitter} s` : ''} (every ${when.every} s from ${when.start} s on)`;
  if ('connection' in when) {
    const most = Math.max(0, ...timeline.segments.map((s) => s.ordinal));
    return `only ${most} connection${most === 1 ? '' : 's'} opened, the fault waits for connection ${when.connection}`;
  }
  if (rule.connection !== undefined) return `${end} with no ${when.event} event on connection ${rule.connection}`;
  return `${end} with no ${when.event} event${when.nth ? ` (the ${when.nth}th)` : ''} for fault ${index}`;
}
