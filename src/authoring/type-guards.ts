import type { BaseOperator } from './base-operator';
import type { DAG } from './dag';
import { kindOf } from './sdk-kind';

/** True for a DAG from any copy of the SDK (DAG files may load their own copy). */
export function isDag(value: unknown): value is DAG {
  return kindOf(value) === 'dag';
}

/** True for an operator (task) from any copy of the SDK. */
export function isOperator(value: unknown): value is BaseOperator {
  return kindOf(value) === 'operator';
}
