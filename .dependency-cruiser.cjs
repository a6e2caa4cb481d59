/**
 * The house's import rules, checked by dependency-cruiser 17.4.3 (runs on Node >= 20.12)
 * in `npm run lint:deps` and in test/architecture/. Production code only: tests and the
 * `testing/` support folders may reach across areas to set a scene.
 *
 * TypeScript 7 ships no JavaScript compiler API, so the swc parser reads the sources
 * (tsPreCompilationDeps keeps type-only imports in the graph: a type import is still a
 * dependency of the design).
 */
const PRODUCTION = { path: '^(protocol|simulator|mock-server|harness|servers)/', pathNot: '(\\.test\\.ts$|/testing/)' };

// Areas: protocol is shared by both sides and imports none of them; the client side
// (simulator) and the server side (mock-server) never import each other or the harness.
// servers/ holds systems under test (the reference AI-voice server): they speak the
// protocol and nothing else of the project, so they import protocol/ only.
const AREAS = {
  protocol: ['simulator', 'mock-server', 'harness', 'servers', 'scenarios', 'tools'],
  simulator: ['mock-server', 'harness', 'servers', 'scenarios', 'tools'],
  'mock-server': ['simulator', 'harness', 'servers', 'scenarios', 'tools'],
  harness: ['tools'],
  servers: ['simulator', 'mock-server', 'harness', 'scenarios', 'tools', 'test', 'examples'],
};

// The harness as a pipeline, lowest first: a layer imports only itself and the layers
// below it. errors.ts sits under everything. Generators (catalog table, schemas, bench)
// live in tools/, above the pipeline.
const HARNESS_LAYERS = ['scenario', 'sandbox|analysis', 'sut|server', 'judge', 'run', 'report', 'import', 'matrix|explore', 'cli|bin'];

const areaRules = Object.entries(AREAS).map(([area, banned]) => ({
  name: `area-${area}`,
  comment: `${area}/ imports nothing from ${banned.join(', ')}`,
  severity: 'error',
  from: { path: `^${area}/`, pathNot: PRODUCTION.pathNot },
  to: { path: `^(${banned.join('|')})/` },
}));

const layerRules = HARNESS_LAYERS.map((layer, i) => {
  const above = HARNESS_LAYERS.slice(i + 1).join('|');
  return above && {
    name: `harness-layer-${layer.split('|')[0]}`,
    comment: `harness/${layer} sits below ${above}: it must not import them`,
    severity: 'error',
    from: { path: `^harness/(${layer})/`, pathNot: PRODUCTION.pathNot },
    to: { path: `^harness/(${above})/` },
  };
}).filter(Boolean);

module.exports = {
  forbidden: [
    {
      name: 'no-circular',
      comment: 'no import cycle anywhere in production code',
      severity: 'error',
      from: PRODUCTION,
      to: { circular: true, pathNot: PRODUCTION.pathNot },
    },
    ...areaRules,
    ...layerRules,
    {
      name: 'harness-unlayered',
      comment: 'every harness source file belongs to a layer (or is harness/errors.ts or harness/index.ts)',
      severity: 'error',
      from: { path: '^harness/', pathNot: `(^harness/(${HARNESS_LAYERS.join('|')})/|^harness/(errors|index)\\.ts$|${PRODUCTION.pathNot})` },
      to: {},
    },
    {
      name: 'harness-errors-at-the-bottom',
      comment: 'harness/errors.ts is imported by every layer and imports none of them',
      severity: 'error',
      from: { path: '^harness/errors\\.ts$' },
      to: { path: '^harness/[^/]+/' },
    },
  ],
  options: {
    doNotFollow: { path: 'node_modules' },
    exclude: { path: '(^node_modules/|^reports/|^examples/)' },
    parser: 'swc',
    tsPreCompilationDeps: true,
    tsConfig: { fileName: 'tsconfig.json' },
    enhancedResolveOptions: { extensions: ['.ts', '.mjs', '.js', '.json'] },
  },
};
