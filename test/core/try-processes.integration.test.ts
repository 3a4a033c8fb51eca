import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { isProcessRunning } from '../../src/core/process-table';
import { processesOfTry } from '../../src/core/try-processes';
import { killTryProcesses } from '../../src/runner/kill-try-processes';
import { eventually } from '../helpers/eventually';
import { killSpawned, spawnTryProcess } from '../helpers/spawn-try-process';

const onLinux = process.platform === 'linux' ? describe : describe.skip;

/** Tries found by their DAGCTL_CTX_* environment (/proc/PID/environ), as real processes carry it. */
onLinux('the processes of one try, by environment', () => {
  // A run id of this test alone: parallel test workers must not see each other's processes.
  const key = { dagId: 'env_dag', taskId: 'env_task', runId: `env_${process.pid}_${Date.now()}`, mapIndex: -1 };

  it('finds only the processes carrying all five variables of the try', async () => {
    const mine = spawnTryProcess(key, 1);
    const otherTry = spawnTryProcess(key, 2);
    const otherMapIndex = spawnTryProcess({ ...key, mapIndex: 0 }, 1);
    try {
      await eventually(() => expect(processesOfTry(key, 1).map((row) => row.pid)).toEqual([mine.pid]), {
        what: 'the try 1 process to be found',
      });
      expect(processesOfTry(key, 2).map((row) => row.pid)).toEqual([otherTry.pid]);
      expect(processesOfTry({ ...key, mapIndex: 0 }, 1).map((row) => row.pid)).toEqual([otherMapIndex.pid]);
      expect(processesOfTry(key, 3)).toEqual([]);
    } finally {
      await Promise.all([mine, otherTry, otherMapIndex].map(killSpawned));
    }
    expect(processesOfTry(key, 1)).toEqual([]);
  });

  it('kills them with what they started, even what cleared its environment', async () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'dagctl-try-env-'));
    const pidFile = path.join(dir, 'child.pid');
    // The child clears its environment (env -i): found only as a member of its parent's tree.
    const bash = spawnTryProcess({ ...key, taskId: 'tree' }, 1, `env -i sleep 600 & echo $! > ${pidFile}; wait`);
    try {
      const child = await eventually(() => Number(fs.readFileSync(pidFile, 'utf8').trim()) || false, {
        what: 'the child pid',
      });
      expect(processesOfTry({ ...key, taskId: 'tree' }, 1).map((row) => row.pid)).toEqual([bash.pid]);
      const killed = killTryProcesses({ ...key, taskId: 'tree' }, 1);
      expect(killed.count).toBe(1);
      await killed.gone();
      expect(isProcessRunning(bash.pid!)).toBe(false);
      expect(isProcessRunning(child)).toBe(false);
    } finally {
      await killSpawned(bash);
      fs.rmSync(dir, { recursive: true, force: true });
    }
  });
});
