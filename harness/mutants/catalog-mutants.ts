/**
 * Mutants added for catalog scenarios that no trap mutant of the gallery catches. Same form
 * as the gallery: the reference simulator with exactly one bug.
 */
import type { Mutant } from './gallery.ts';

export const CATALOG_MUTANTS: readonly Mutant[] = [];
