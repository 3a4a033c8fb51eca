/**
 * DAG files may be evaluated against their own copy of the SDK (jiti, jest), so `instanceof`
 * fails across copies. Objects carry a brand under a global symbol instead; Symbol.for is shared
 * by every module copy and every realm of the process.
 */
export const SDK_KIND = Symbol.for('dagctl.kind');
export type SdkKind = 'dag' | 'operator' | 'output' | 'group';

export function kindOf(value: unknown): SdkKind | null {
  if (typeof value !== 'object' || value === null) return null;
  const kind = (value as { [SDK_KIND]?: unknown })[SDK_KIND];
  return kind === 'dag' || kind === 'operator' || kind === 'output' || kind === 'group' ? kind : null;
}
