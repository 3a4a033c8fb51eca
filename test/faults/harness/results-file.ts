import fs from 'node:fs';
import path from 'node:path';
import type { FaultFigures } from './invariants';

/**
 * Where each scenario appends its JSON line of figures; scripts/faults/write-reliability.ts turns
 * the file into docs/RELIABILITY.md. `npm run test:faults` empties it before the run.
 */
export const FAULT_RESULTS_FILE =
  process.env.DAGCTL_FAULT_RESULTS ?? path.resolve(__dirname, '..', '..', '..', '.fault-results.jsonl');

export function appendFaultResult(figures: FaultFigures): void {
  fs.appendFileSync(FAULT_RESULTS_FILE, `${JSON.stringify(figures)}\n`);
}
