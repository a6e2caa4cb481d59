/**
 * The published types of a `module:` client (types/index.d.ts, what `import type { … } from
 * 'resume-harness'` gives a user) are the harness's own: the config its module runner passes
 * (harness/sut/module-sut.ts) and the result it validates (protocol/sut-result.ts). Checked by
 * the type checker (npm run typecheck: expectTypeOf fails to compile on any difference).
 */
import { describe, expectTypeOf, it, expect } from 'vitest';
import type { ModuleClient, ModuleClientConfig, ModuleClientResult, Mode as PublishedMode, Protocol as PublishedProtocol } from '../../types/index.d.ts';
import type { ModuleSutConfig, ModuleSutFactory } from '../../harness/sut/module-sut.ts';
import type { Mode } from '../../harness/sut/system-under-test.ts';
import { SutResult, type Protocol } from '../../protocol/sut-result.ts';

describe('types/index.d.ts', () => {
  it('ModuleClientConfig is the config the harness passes, field for field', () => {
    expectTypeOf<ModuleClientConfig>().toEqualTypeOf<ModuleSutConfig>();
    expectTypeOf<PublishedMode>().toEqualTypeOf<Mode>();
    expectTypeOf<PublishedProtocol>().toEqualTypeOf<Protocol>();
    expectTypeOf<ModuleClient>().toExtend<ModuleSutFactory>();
  });

  it('ModuleClientResult is what the harness accepts as a result (SutResult), both ways', () => {
    expectTypeOf<ModuleClientResult>().toExtend<SutResult>();
    expectTypeOf<SutResult>().toExtend<ModuleClientResult>();
    const result: ModuleClientResult = { status: 'completed', turns: 3, reconnects: 1, contextLost: false, note: 'extra keys are allowed' };
    expect(SutResult.safeParse(result).success).toBe(true);
  });
});
