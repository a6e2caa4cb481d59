import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { AXES } from '../judge/verdict.ts';
import { REPORT_SCHEMA_FILE, scenarioReportJsonSchema, scenarioReportJsonSchemaText } from './scenario-report-schema.ts';

describe('the shipped JSON Schema', () => {
  it('is in sync with the zod schema (regenerate: npm run report-schema)', () => {
    expect(readFileSync(REPORT_SCHEMA_FILE, 'utf8')).toBe(scenarioReportJsonSchemaText());
  });

  it('documents the report: every axis required, extra keys refused, wall-clock values under one key', () => {
    const schema = scenarioReportJsonSchema() as { $schema: string; title: string; required: string[]; additionalProperties: boolean; properties: Record<string, any> };
    expect(schema.$schema).toBe('https://json-schema.org/draft/2020-12/schema');
    expect(schema.title).toBe('resume-harness scenario report');
    expect(schema.additionalProperties).toBe(false);
    expect(schema.required).toEqual(expect.arrayContaining(['scenario', 'seed', 'mode', 'sut', 'verdict', 'faults', 'connections', 'attempts', 'wire', 'durations', 'wall']));
    expect(schema.properties.verdict.properties.axes.required).toEqual([...AXES]);
    expect(schema.properties.wall.description).toMatch(/wall-clock/);
    expect(schema.properties.wire.items.properties.dir.enum).toEqual(['in', 'out']);
  });
});
