// tsc compiles only TypeScript: copy the other files dagctl reads at run time (the list in
// src/core/runtime-assets.ts, read here from its compiled copy) from src/ to the same paths in dist/.
const fs = require('node:fs');
const path = require('node:path');

const root = path.join(__dirname, '..');
const { RUNTIME_ASSETS } = require(path.join(root, 'dist', 'core', 'runtime-assets.js'));
for (const relative of Object.values(RUNTIME_ASSETS)) {
  const target = path.join(root, 'dist', relative);
  fs.rmSync(target, { recursive: true, force: true }); // no stale views or files left from an earlier build
  fs.cpSync(path.join(root, 'src', relative), target, { recursive: true });
}
