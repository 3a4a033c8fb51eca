#!/usr/bin/env node
// `npm run test:faults -- [jest arguments]`: the fault project, then docs/RELIABILITY.md from the
// figures its scenarios wrote (even when one failed: the table then shows which).
const { spawnSync } = require('node:child_process');
const fs = require('node:fs');
const path = require('node:path');

const root = path.resolve(__dirname, '..', '..');
const results = process.env.DAGCTL_FAULT_RESULTS ?? path.join(root, '.fault-results.jsonl');
fs.rmSync(results, { force: true });
const env = { ...process.env, NODE_ENV: process.env.NODE_ENV ?? 'test', DAGCTL_FAULT_RESULTS: results };
const jest = spawnSync(
  process.execPath,
  [path.join(root, 'scripts', 'test-project.js'), 'fault', '--runInBand', ...process.argv.slice(2)],
  { stdio: 'inherit', env, cwd: root },
);
const writer = spawnSync(
  process.execPath,
  [
    path.join(root, 'node_modules', 'jiti', 'lib', 'jiti-cli.mjs'),
    path.join(root, 'scripts', 'faults', 'write-reliability.ts'),
    results,
  ],
  { stdio: 'inherit', env, cwd: root },
);
process.exit(jest.status || writer.status || 0);
