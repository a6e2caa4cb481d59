import { describe, expect, it } from 'vitest';
import { relativeLink, sanitizeSutId, SutFolders } from './report-paths.ts';

describe('report paths', () => {
  it('turns SUT ids into safe folder names', () => {
    expect(sanitizeSutId('module:./clients/my client.ts')).toBe('module-clients-my-client.ts');
    expect(sanitizeSutId('cmd:node x.js --flag=1')).toBe('cmd-node-x.js-flag-1');
    expect(sanitizeSutId('../..')).toMatch(/^sut-[0-9a-f]{8}$/);
  });

  it('keeps the builtin client at the top and gives every other SUT its own folder', () => {
    const folders = new SutFolders();
    expect(folders.fileOf('builtin', 'goaway', 'json')).toBe('goaway.json');
    expect(folders.fileOf('cmd:a b', 'goaway', 'html')).toBe('cmd-a-b/goaway.html');
    // Sanitises like the one before: a folder of its own all the same.
    expect(folders.fileOf('cmd:a-b', 'goaway', 'json')).toMatch(/^cmd-a-b-[0-9a-f]{8}\/goaway\.json$/);
    expect(folders.fileOf('cmd:a b', 'flapping', 'json')).toBe('cmd-a-b/flapping.json');
  });

  it('links relative to the linking file', () => {
    expect(relativeLink('goaway.html', 'index.html')).toBe('index.html');
    expect(relativeLink('broken/goaway.html', 'index.html')).toBe('../index.html');
    expect(relativeLink('broken/goaway.html', 'broken/goaway.json')).toBe('../broken/goaway.json');
  });
});
