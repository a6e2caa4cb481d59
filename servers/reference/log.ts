/**
 * The server's one exit for log lines: every line passes a redactor that knows every secret
 * the server has met so far (the API key, share and session tokens, every handle), so none
 * is ever printed in full (server-contract.md §2, "Secrets"; protocol/redact.ts).
 */
import { redactUrl, SecretRedactor } from '../../protocol/redact.ts';

export interface Log {
  /** A secret met at run time: redacted from every later line. */
  secret(value: string | undefined | null): void;
  info(line: string): void;
  error(line: string): void;
  /** A URL with its secret-bearing query parameters fingerprinted, and any known secret in it too. */
  url(url: string): string;
}

export function createLog(write: { out: (line: string) => void; err: (line: string) => void }, minSecretLength = 4): Log {
  const redactor = new SecretRedactor(minSecretLength);
  return {
    secret: (value) => redactor.add(value),
    info: (line) => write.out(redactor.redact(line)),
    error: (line) => write.err(redactor.redact(line)),
    url: (url) => redactor.redact(redactUrl(url)),
  };
}

/** A log to the process's stdout and stderr. */
export function processLog(): Log {
  return createLog({
    out: (line) => process.stdout.write(`${line}\n`),
    err: (line) => process.stderr.write(`${line}\n`),
  });
}
