import { describe, expect, it } from 'vitest';
import { entryOf, passingRun, runContext, syntheticRun } from '../testing/synthetic-run.ts';
import { MAX_DIAGRAMS, summaryMarkdown } from './markdown-reporter.ts';

describe('summaryMarkdown', () => {
  const md = summaryMarkdown([entryOf(syntheticRun()), entryOf(passingRun()), entryOf(passingRun('synthetic.drop', 'cmd:other'))], runContext());

  it('opens with the outcome, the seed and the counts per verdict', () => {
    const lines = md.split('\n');
    expect(lines[0]).toBe('## resume-harness: ❌ 1 of 3 failed');
    expect(md).toContain('Seed **42** · virtual · not strict · run `run-unit` · replay with `--seed 42`');
    expect(md).toContain('| ✅ OK | ⚠️ NON-STRICT | ℹ️ INFORMATIONAL | ❌ FAILED | ❓ UNKNOWN |\n|---:|---:|---:|---:|---:|\n| 2 | 0 | 0 | 1 | 0 |');
  });

  it('has the matrix: a row per scenario, a column per system under test', () => {
    expect(md).toContain('| Scenario | Group | `builtin` | `cmd:other` |');
    expect(md).toContain('| `synthetic.drop` | connection-faults | ❌ FAILED | ✅ OK |');
    expect(md).toContain('| `synthetic.ok` | connection-faults | ✅ OK | — |');
  });

  it('explains each failure in one sentence with a sequence diagram and the report path', () => {
    const failure = md.slice(md.indexOf('### Failures'));
    expect(failure).toContain('#### ❌ FAILED `synthetic.drop` against `builtin`');
    expect(failure).toContain('**Why:** reconnect: reconnect reason.');
    expect(failure).toContain('```mermaid\nsequenceDiagram\n    participant C as Client\n    participant S as Server\n');
    expect(failure).toContain('Report: `synthetic.drop.json`, `synthetic.drop.html`');
    expect(md.match(/```mermaid/g)).toHaveLength(1);
  });

  it('says so when everything passed', () => {
    expect(summaryMarkdown([entryOf(passingRun())], runContext()).split('\n')[0]).toBe('## resume-harness: ✅ all 1 passed');
  });

  it('stops drawing diagrams past a cap, for GitHub\'s summary size limit', () => {
    const many = Array.from({ length: MAX_DIAGRAMS + 3 }, (_, i) => entryOf(syntheticRun({ scenario: { ...syntheticRun().scenario, id: `synthetic.n${i}` } })));
    const big = summaryMarkdown(many, runContext());
    expect(big.match(/```mermaid/g)).toHaveLength(MAX_DIAGRAMS);
    expect(big.match(/^#### /gm)).toHaveLength(MAX_DIAGRAMS + 3);
  });
});
