/** How big each scenario is, in full mode (the sizes) and in --quick mode (CI). */
export interface Sizes {
  chain: number;
  hopChain: number;
  fanout: number;
  bashFanout: number;
  parseFiles: number;
  tasksPerFile: number;
  /** Edits timed in parse1000 (each is one sample). */
  parseEdits: number;
  big: number;
  idleDags: number;
  idleSeconds: number;
  apiDags: number;
  apiSeconds: number;
  apiConnections: number;
  bullmqJobs: number;
  bullmqRoundTrips: number;
  commitSeconds: number;
  nodeStarts: number;
  /** Per-try log files created by the log-file baseline. */
  logFiles: number;
  /** No-op tries per repetition of the warm task process baseline. */
  taskProcessTries: number;
  /** Commits by another connection the external-change watcher is timed on (wake). */
  wakeCommits: number;
  /** Tasks of the DAGs whose priority weights are computed (weights). */
  weightTasks: number;
  reps: number;
}

export const FULL_SIZES: Sizes = {
  chain: 40,
  hopChain: 200,
  fanout: 1000,
  bashFanout: 500,
  parseFiles: 1000,
  tasksPerFile: 10,
  parseEdits: 5,
  big: 10_000,
  idleDags: 1000,
  idleSeconds: 60,
  apiDags: 1000,
  apiSeconds: 10,
  apiConnections: 50,
  bullmqJobs: 20_000,
  bullmqRoundTrips: 200,
  commitSeconds: 2,
  nodeStarts: 10,
  logFiles: 1000,
  taskProcessTries: 3000,
  wakeCommits: 200,
  weightTasks: 10_000,
  reps: 3,
};

export const QUICK_SIZES: Sizes = {
  chain: 10,
  hopChain: 20,
  fanout: 50,
  bashFanout: 20,
  parseFiles: 30,
  tasksPerFile: 10,
  parseEdits: 1,
  big: 200,
  idleDags: 30,
  idleSeconds: 2,
  apiDags: 30,
  apiSeconds: 1,
  apiConnections: 50,
  bullmqJobs: 1000,
  bullmqRoundTrips: 20,
  commitSeconds: 0.3,
  nodeStarts: 3,
  logFiles: 100,
  taskProcessTries: 100,
  wakeCommits: 20,
  weightTasks: 10_000,
  reps: 1,
};
