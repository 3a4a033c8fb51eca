/**
 * dependency-cruiser rules for src/: imports point only down the layers of layers.json, and no
 * module is part of an import cycle. Every kind of import counts: static, `import type`, dynamic
 * `import()` and `require()`.
 *
 * Run by test/architecture/layers.integration.test.ts; by hand:
 *   npx depcruise src --config config/architecture/dependency-cruiser.cjs
 */
const { tiers } = require('./layers.json');

const escape = (text) => text.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');

/** The path pattern of a layer: a folder under src/, or a single file directly under src/. */
function layerPath(name) {
  return name.endsWith('.ts') ? `^src/${escape(name)}$` : `^src/${escape(name)}/`;
}

/** One rule per layer: it may not import its peers in the same tier or anything above. */
function layerRules() {
  const rules = [];
  tiers.forEach((tier, index) => {
    for (const name of tier) {
      const notBelow = tiers
        .slice(index)
        .flat()
        .filter((other) => other !== name);
      if (notBelow.length === 0) continue;
      const lower = tiers.slice(0, index).flat();
      rules.push({
        name: `layer-${name}`,
        comment: `src/${name} may import only ${lower.length ? lower.join(', ') : 'itself'} (docs/ARCHITECTURE.md, Layers)`,
        severity: 'error',
        from: { path: layerPath(name) },
        to: { path: notBelow.map(layerPath) },
      });
    }
  });
  return rules;
}

/** @type {import('dependency-cruiser').IConfiguration} */
module.exports = {
  forbidden: [
    ...layerRules(),
    {
      name: 'no-circular',
      comment: 'an import cycle, within a folder or across folders (type-only imports count too)',
      severity: 'error',
      from: { path: '^src/' },
      to: { circular: true },
    },
    {
      name: 'not-to-unresolvable',
      comment: 'an import that does not resolve cannot be checked against the layers',
      severity: 'error',
      from: { path: '^src/' },
      to: { couldNotResolve: true },
    },
  ],
  options: {
    // `import type` is an import: a layer may not even name the types of a layer above it.
    tsPreCompilationDeps: true,
    tsConfig: { fileName: 'tsconfig.json' },
    doNotFollow: { path: 'node_modules' },
    exclude: { path: ['node_modules', '\\.test\\.ts$'] },
    includeOnly: '^src/',
    moduleSystems: ['cjs', 'es6'],
  },
};
