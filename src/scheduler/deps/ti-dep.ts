import type { DepStatus } from './dep-status';

/**
 * One scheduling rule (Airflow's ti_deps): a pure, deterministic check of one task instance,
 * answering with a pass/fail and a reason. `C` is what the rule reads; every input comes in
 * through it (time included), so the scheduler and `tasks failed-deps` run the same code.
 */
export interface TiDep<C> {
  /** Shown beside the reason ('Trigger Rule'), as Airflow names its deps. */
  readonly name: string;
  /**
   * The verdict does not depend on the task instance (core.parallelism, executor slots): once
   * it fails for one candidate it fails for every later one, so the queuer stops looking.
   */
  readonly sharedByAll?: boolean;
  evaluate(ctx: C): DepStatus;
}

/** A rule that does not pass, as users see it. */
export interface FailedDep {
  name: string;
  reason: string;
}

/** The first rule of `deps` that fails, in order (the scheduler needs only one), or null. */
export function firstFailing<C>(deps: ReadonlyArray<TiDep<C>>, ctx: C): { dep: TiDep<C>; status: DepStatus } | null {
  for (const dep of deps) {
    const status = dep.evaluate(ctx);
    if (!status.passed) return { dep, status };
  }
  return null;
}

/** Every rule of `deps` that fails, in order: what `tasks failed-deps` prints. */
export function failingDeps<C>(deps: ReadonlyArray<TiDep<C>>, ctx: C): FailedDep[] {
  const out: FailedDep[] = [];
  for (const dep of deps) {
    const status = dep.evaluate(ctx);
    if (!status.passed) out.push({ name: dep.name, reason: status.reason });
  }
  return out;
}
