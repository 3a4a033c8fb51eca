import { execFileSync } from 'node:child_process';
import path from 'node:path';

export const REPO = path.resolve(__dirname, '..', '..');

export interface Violation {
  rule: string;
  from: string;
  to: string;
  cycle?: string[];
}

/** dependency-cruiser over `<root>/src` with the project's rules (see cruise.mjs). */
export function cruiseSrc(root: string): { modules: number; violations: Violation[] } {
  const out = execFileSync(process.execPath, [path.join(__dirname, 'cruise.mjs'), root], {
    cwd: REPO,
    encoding: 'utf8',
  });
  return JSON.parse(out) as { modules: number; violations: Violation[] };
}

/** One line per violation, e.g. "layer-core: src/core/a.ts → src/cli/b.ts". */
export function describeViolation(v: Violation): string {
  return v.cycle ? `${v.rule}: ${v.from} → ${v.cycle.join(' → ')}` : `${v.rule}: ${v.from} → ${v.to}`;
}
