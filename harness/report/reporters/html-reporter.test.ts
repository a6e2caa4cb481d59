import { describe, expect, it } from 'vitest';
import { entryOf, passingRun, runContext, syntheticRun } from '../testing/synthetic-run.ts';
import { htmlReporter } from './html-reporter.ts';

describe('htmlReporter', () => {
  const failed = entryOf(syntheticRun());
  const other = entryOf(passingRun('synthetic.drop', 'cmd:other'));

  it('writes a self-contained page per scenario: no external script, style, image or font', () => {
    const [page] = htmlReporter.onScenario!(failed, runContext());
    expect(page!.path).toBe('synthetic.drop.html');
    const html = page!.content;
    expect(html).not.toMatch(/<(script|link|img|iframe)[^>]+(src|href)=/i);
    expect(html).not.toMatch(/https?:\/\/(?!www\.w3\.org\/2000\/svg)/);
    expect(html).toContain('<svg id="timeline"');
    expect(html).toContain('<p class="reason" id="reason">reconnect: reconnect reason.</p>');
    expect(html).toContain('<a href="index.html">← all scenarios</a> · <a href="synthetic.drop.json">report JSON</a>');
  });

  it('shows the axes, connections, attempts, the comparison, the faults and a numbered wire log', () => {
    const html = htmlReporter.onScenario!(failed, runContext())[0]!.content;
    expect(html.match(/<tr data-axis=/g)).toHaveLength(6);
    expect(html.match(/<tr data-conn=/g)).toHaveLength(2);
    expect(html).toContain('<td>at 6 s</td><td>drop (no close frame); outage: next 1 attempts refused with HTTP 503</td>');
    expect(html.match(/<tr class="(in|out)[^"]*"><td class="num">\d+<\/td>/g)).toHaveLength(5);
    expect(html).toContain('<td class="dir">C → S</td>');
    expect(html).toContain('<li data-kind="unfinished">at 10.0 s: turns 2–5 never happened: 1 of 5 answered</li>');
    expect(html).toContain('<td>reconnects</td><td>1</td><td>2 attempts after the first (0 resumed, 1 rejected)</td><td style="color:#d1342f;font-weight:700">no</td>');
  });

  it('links pages in a SUT folder back up to the index', () => {
    const page = htmlReporter.onScenario!(other, runContext())[0]!;
    expect(page.path).toBe('cmd-other/synthetic.drop.html');
    expect(page.content).toContain('<a href="../index.html">← all scenarios</a> · <a href="../cmd-other/synthetic.drop.json">report JSON</a>');
  });

  it('draws the index matrix with filters by verdict and group, linking every cell', () => {
    const [index] = htmlReporter.onRunEnd([failed, other], runContext());
    const html = index!.content;
    expect(index!.path).toBe('index.html');
    expect(html).toContain('<th>builtin</th><th>cmd:other</th>');
    expect(html).toContain('<tr data-scenario="synthetic.drop" data-group="connection-faults" data-verdicts="FAILED OK">');
    expect(html).toContain('<a href="synthetic.drop.html">FAILED</a>');
    expect(html).toContain('<a href="cmd-other/synthetic.drop.html">OK</a>');
    expect(html.match(/<input type="checkbox" name="verdict"/g)).toHaveLength(5);
    expect(html).toContain('<option value="connection-faults">connection-faults</option>');
    expect(html).toContain('<h1>resume-harness — 1 of 2 failed</h1>');
  });
});
