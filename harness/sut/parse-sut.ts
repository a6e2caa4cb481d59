/** `--sut` values (sut-contract §1–§3): `builtin`, `module:PATH`, `cmd:COMMAND`. */
import { builtinSut } from './builtin-sut.ts';
import type { SystemUnderTest } from './system-under-test.ts';

export class SutSpecError extends Error {
  readonly code = 'SUT_SPEC_INVALID';
}

export function parseSut(spec: string): SystemUnderTest {
  if (spec === 'builtin') return builtinSut();
  throw new SutSpecError(`unknown --sut "${spec}": expected builtin, module:PATH or cmd:COMMAND`);
}
