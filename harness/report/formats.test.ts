import { describe, expect, it } from 'vitest';
import { ReportFormatError } from '../errors.ts';
import { ALL_FORMATS, parseFormats, REPORTERS_MAP } from './formats.ts';

describe('parseFormats', () => {
  it('reads a comma-separated list; nothing or `all` means every format', () => {
    expect([...parseFormats('json, md')]).toEqual(['json', 'md']);
    expect([...parseFormats(undefined)]).toEqual([...ALL_FORMATS]);
    expect([...parseFormats('all')]).toEqual([...ALL_FORMATS]);
  });

  it('names the unknown formats', () => {
    expect(() => parseFormats('json,pdf,xml')).toThrow(ReportFormatError);
    expect(() => parseFormats('json,pdf')).toThrow('unknown report format "pdf" (known: json, md, junit, html)');
  });
});

describe('the registry', () => {
  it('holds one reporter per format, under its own name, in the order files are written', () => {
    expect(ALL_FORMATS).toEqual(['json', 'md', 'junit', 'html']);
    for (const format of ALL_FORMATS) expect(REPORTERS_MAP[format].format).toBe(format);
  });

  it('refuses a list that names no format', () => {
    expect(() => parseFormats(' , ')).toThrow(ReportFormatError);
  });
});
