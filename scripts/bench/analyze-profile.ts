/**
 * Summarize a V8 .cpuprofile (from `--profile DIR` or `node --cpu-prof`): the functions with the
 * most self time and the most inclusive time, as file:line function.
 * Usage: jiti scripts/bench/analyze-profile.ts <file.cpuprofile> [topN] [filter-substring]
 */
import fs from 'node:fs';
import path from 'node:path';
import { REPO_ROOT } from './engine';

interface ProfileNode {
  id: number;
  callFrame: { functionName: string; url: string; lineNumber: number };
  hitCount?: number;
  children?: number[];
}
interface CpuProfile {
  nodes: ProfileNode[];
  samples: number[];
  timeDeltas: number[];
  startTime: number;
  endTime: number;
}

export interface HotSpot {
  where: string;
  selfMs: number;
  totalMs: number;
}

function label(node: ProfileNode): string {
  const { functionName, url, lineNumber } = node.callFrame;
  const file = url.startsWith('file://') ? url.slice(7) : url;
  const shown = file.startsWith(REPO_ROOT)
    ? path.relative(REPO_ROOT, file)
    : file.replace(/^.*node_modules\//, 'node_modules/');
  return `${shown || '(native)'}:${lineNumber + 1} ${functionName || '(anonymous)'}`;
}

export function hotSpots(profile: CpuProfile): { spots: HotSpot[]; totalMs: number } {
  const byId = new Map(profile.nodes.map((n) => [n.id, n]));
  const parent = new Map<number, number>();
  for (const n of profile.nodes) for (const c of n.children ?? []) parent.set(c, n.id);
  const selfUs = new Map<number, number>();
  profile.samples.forEach((id, i) => selfUs.set(id, (selfUs.get(id) ?? 0) + (profile.timeDeltas[i] ?? 0)));
  const self = new Map<string, number>();
  const total = new Map<string, number>();
  for (const [id, us] of selfUs) {
    const node = byId.get(id)!;
    self.set(label(node), (self.get(label(node)) ?? 0) + us);
    // Inclusive: credit every distinct function on the stack once.
    const seen = new Set<string>();
    for (let cur: number | undefined = id; cur !== undefined; cur = parent.get(cur)) {
      const l = label(byId.get(cur)!);
      if (seen.has(l)) continue;
      seen.add(l);
      total.set(l, (total.get(l) ?? 0) + us);
    }
  }
  const spots = [...total.keys()].map((where) => ({
    where,
    selfMs: (self.get(where) ?? 0) / 1000,
    totalMs: (total.get(where) ?? 0) / 1000,
  }));
  return { spots, totalMs: (profile.endTime - profile.startTime) / 1000 };
}

/**
 * For samples whose leaf frame matches `leaf`, the nearest engine frame (dist/, outside db/sql.js)
 * on the stack: which engine functions the time in e.g. the SQLite driver is spent for.
 */
export function callersOf(profile: CpuProfile, leaf: string): Array<{ where: string; ms: number }> {
  const byId = new Map(profile.nodes.map((n) => [n.id, n]));
  const parent = new Map<number, number>();
  for (const n of profile.nodes) for (const c of n.children ?? []) parent.set(c, n.id);
  const out = new Map<string, number>();
  profile.samples.forEach((id, i) => {
    if (!label(byId.get(id)!).includes(leaf)) return;
    let where = '(no engine frame)';
    for (let cur = parent.get(id); cur !== undefined; cur = parent.get(cur)) {
      const l = label(byId.get(cur)!);
      if (l.startsWith('dist/') && !l.startsWith('dist/db/sql.js')) {
        where = l;
        break;
      }
    }
    out.set(where, (out.get(where) ?? 0) + (profile.timeDeltas[i] ?? 0) / 1000);
  });
  return [...out].map(([where, ms]) => ({ where, ms })).sort((a, b) => b.ms - a.ms);
}

function main(): void {
  const [file, topArg, filter] = process.argv.slice(2);
  if (!file) throw new Error('usage: analyze-profile.ts <file.cpuprofile> [topN] [filter]');
  const top = Number(topArg ?? 25);
  const profile = JSON.parse(fs.readFileSync(file, 'utf8')) as CpuProfile;
  const { spots, totalMs } = hotSpots(profile);
  process.stdout.write(`\nSQLite driver time by engine caller\n`);
  for (const c of callersOf(profile, 'BetterSqlite3QueryRunner.js').slice(0, top))
    process.stdout.write(`${c.ms.toFixed(0).padStart(8)} ms  ${c.where}\n`);
  process.stdout.write(`\nPostgreSQL driver time by engine caller\n`);
  for (const c of callersOf(profile, 'node_modules/pg').slice(0, 10))
    process.stdout.write(`${c.ms.toFixed(0).padStart(8)} ms  ${c.where}\n`);
  const keep = (s: HotSpot): boolean => !filter || s.where.includes(filter);
  const print = (title: string, key: 'selfMs' | 'totalMs'): void => {
    process.stdout.write(`\n${title} (profile ${Math.round(totalMs)} ms)\n`);
    for (const s of spots
      .filter(keep)
      .sort((a, b) => b[key] - a[key])
      .slice(0, top)) {
      process.stdout.write(
        `${s[key].toFixed(0).padStart(8)} ms  ${((s[key] / totalMs) * 100).toFixed(1).padStart(5)} %  ${s.where}\n`,
      );
    }
  };
  print('self time', 'selfMs');
  print('inclusive time', 'totalMs');
}

if (process.argv[1]?.endsWith('analyze-profile.ts')) main();
