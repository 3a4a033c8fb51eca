// Runs dependency-cruiser's JS API over <root>/src with config/architecture/dependency-cruiser.cjs
// and prints the rule violations as JSON: [{ rule, from, to, cycle }]. A separate Node process
// because dependency-cruiser is an ES module, which jest's CommonJS sandbox cannot import.
//
//   node test/architecture/cruise.mjs <root>
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { cruise } from 'dependency-cruiser';
import extractDepcruiseOptions from 'dependency-cruiser/config-utl/extract-depcruise-options';
import extractTSConfig from 'dependency-cruiser/config-utl/extract-ts-config';

const repo = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..', '..');
const root = path.resolve(process.argv[2] ?? repo);
process.chdir(root);

const options = await extractDepcruiseOptions(path.join(repo, 'config', 'architecture', 'dependency-cruiser.cjs'));
const tsConfigFile = path.join(root, 'tsconfig.json');
const { output } = await cruise(
  ['src'],
  options,
  { tsConfig: tsConfigFile },
  { tsConfig: extractTSConfig(tsConfigFile) },
);
const violations = output.summary.violations.map((v) => ({
  rule: v.rule.name,
  from: v.from,
  to: v.to,
  ...(v.cycle ? { cycle: v.cycle.map((step) => step.name) } : {}),
}));
process.stdout.write(JSON.stringify({ modules: output.summary.totalCruised, violations }));
