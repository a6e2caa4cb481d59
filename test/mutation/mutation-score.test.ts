/** tools/mutation-score.ts: the score of issue 15 keeps timeouts and equivalents where they belong. */
import { describe, expect, it } from 'vitest';
import { mutantKey, MUTATION_RUNS, parseTriage, rewriteTriage, scoreFiles, scoreOf, type MutationReport, type ReportMutant } from '../../tools/mutation-score.ts';

const at = (line: number, status: string, extra: Partial<ReportMutant> = {}): ReportMutant => ({ mutatorName: 'ConditionalExpression', replacement: 'false', location: { start: { line, column: 7 } }, status, ...extra });

const report: MutationReport = {
  files: {
    'simulator/core/a.ts': {
      mutants: [
        at(1, 'Killed', { statusReason: 'expected FAILED to be OK' }),
        at(2, 'Killed', { statusReason: 'client hung: no result after 300 s of real time (real work that never ended?)' }),
        at(3, 'Timeout'),
        at(4, 'Survived'),
        at(5, 'Survived', { mutatorName: 'LogicalOperator', replacement: 'a || b' }),
        at(6, 'Ignored'),
        at(8, 'Survived', { mutatorName: 'ArithmeticOperator', replacement: 'a - b' }),
        at(7, 'NoCoverage'),
      ],
    },
  },
};

