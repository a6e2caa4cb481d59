/**
 * Validates XML against the vendored JUnit XSD with xmllint (Debian: libxml2-utils). Tests
 * skip with this message when the tool is truly missing; CI installs it.
 */
import { spawnSync } from 'node:child_process';
import { fileURLToPath } from 'node:url';

export const JUNIT_XSD = fileURLToPath(new URL('../../../test/vendor/junit.xsd', import.meta.url));

export const xmllintAvailable = (): boolean => spawnSync('xmllint', ['--version'], { encoding: 'utf8' }).status === 0;

export const XMLLINT_MISSING = 'xmllint not found: install it with `apt-get install -y libxml2-utils` to validate junit.xml against test/vendor/junit.xsd';

/** Null when valid, else xmllint's complaint. */
export function validateAgainstXsd(xmlFile: string, xsd: string = JUNIT_XSD): string | null {
  const result = spawnSync('xmllint', ['--noout', '--schema', xsd, xmlFile], { encoding: 'utf8' });
  return result.status === 0 ? null : `${result.stderr}${result.stdout}`.trim();
}
