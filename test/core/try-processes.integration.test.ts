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

  // The pid of the process that ran the try (none such runs: the numbers only have to differ).
  const SUPERVISOR = 4_000_001;

  it('finds only the processes carrying all six variables of the try', async () => {
    const mine = spawnTryProcess(key, 1, SUPERVISOR);
    const otherTry = spawnTryProcess(key, 2, SUPERVISOR);
    const otherMapIndex = spawnTryProcess({ ...key, mapIndex: 0 }, 1, SUPERVISOR);
    // The same ids under another supervisor: another deployment's try on this host.
    const otherSupervisor = spawnTryProcess(key, 1, SUPERVISOR + 1);
    try {
      await eventually(() => expect(processesOfTry(key, 1, SUPERVISOR).map((row) => row.pid)).toEqual([mine.pid]), {
        what: 'the try 1 process to be found',
      });
      expect(processesOfTry(key, 2, SUPERVISOR).map((row) => row.pid)).toEqual([otherTry.pid]);
      expect(processesOfTry({ ...key, mapIndex: 0 }, 1, SUPERVISOR).map((row) => row.pid)).toEqual([otherMapIndex.pid]);
      expect(processesOfTry(key, 1, SUPERVISOR + 1).map((row) => row.pid)).toEqual([otherSupervisor.pid]);
      expect(processesOfTry(key, 3, SUPERVISOR)).toEqual([]);
    } finally {
      await Promise.all([mine, otherTry, otherMapIndex, otherSupervisor].map(killSpawned));
    }
    expect(processesOfTry(key, 1, SUPERVISOR)).toEqual([]);
  });

  it('kills them with what they started, even what cleared its environment', async () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'dagctl-try-env-'));
    const pidFile = path.join(dir, 'child.pid');
    // The child clears its environment (env -i): found only as a member of its parent's tree.
    const bash = spawnTryProcess(
      { ...key, taskId: 'tree' },
      1,
      SUPERVISOR,
      `env -i sleep 600 & echo $! > ${pidFile}; sleep 600 & wait`,
    );
    try {
      const child = await eventually(() => Number(fs.readFileSync(pidFile, 'utf8').trim()) || false, {
        what: 'the child pid',
      });
      // The bash and its second `sleep`, which kept its environment.
      await eventually(() => expect(processesOfTry({ ...key, taskId: 'tree' }, 1, SUPERVISOR)).toHaveLength(2), {
        what: 'both carriers of the environment',
      });
      const killed = killTryProcesses({ ...key, taskId: 'tree' }, 1, SUPERVISOR);
      expect(killed.count).toBe(2);
      await killed.gone();
      expect(isProcessRunning(bash.pid!)).toBe(false);
      expect(isProcessRunning(child)).toBe(false);
    } finally {
      await killSpawned(bash);
      fs.rmSync(dir, { recursive: true, force: true });
    }
  });
});
