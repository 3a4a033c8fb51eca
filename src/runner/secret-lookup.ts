import type { SecretLookup } from './task-process-protocol';
import type { VariableSource } from './variable-source';

/** Answer one lookup from a source (the parent side of a task process, or a scheduler for workers). */
export function lookUpSecret(source: VariableSource, lookup: SecretLookup): Promise<unknown> {
  switch (lookup.kind) {
    case 'all-variables':
      return source.getAll();
    case 'variable':
      return source.getVariable(lookup.key);
    case 'connection':
      return source.getConnection(lookup.connId);
    case 'external-run':
      return source.externalRun(lookup.query);
    case 'trigger-dag-run':
      return source.triggerDagRun(lookup.request);
    case 'prev-success':
      return source.prevSuccess(lookup.key, lookup.logicalDate);
  }
}

/** A source whose every lookup is one request to someone else (a parent process, a scheduler). */
export function requestingVariableSource(request: (lookup: SecretLookup) => Promise<unknown>): VariableSource {
  return {
    getAll: async () => (await request({ kind: 'all-variables' })) as Record<string, string>,
    getVariable: async (key) => (await request({ kind: 'variable', key })) as string | null,
    getConnection: async (connId) =>
      (await request({ kind: 'connection', connId })) as Awaited<ReturnType<VariableSource['getConnection']>>,
    externalRun: async (query) =>
      (await request({ kind: 'external-run', query })) as Awaited<ReturnType<VariableSource['externalRun']>>,
    triggerDagRun: async (req) =>
      (await request({ kind: 'trigger-dag-run', request: req })) as Awaited<
        ReturnType<VariableSource['triggerDagRun']>
      >,
    prevSuccess: async (key, logicalDate) =>
      (await request({ kind: 'prev-success', key, logicalDate })) as Awaited<ReturnType<VariableSource['prevSuccess']>>,
  };
}