describe('the mutation score', () => {
  it('is killed / (all − equivalent): timeouts and real-time hangs are never kills, ignored mutants are not counted', () => {
    const triage = parseTriage(
      [
        '| location | mutator | replacement | triage | why |',
        '|---|---|---|---|---|',
        '| `simulator/core/a.ts:4:7` | ConditionalExpression | `false` | equivalent | the log only |',
        '| `simulator/core/a.ts:5:7` | LogicalOperator | `a \\|\\| b` | hole | F3 |',
        '| `simulator/core/a.ts:8:7` | ArithmeticOperator | `a - b` | allowed | §6.4 MAY |',
        '| `simulator/core/a.ts:9:7` | ConditionalExpression | `false` | equivalent | gone |',
      ].join('\n'),
    );
    const s = scoreOf(report, triage);
    expect([s.all, s.killed, s.timeouts, s.survived, s.noCoverage, s.ignored, s.equivalent, s.allowed]).toEqual([7, 1, 2, 3, 1, 1, 1, 1]);
    expect(s.score).toBeCloseTo(100 / 6);
    expect(s.scoreWithoutAllowed).toBeCloseTo(100 / 5);
    expect(s.byTriage).toEqual({ equivalent: 1, allowed: 1, hole: 1, bug: 0, untriaged: 1 });
    expect(s.untriaged).toEqual([mutantKey('simulator/core/a.ts', at(7, 'NoCoverage'))]);
    expect(s.stale).toEqual(['simulator/core/a.ts:9:7 ConditionalExpression false']);
  });

  it('gives each of two survivors that share a key (same start, mutator and replacement, different spans) its own row, in order', () => {
    const twin = (column: number): ReportMutant => ({ mutatorName: 'ConditionalExpression', replacement: 'true', location: { start: { line: 74, column } }, status: 'Survived' });
    const twins: MutationReport = { files: { 'simulator/core/t.ts': { mutants: [twin(9), twin(9)] } } };
    const rows = (...triages: string[]) => parseTriage(triages.map((t) => `| \`simulator/core/t.ts:74:9\` | ConditionalExpression | \`true\` | ${t} | why |`).join('\n'));
    expect(scoreOf(twins, rows('allowed', 'equivalent')).byTriage).toMatchObject({ allowed: 1, equivalent: 1, untriaged: 0 });
    const short = scoreOf(twins, rows('equivalent'));
    expect(short.byTriage).toMatchObject({ equivalent: 1, untriaged: 1 });
    expect(scoreOf(twins, rows('equivalent', 'equivalent', 'hole')).stale).toEqual(['simulator/core/t.ts:74:9 ConditionalExpression true']);
  });

  it('names the line of a triage row it cannot read', () => {
    expect(() => parseTriage('intro\n| simulator/core/a.ts:1:1 | X | y | maybe | z |')).toThrow(/line 2: triage "maybe"/);
    expect(() => parseTriage('| simulator/core/a.ts:1:1 | X |')).toThrow(/line 1: a triage row needs 5 cells/);
  });

  it('scores the Gemini client\'s run against its own triage: rows under simulator/gemini/ are read like the others', () => {
    const gemini: MutationReport = { files: { 'simulator/gemini/gemini-prospect.ts': { mutants: [at(10, 'Killed'), at(11, 'Survived'), at(12, 'Survived', { mutatorName: 'EqualityOperator', replacement: 'code !== 1007' })] } } };
    const triage = parseTriage(
      [
        '| `simulator/gemini/gemini-prospect.ts:11:7` | ConditionalExpression | `false` | equivalent | never reached |',
        '| `simulator/gemini/gemini-prospect.ts:12:7` | EqualityOperator | `code !== 1007` | hole | §1.6 |',
      ].join('\n'),
      'docs/mutation-triage-gemini.md',
    );
    const s = scoreOf(gemini, triage);
    expect([s.all, s.killed, s.equivalent, s.allowed, s.untriaged.length, s.stale.length]).toEqual([3, 1, 1, 0, 0, 0]);
    expect(s.score).toBeCloseTo(50);
    expect(s.byTriage.hole).toBe(1);
  });

  it('picks the run\'s report and triage: the AI-voice run by default, --run gemini for the Gemini client, files named on the line first', () => {
    expect(scoreFiles([])).toEqual(MUTATION_RUNS['ai-voice']);
    expect(scoreFiles(['r.json', 't.md'])).toEqual({ report: 'r.json', triage: 't.md' });
    expect(scoreFiles(['--run', 'gemini'])).toEqual({ report: 'reports/mutation-gemini/mutation.json', triage: 'docs/mutation-triage-gemini.md' });
    expect(scoreFiles(['--run', 'gemini', 'r.json'])).toEqual({ report: 'r.json', triage: 'docs/mutation-triage-gemini.md' });
    expect(() => scoreFiles(['--run', 'openai'])).toThrow(/--run needs one of ai-voice, gemini, got openai/);
    expect(() => scoreFiles(['--run'])).toThrow(/got nothing/);
  });

  it('--rewrite rebuilds the table for a new report: rows of survivors kept in report order, stale rows dropped, new survivors untriaged', () => {
    const before = [
      '# triage',
      '| location | mutator | replacement | triage | why |',
      '|---|---|---|---|---|',
      '| `simulator/core/a.ts:8:7` | ArithmeticOperator | `a - b` | allowed | §6.4 MAY |',
      '| `simulator/core/a.ts:4:7` | ConditionalExpression | `false` | equivalent | the log only |',
      '| `simulator/core/a.ts:9:7` | ConditionalExpression | `false` | equivalent | gone |',
      '',
      '## after',
    ].join('\n');
    const after = rewriteTriage(before, report);
    expect(after.split('\n')).toEqual([
      '# triage',
      '| location | mutator | replacement | triage | why |',
      '|---|---|---|---|---|',
      '| `simulator/core/a.ts:4:7` | ConditionalExpression | `false` | equivalent | the log only |',
      '| `simulator/core/a.ts:5:7` | LogicalOperator | `a \\|\\| b` | untriaged |  |',
      '| `simulator/core/a.ts:8:7` | ArithmeticOperator | `a - b` | allowed | §6.4 MAY |',
      '| `simulator/core/a.ts:7:7` | ConditionalExpression | `false` | untriaged |  |',
      '',
      '## after',
    ]);
    const s2 = scoreOf(report, parseTriage(after));
    expect(s2.stale).toEqual([]);
    expect(s2.byTriage).toEqual({ equivalent: 1, allowed: 1, hole: 0, bug: 0, untriaged: 2 });
  });
});
