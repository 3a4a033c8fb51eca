#!/usr/bin/env node
// Regenerates test/api/generated/airflow-2.6.3.d.ts (the types of the client the API tests use)
// from Airflow's document with openapi-typescript. `--stdout` prints instead of writing (the
// staleness test compares both).
const { execFileSync } = require('node:child_process');
const fs = require('node:fs');
const path = require('node:path');

const root = path.join(__dirname, '..');
const source = path.join(root, 'src/api/openapi/airflow-2.6.3-openapi-v1.yaml');
const target = path.join(root, 'test/api/generated/airflow-2.6.3.d.ts');
const cli = path.join(root, 'node_modules/openapi-typescript/bin/cli.js');
const types = execFileSync(process.execPath, [cli, source], {
  cwd: root,
  encoding: 'utf8',
  stdio: ['ignore', 'pipe', 'ignore'],
});
if (process.argv.includes('--stdout')) process.stdout.write(types);
else fs.writeFileSync(target, types);
