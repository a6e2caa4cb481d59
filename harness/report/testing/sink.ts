/** A write stream that keeps what it is given, as a TTY of some width or as a pipe. */
export function sink(isTTY: boolean, columns = 200): NodeJS.WriteStream & { text: () => string } {
  const chunks: string[] = [];
  return { isTTY, columns, write: (chunk: string) => { chunks.push(chunk); return true; }, text: () => chunks.join('') } as unknown as NodeJS.WriteStream & { text: () => string };
}
