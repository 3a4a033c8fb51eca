import { DagDefinitionError } from '../../core/errors';
import { type ExpandArgs, expandSource, type OperatorExpansion, sampleValue, whereOf } from './expansion';

/** A classic operator with its constants (Airflow's `Op.partial(...)`), waiting for `expand`. */
export interface PartialOperator<O, T> {
  /**
   * One task instance per element of each list (several lists: their cross product), created
   * when the run starts (literal lists) or when the upstream task that returns the list is done.
   */
  expand(args: ExpandArgs<O>): T;
}

/** What partial() needs of the operator it builds: its constructor, and a way to mark it mapped. */
export interface MappableOperator {
  setExpansion(expansion: OperatorExpansion): void;
}

export function partialOperator<O, T extends MappableOperator>(
  ctor: new (options: O) => T,
  fixed: Partial<O>,
): PartialOperator<O, T> {
  return {
    expand(args: ExpandArgs<O>): T {
      const where = whereOf(fixed);
      if (typeof args !== 'object' || args === null || Array.isArray(args) || Object.keys(args).length === 0)
        throw new DagDefinitionError(`${where}: expand() needs an object of at least one argument to expand over`);
      const given = (fixed ?? {}) as Record<string, unknown>;
      const sources = Object.entries(args as Record<string, unknown>).map(([name, value]) => {
        if (name in given)
          throw new DagDefinitionError(`${where}: '${name}' is given to both partial() and expand(); give it once`);
        return expandSource(where, name, value);
      });
      const samples = Object.fromEntries(sources.map((source) => [source.name, sampleValue(source)]));
      const operator = new ctor({ ...given, ...samples } as O);
      operator.setExpansion({ args: sources });
      return operator;
    },
  };
}
