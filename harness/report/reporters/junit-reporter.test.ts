import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { entryOf, judgementOf, passingRun, runContext, syntheticRun } from '../testing/synthetic-run.ts';
import { validateAgainstXsd, XMLLINT_MISSING, xmllintAvailable } from '../testing/xmllint.ts';
import { junitXml } from './junit-reporter.ts';

const entries = [
  entryOf(syntheticRun()),
  entryOf(passingRun()),
  entryOf(syntheticRun({ scenario: { ...syntheticRun().scenario, id: 'synthetic.crash' }, judgement: { overall: 'UNKNOWN', axes: judgementOf().axes }, harnessError: 'harness error: <boom> & "bang"\u0007' })),
  entryOf(passingRun('synthetic.ok', 'cmd:my client')),
];
const xml = junitXml(entries, runContext());

describe('junitXml', () => {
  it.skipIf(!xmllintAvailable() && !process.env.CI)(`validates against the vendored JUnit XSD${xmllintAvailable() ? '' : ` (skipped: ${XMLLINT_MISSING})`}`, () => {
    const dir = mkdtempSync(join(tmpdir(), 'junit-'));
    writeFileSync(join(dir, 'junit.xml'), xml);
    expect(validateAgainstXsd(join(dir, 'junit.xml'))).toBeNull();
    // The schema really constrains: properties inside a testcase are refused, as junit-10.xsd does.
    writeFileSync(join(dir, 'bad.xml'), '<testsuites><testsuite name="s" tests="1" failures="0" errors="0"><testcase name="t"><properties/></testcase></testsuite></testsuites>');
    expect(validateAgainstXsd(join(dir, 'bad.xml'))).toMatch(/properties/);
  });

  it('counts tests, failures and errors', () => {
    expect(xml).toMatch(/^<\?xml version="1.0" encoding="UTF-8"\?>\n<testsuites name="resume-harness · seed 42 · virtual" tests="4" failures="1" errors="1" time="[\d.]+">/);
    expect(xml.match(/<testcase /g)).toHaveLength(4);
  });

  it('has one testcase per scenario and SUT, with the seed and axis verdicts as properties', () => {
    expect(xml).toContain('<testsuite name="builtin · synthetic.drop" tests="1" failures="1" errors="0"');
    expect(xml).toContain('<testsuite name="cmd:my client · synthetic.ok" tests="1" failures="0" errors="0"');
    const first = xml.slice(xml.indexOf('<testsuite name="builtin · synthetic.drop"'), xml.indexOf('</testsuite>'));
    expect(first).toContain('<property name="seed" value="42"/>');
    expect(first).toContain('<property name="scenario.seed" value="7"/>');
    expect(first).toContain('<property name="axis.reconnect" value="FAILED"/>');
    expect(first).toContain('<property name="axis.context" value="OK"/>');
    expect(first).toContain('<property name="report" value="synthetic.drop.json"/>');
    expect(first).toContain('<testcase name="synthetic.drop: A drop with a turn in flight" classname="resume-harness.builtin.connection-faults"');
  });

  it('fails with the reason in one sentence and the path of the report', () => {
    expect(xml).toContain('<failure type="FAILED" message="reconnect: reconnect reason. (report: synthetic.drop.json)">');
    expect(xml).toMatch(/<failure [^>]*>[^<]*lost at 6\.0 s: turn 2: the prospect message sent at 4\.0 s was never answered/);
    expect(xml).toContain('<property name="report" value="cmd-my-client/synthetic.ok.json"/>');
  });

  it('reports a harness error as an error, escaped, without control characters', () => {
    expect(xml).toContain('<error type="UNKNOWN" message="Harness error: harness error: &lt;boom&gt; &amp; &quot;bang&quot;\uFFFD (report: synthetic.crash.json)">');
    expect(xml).not.toContain('\u0007');
  });
});
