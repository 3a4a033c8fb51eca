import type { SDK_KIND } from '../sdk-kind';

/** Carries T only in the type system; never set at run time. */
export declare const OUTPUT_TYPE: unique symbol;

/**
 * What a `TaskOutput<T>` is to code that cannot import its class without an import cycle (the
 * operator base class, whose `.partial().expand()` takes outputs): the same brand and type slot.
 */
export interface OutputRef<T> {
  readonly [SDK_KIND]: 'output';
  readonly [OUTPUT_TYPE]?: T;
  readonly taskId: string;
  readonly key: string;
}
