/** A gallery mutant as a system under test: the simulator's adapter (fenced for each run, run-fence.ts) with the mutant's modes. */
import type { Mutant } from '../../simulator/index.ts';
import { simulatorSut } from './builtin-sut.ts';
import type { SystemUnderTest } from './system-under-test.ts';

export function fencedMutantSut(mutant: Mutant, id = `mutant:${mutant.id}`): SystemUnderTest {
  return { ...simulatorSut(id, (options) => mutant.create(options)), modes: mutant.modes ?? ['virtual', 'network'] };
}
