/** A scheduling rule's verdict: may the task instance move on, and why (or why not). */
export interface DepStatus {
  passed: boolean;
  reason: string;
}

export function passing(reason: string): DepStatus {
  return { passed: true, reason };
}

export function failing(reason: string): DepStatus {
  return { passed: false, reason };
}
