/**
 * The type a value has after the JSON round trip every XCom makes (stored, then pulled by another
 * process): what `JSON.parse(JSON.stringify(value))` gives, as far as types can say. A consumer of
 * a task that returns a `Date` receives a `string`, and the compiler says so.
 */
export type Jsonified<T> =
  IsAny<T> extends true
    ? T
    : unknown extends T
      ? unknown
      : T extends string | number | boolean | null | undefined
        ? T
        : T extends { toJSON(): infer J }
          ? Jsonified<J>
          : T extends bigint | symbol | ((...args: never[]) => unknown)
            ? never
            : T extends readonly unknown[]
              ? { [K in keyof T]: Jsonified<T[K]> }
              : { [K in keyof T as T[K] extends (...args: never[]) => unknown ? never : K]: Jsonified<T[K]> };

type IsAny<T> = 0 extends 1 & T ? true : false;
