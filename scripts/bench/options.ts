import path from 'node:path';
import os from 'node:os';
import { REPO_ROOT } from './engine';

export interface BenchOptions {
  quick: boolean;
  /** Scenario names to run (all when empty). */
  only: string[];
  executors: Set<'local' | 'bullmq'>;
  /** Folder receiving BENCHMARKS.md and benchmarks.json. */
  outDir: string;
  reps: number | null;
  profileDir: string | null;
  /** Replace only the re-run scenarios' figures in the existing benchmarks.json of outDir. */
  merge: boolean;
}

export const USAGE = `usage: npm run bench -- [--quick] [--only NAME[,NAME…]] [--executor local|bullmq] [--reps N]
                        [--out DIR] [--profile DIR]
  --quick     every scenario at a small size (CI); writes to ${path.join(os.tmpdir(), 'dagctl-bench-quick')}
              unless --out is given
  --only      scenarios: chain40 hop fanout1000 bash-fanout parse1000 big10k idle api baseline-bullmq baseline-db
              baseline-node baseline-log-files baseline-task-process
  --executor  run only this executor's variants
  --reps      repetitions per figure (default 3; 1 in quick mode)
  --out       folder for BENCHMARKS.md and benchmarks.json (default docs/ in full mode)
  --profile   write V8 CPU profiles of the scheduler processes into DIR
  --merge     keep the other scenarios' figures already in DIR/benchmarks.json (re-run one scenario)`;

/** Parse argv (without node and the script); throws a one-line message on a bad argument. */
export function parseBenchArgs(argv: string[]): BenchOptions {
  let quick = false;
  const only: string[] = [];
  let executors: Set<'local' | 'bullmq'> = new Set(['local', 'bullmq']);
  let outDir: string | null = null;
  let reps: number | null = null;
  let profileDir: string | null = null;
  let merge = false;
  const value = (i: number, flag: string): string => {
    const v = argv[i + 1];
    if (v === undefined || v.startsWith('--')) throw new Error(`${flag} needs a value`);
    return v;
  };
  for (let i = 0; i < argv.length; i += 1) {
    const arg = argv[i];
    switch (arg) {
      case '--quick':
        quick = true;
        break;
      case '--merge':
        merge = true;
        break;
      case '--only':
        only.push(
          ...value(i, arg)
            .split(',')
            .map((s) => s.trim())
            .filter(Boolean),
        );
        i += 1;
        break;
      case '--executor': {
        const e = value(i, arg);
        if (e !== 'local' && e !== 'bullmq') throw new Error(`--executor must be local or bullmq, not '${e}'`);
        executors = new Set([e]);
        i += 1;
        break;
      }
      case '--out':
        outDir = path.resolve(value(i, arg));
        i += 1;
        break;
      case '--profile':
        profileDir = path.resolve(value(i, arg));
        i += 1;
        break;
      case '--reps': {
        reps = Number(value(i, arg));
        if (!Number.isInteger(reps) || reps < 1 || reps > 50) throw new Error('--reps must be an integer from 1 to 50');
        i += 1;
        break;
      }
      case '-h':
      case '--help':
        throw new Error(USAGE);
      default:
        throw new Error(`unknown argument '${arg}'\n${USAGE}`);
    }
  }
  return {
    quick,
    only,
    executors,
    reps,
    profileDir,
    merge,
    outDir: outDir ?? (quick ? path.join(os.tmpdir(), 'dagctl-bench-quick') : path.join(REPO_ROOT, 'docs')),
  };
}
