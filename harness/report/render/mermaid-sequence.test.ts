import mermaid from 'mermaid';
import { describe, expect, it } from 'vitest';
import { buildScenarioReport } from '../build-scenario-report.ts';
import { syntheticRun } from '../testing/synthetic-run.ts';
import { clean, mermaidSequence } from './mermaid-sequence.ts';

describe('mermaidSequence', () => {
  const diagram = mermaidSequence(buildScenarioReport(syntheticRun(), false));

  it('parses as a Mermaid sequence diagram', async () => {
    await expect(mermaid.parse(diagram)).resolves.toMatchObject({ diagramType: 'sequence' });
  });

  it('shows each connection opened and closed with its code, the fault, and where turns were lost', () => {
    const lines = diagram.split('\n').map((l) => l.trim());
    expect(lines.slice(0, 3)).toEqual(['sequenceDiagram', 'participant C as Client', 'participant S as Server']);
    expect(lines).toContain('C->>S: connect 1 without a handle at 0.0 s');
    expect(lines).toContain('S->>C: session_expiring, timeLeft 3 s at 5.0 s');
    expect(lines).toContain('Note over S: fault: drop at 6.0 s');
    expect(lines).toContain('S--xC: dropped, no close frame (1006), connection 1 at 6.0 s');
    expect(lines).toContain('S--xC: refused: HTTP 503');
    expect(lines).toContain('S-->>C: open, handle rejected (silent-fresh), context 0 of 1 turns');
    expect(lines).toContain('C-xS: close 1000 "context lost" of connection 2 at 10.0 s');
    expect(lines.filter((l) => l.startsWith('Note over C,S: LOST:'))).toEqual([
      'Note over C,S: LOST: turn 2: the prospect message sent at 4.0 s was never answered (in flight when connection 1 closed)',
      'Note over C,S: LOST: connection 2 started with 0 of 1 turns of context (rejected: silent-fresh)',
      'Note over C,S: LOST: turns 2–5 never happened: 1 of 5 answered',
    ]);
    // The loss is drawn where it happened: after the drop, before the refused attempt.
    expect(lines.indexOf('S--xC: refused: HTTP 503')).toBeGreaterThan(lines.findIndex((l) => l.includes('LOST: turn 2')));
  });

  it('keeps the characters Mermaid would misread out of message text', async () => {
    expect(clean('a; b #1 %% <b>{x}</b>\nnext')).toBe('a, b no. 1 % bx/b next');
    const hostile = buildScenarioReport(syntheticRun({ client: { state: 'missing', reason: 'end; #35; <script>%%{init}%%\nsequenceDiagram' } }), false);
    await expect(mermaid.parse(mermaidSequence(hostile))).resolves.toBeTruthy();
  });

  it('elides the middle of a very long run', () => {
    const journal = syntheticRun().journal.slice(0, 2);
    for (let i = 0; i < 200; i++) journal.push({ kind: 'fault', t: 100 + i, conn: 1, rule: 0, action: 'send' });
    const long = mermaidSequence(buildScenarioReport(syntheticRun({ journal }), false)).split('\n');
    expect(long.length).toBeLessThan(100);
    expect(long.some((l) => /… \d+ more steps …/.test(l))).toBe(true);
  });
});
