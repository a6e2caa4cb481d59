/**
 * The published rule table (docs/judge-rules.md) is the judge: generated from judge-rules.ts,
 * every rule used by an axis, every breach graded through the table, every clause a real section.
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { JUDGE_RULES_DOC, withCurrentTable } from '../../tools/write-judge-rules.ts';
import { JUDGE_RULES, breach, ruleOf, type JudgeRule } from './judge-rules.ts';

const root = fileURLToPath(new URL('../..', import.meta.url));
const read = (path: string) => readFileSync(join(root, path), 'utf8');
const AXIS_FILES = ['context-axis.ts', 'turns-axis.ts', 'reconnect-axis.ts', 'expiry-axis.ts', 'hygiene-axes.ts'].map((f) => `harness/judge/${f}`);
const rules: readonly JudgeRule[] = JUDGE_RULES;

describe('docs/judge-rules.md', () => {
  it('holds the table the code grades by (npx tsx tools/write-judge-rules.ts rewrites it)', () => {
    const doc = readFileSync(JUDGE_RULES_DOC, 'utf8');
    expect(doc).toBe(withCurrentTable(doc));
    for (const r of rules) expect(doc).toContain(`| \`${r.id}\` | ${r.clause} | ${r.grade} |`);
  });
});

describe('the rules', () => {
  it('have unique ids named after their axis', () => {
    expect(new Set(rules.map((r) => r.id)).size).toBe(rules.length);
    for (const r of rules) expect(r.id.startsWith(`${r.axis}.`), r.id).toBe(true);
  });

  it('grade a breach as the table says', () => {
    for (const r of rules) expect(breach(r.id as Parameters<typeof breach>[0], 'x')).toEqual({ verdict: r.grade, reason: 'x' });
    expect(ruleOf('reconnect.accept-then-close-repeated').grade).toBe('NON-STRICT');
    expect(ruleOf('reconnect.handle-past-budget').grade).toBe('FAILED');
  });

  it('each name a clause that exists: a section of the protocol, of the SUT contract, or a field failure', () => {
    const protocolSections = new Set([...read('docs/ai-voice-protocol.md').matchAll(/^## (\d+)\./gm)].map((m) => m[1]));
    const ruleNumbers = [...read('docs/ai-voice-protocol.md').matchAll(/^(\d+)\. \*\*/gm)].map((m) => m[1]);
    const sutSections = new Set([...read('docs/sut-contract.md').matchAll(/^## (\d+)\./gm)].map((m) => m[1]));
    const geminiSections = new Set([...read('docs/gemini-live.md').matchAll(/^### (\d+\.\d+) /gm)].map((m) => m[1]));
    const fieldFailures = new Set([...read('docs/field-failures.md').matchAll(/^### (F\d+) /gm)].map((m) => m[1]));
    for (const r of rules) {
      const parts = r.clause.split(';').map((p) => p.trim());
      for (const part of parts) {
        const refs = [...part.matchAll(/§(\d+)(?:\.(\d+))?/g)];
        if (part.startsWith('spec')) {
          expect(refs.length, `${r.id}: ${part}`).toBeGreaterThan(0);
          for (const [, section, sub] of refs) {
            expect(protocolSections.has(section!), `${r.id}: spec §${section}`).toBe(true);
            if (sub !== undefined && section === '6') expect(ruleNumbers, `${r.id}: spec §6.${sub}`).toContain(sub);
          }
        } else if (part.startsWith('sut-contract')) {
          for (const [, section] of refs) expect(sutSections.has(section!), `${r.id}: ${part}`).toBe(true);
        } else if (part.startsWith('gemini-live')) {
          expect(refs.length, `${r.id}: ${part}`).toBeGreaterThan(0);
          for (const [, section, sub] of refs) expect(geminiSections.has(`${section}.${sub}`), `${r.id}: ${part}`).toBe(true);
        } else {
          expect(fieldFailures.has(part), `${r.id}: ${part}`).toBe(true);
        }
      }
    }
  });

  it('NON-STRICT rules say why the protocol allows it; FAILED rules cite a MUST of the protocol or the result contract', () => {
    for (const r of rules) {
      if (r.grade === 'NON-STRICT') expect(r.why, r.id).toMatch(/\S/);
      else expect(r.clause, r.id).toMatch(/^(spec|sut-contract) §/);
    }
  });
});

describe('the client axes', () => {
  const sources = AXIS_FILES.map((f) => ({ file: f, text: read(f) }));

  it('grade every breach through the table: no FAILED or NON-STRICT written at a call site', () => {
    for (const { file, text } of sources) expect(text, file).not.toMatch(/\b(failed|nonStrict)\(/);
  });

  it('use every rule of the table, and no rule outside it', () => {
    const used = new Set(sources.flatMap(({ text }) => [...text.matchAll(/(?:breach\(|rule: )'([a-z-]+\.[a-z0-9-]+)'/g)].map((m) => m[1]!)));
    expect([...used].sort()).toEqual(rules.map((r) => r.id).sort());
  });
});
