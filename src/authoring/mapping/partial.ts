import { DagDefinitionError, errorMessage } from '../../core/errors';
import type { OutputRef } from '../typed/output-brand';
import {
  checkKwargsKeys,
  type ExpandArgs,
  expandKwargsSource,
  expandSource,
  type OperatorExpansion,
  sampleValue,
  whereOf,
} from './expansion';

/**
 * The `expandKwargs()` argument of a classic operator with options O: a list of option objects
 * (one per map index), or the output of a task that returns such a list.
 */
export type ExpandKwargsArg<O> = readonly Partial<O>[] | OutputRef<readonly Partial<O>[]>;

/** A classic operator with its constants (Airflow's `Op.partial(...)`), waiting for `expand`. */
export interface PartialOperator<O, T> {
  /**
   * One task instance per element of each list (several lists: their cross product), created
   * when the run starts (literal lists) or when the upstream task that returns the list is done.
   */
  expand(args: ExpandArgs<O>): T;
  /**
   * Airflow's `expand_kwargs`: one task instance per element, each element an object of the
   * options that vary for that map index (merged over the partial() options).
   */
  expandKwargs(list: ExpandKwargsArg<O>): T;
}

/** What partial() needs of the operator it builds: its constructor, and a way to mark it mapped. */
export interface MappableOperator {
  setExpansion(expansion: OperatorExpansion): void;
  readonly mappableOptionKeys: readonly string[];
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
    expandKwargs(list: ExpandKwargsArg<O>): T {
      const where = whereOf(fixed);
      const given = (fixed ?? {}) as Record<string, unknown>;
      const source = expandKwargsSource(where, list, 'object');
      if ('literal' in source) {
        source.literal.forEach((element, i) => {
          const twice = Object.keys(element as object).find((name) => name in given);
          if (twice)
            throw new DagDefinitionError(
              `${where}: '${twice}' is given to both partial() and expandKwargs() element ${i}; give it once`,
            );
        });
      }
      // Built with the first element (a literal list), so the operator's own checks run on real
      // values; over a task's output the elements are known only at run time, and each one's
      // options replace partial()'s (an option the operator needs at import must be in partial()).
      const sample = 'literal' in source && source.literal.length > 0 ? (source.literal[0] as object) : {};
      let operator: T;
      try {
        operator = new ctor({ ...given, ...sample } as O);
      } catch (err) {
        if (!(err instanceof DagDefinitionError) || 'literal' in source) throw err;
        throw new DagDefinitionError(
          `${errorMessage(err)} (expandKwargs() over the output of task '${source.output.taskId}': ` +
            'an option the operator checks at import must be given in partial(); each element may replace it)',
        );
      }
      if ('literal' in source)
        source.literal.forEach((element, i) =>
          checkKwargsKeys(where, element as object, i, operator.mappableOptionKeys),
        );
      operator.setExpansion({ args: [source] });
      return operator;
    },
  };
}
