/**
 * The import round trip (issue 11, item 2): run the reference simulator against a catalog
 * scenario (virtual time), export the run as a HAR capture, import it, and run the imported
 * scenario with the reference and with every broken client the original exists to catch
 * (scenarios/catchers.json, proven on the original by test/catalog).
 */
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { findMutant } from '../../../simulator/index.ts';
import type { Axis } from '../../judge/verdict.ts';
import { runScenario } from '../../run/run-scenario.ts';
import type { Scenario } from '../../scenario/schema.ts';
import { simulatorSut } from '../../sut/builtin-sut.ts';
import { journalToHar } from '../har-export.ts';
import { importCapture } from '../import-capture.ts';
import { loadImported, runReference } from './capture-run.ts';

export interface Catcher {
  readonly mutant: string;
  readonly axis: Axis;
  readonly mode?: string;
}

export interface RoundTrip {
  readonly id: string;
  readonly referencePassed: boolean;
  readonly referenceVerdicts: string;
  /** Each catcher of the original, and its verdict on that axis against the imported scenario. */
  readonly catchers: Array<{ mutant: string; axis: Axis; verdict: string; /** The grade that counts as catching this mutant (its detectedAs). */ detectedAs: 'FAILED' | 'NON-STRICT' }>;
  readonly imported: Scenario;
}

export async function roundTrip(original: Scenario, catchers: readonly Catcher[], dir: string, seed = 1): Promise<RoundTrip> {
  const run = await runReference(original, seed);
  const har = join(dir, `${original.id}.har`);
  writeFileSync(har, JSON.stringify(journalToHar(run.journal)));
  const out = join(dir, `${original.id}.scenario.json`);
  await importCapture(har, out);
  const imported = loadImported(out);
  const reference = await runReference(imported, seed);
  const results: RoundTrip['catchers'] = [];
  for (const catcher of catchers.filter((c) => (c.mode ?? 'virtual') === 'virtual')) {
    const mutant = findMutant(catcher.mutant);
    if (!mutant) throw new Error(`unknown mutant ${catcher.mutant}`);
    const mutantRun = await runScenario(imported, simulatorSut(`mutant:${catcher.mutant}`, mutant.create), { mode: 'virtual', seed, timeScale: 1 });
    results.push({ mutant: catcher.mutant, axis: catcher.axis, verdict: mutantRun.judgement.axes[catcher.axis].verdict, detectedAs: mutant.detectedAs ?? 'FAILED' });
  }
  return {
    id: original.id,
    // As the catalog's own reference test asks (test/catalog/reference-virtual.test.ts): OK overall.
    referencePassed: reference.judgement.overall === 'OK',
    referenceVerdicts: Object.entries(reference.judgement.axes).map(([axis, v]) => `${axis}:${v.verdict}`).join(' '),
    catchers: results,
    imported,
  };
}

/**
 * A round trip holds when the reference passes the imported scenario and every catcher is caught
 * on its axis as the matrix counts it: FAILED, or the NON-STRICT a mutant whose bug the protocol
 * allows is graded (its detectedAs, judge/judge-rules.ts).
 */
export const holds = (r: RoundTrip): boolean => r.referencePassed && r.catchers.every((c) => c.verdict === 'FAILED' || (c.detectedAs === 'NON-STRICT' && c.verdict === 'NON-STRICT'));
