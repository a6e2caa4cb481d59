import { describe, expect, it } from 'vitest';
import { buildScenarioReport } from '../build-scenario-report.ts';
import { syntheticRun } from '../testing/synthetic-run.ts';
import { niceStep, svgTimeline } from './svg-timeline.ts';

/** The attributes of every element with the given class, in document order. */
function elements(svg: string, tag: string, cls: string): Array<Record<string, string>> {
  const re = new RegExp(`<${tag} class="${cls}"([^>]*)>`, 'g');
  return [...svg.matchAll(re)].map((m) => Object.fromEntries([...m[1]!.matchAll(/([\w-]+)="([^"]*)"/g)].map((a) => [a[1]!, a[2]!])));
}

describe('svgTimeline', () => {
  const svg = svgTimeline(buildScenarioReport(syntheticRun(), false));

  it('is a standalone SVG with one lane per connection and a lane for refused attempts', () => {
    expect(svg.startsWith('<svg id="timeline"')).toBe(true);
    expect(svg).toContain('xmlns="http://www.w3.org/2000/svg"');
    expect(elements(svg, 'rect', 'connection').map((r) => r['data-conn'])).toEqual(['1', '2']);
    expect(svg).toContain('>refused attempts</text>');
    expect(svg.match(/<g class="refused">/g)).toHaveLength(1);
  });

  it('places bars and shaded fault windows on one time scale', () => {
    // 12 s over the 874 px plot from x=170: 1 ms = 0.07283 px.
    const [c1, c2] = elements(svg, 'rect', 'connection');
    expect(Number(c1!.x)).toBe(170);
    expect(Number(c1!.width)).toBeCloseTo(437, 0);
    expect(Number(c2!.x)).toBeCloseTo(170 + 9000 * (874 / 12_000), 0);
    const windows = [...svg.matchAll(/<g class="fault-window" data-kind="(\w+)"><title>[^<]*<\/title><rect x="([\d.]+)" y="[\d.]+" width="([\d.]+)"/g)].map((m) => [m[1], Number(m[2]), Number(m[3])]);
    expect(windows.map((w) => w[0])).toEqual(['expiry', 'fault', 'outage']);
    expect(windows[0]![1]).toBeCloseTo(170 + 5000 * (874 / 12_000), 0);
    expect(windows[0]![2]).toBeCloseTo(3000 * (874 / 12_000), 0);
    // An instantaneous fault still shows.
    expect(windows[1]![2]).toBe(4);
  });

  it('marks turns as ticks, the presented handle, close codes and session_expiring', () => {
    expect(elements(svg, 'line', 'turn').length).toBe(1);
    expect(elements(svg, 'line', 'turn greeting').length).toBe(2);
    expect(elements(svg, 'line', 'prospect-turn').length).toBe(2);
    expect(svg).toMatch(/<text class="handle"[^>]*><title>presented handle ‹aaaa0002› \(#2 of 2\)<\/title>‹aaaa0002›<\/text>/);
    expect([...svg.matchAll(/<g class="close-code" data-code="(\d+)">/g)].map((m) => m[1])).toEqual(['1006', '1000']);
    expect(svg).toContain('>1006 · server</text>');
    expect(svg).toContain('>1000 · client</text>');
    expect(svg).toContain('<path class="expiring"');
  });

  it('marks the lost turn and the lost context in red', () => {
    const kinds = [...svg.matchAll(/<g class="loss" data-kind="([\w-]+)">/g)].map((m) => m[1]);
    expect(kinds).toEqual(['unanswered', 'context', 'unfinished']);
    expect(svg).toContain('✗ lost: turn 2</text>');
    expect(svg).toContain('✗ lost: turns 2–5</text>');
    expect(svg).toContain('✗ context lost: 1 turns</text>');
  });

  it('escapes text from the run', () => {
    const hostile = svgTimeline(buildScenarioReport(syntheticRun({ journal: syntheticRun().journal.map((e) => (e.kind === 'close' && e.conn === 2 ? { ...e, reason: '<script>alert(1)</script>' } : e)) }), false));
    expect(hostile).not.toContain('<script>');
    expect(hostile).toContain('&lt;script&gt;');
  });

  it('picks axis steps a reader counts in', () => {
    expect(niceStep(1_200)).toBe(2_000);
    expect(niceStep(105_000)).toBe(120_000);
    expect(niceStep(1_000_000)).toBe(1_800_000);
  });
});
