/**
 * How the repositories read a row into a record and write a workflow step to one, so each table states only
 * its columns: snake_case columns are the record's camelCase fields, and bigint amounts travel as text
 * (pg returns NUMERIC and BIGINT as strings; a JS number would round them).
 */
import type { Pool } from 'pg';
import { BridgeError, type Failure } from '../definitions/errors';

type Snake<S extends string> = S extends `${infer C}${infer Rest}`
  ? `${C extends Lowercase<C> ? C : `_${Lowercase<C>}`}${Snake<Rest>}`
  : S;
type Camel<S extends string> = S extends `${infer Head}_${infer Tail}` ? `${Head}${Capitalize<Camel<Tail>>}` : S;
type Column<V> = V extends bigint ? string : V;

/** A record's row as pg returns it: its fields in snake_case, its bigint fields as text. */
export type RowOf<T> = { [K in keyof T & string as Snake<K>]: Column<T[K]> };

/** The record a row reads as: fields in camelCase, the columns in `B` as bigint (null stays null). */
export type Read<R, B extends keyof R> = {
  [K in keyof R & string as Camel<K>]: K extends B ? (null extends R[K] ? bigint | null : bigint) : R[K];
};

/**
 * Reads a row as its record: each column becomes its camelCase field, and the columns named in `bigints` are
 * read as bigint. A bigint column left out stays a string, which the record's type then refuses.
 */
export function readRow<R extends object, B extends keyof R & string = never>(
  row: R,
  bigints: readonly B[] = [],
): Read<R, B> {
  const record: Record<string, unknown> = {};
  for (const [column, value] of Object.entries(row)) {
    const field = column.replace(/_([a-z0-9])/g, (_, c: string) => c.toUpperCase());
    record[field] = value !== null && bigints.includes(column as B) ? BigInt(value as string | number) : value;
  }
  return record as Read<R, B>;
}

/** What a workflow step sends its record: the stage, and whatever else the step sets. */
interface Step {
  stage: string;
  status?: string;
  failure?: Failure;
  refunded?: boolean;
}

/** The fields of a step that have columns: `failure` (two of them), and each string field (one, snake_case). */
type StepField<U> = {
  [K in keyof U & string]-?: K extends 'stage' | 'refunded'
    ? never
    : K extends 'failure'
      ? K
      : U[K] extends string | undefined
        ? K
        : never;
}[keyof U & string];

/** No row has this id: the record was never written, so the step has nothing to update. */
export class RecordNotFoundError extends BridgeError {
  constructor(table: string, id: string) {
    super('NotFound', `no ${table} record ${id}`);
  }
}

/**
 * A repository's write of a workflow step to its record (`record` names it in RecordNotFoundError): the stage,
 * and of `fields`, in that order, only those the step sets (undefined or null: the column keeps what an earlier
 * step wrote). A field is written to its snake_case column; `failure` to `failureColumn` (its type) and
 * failure_message. `refunded` stamps refunded_at once. `table` and the columns are the repository's own, never
 * input.
 */
export function stepWriter<U extends Step>(
  pool: Pool,
  table: { name: string; record: string; failureColumn?: string },
  fields: readonly StepField<U>[],
): (id: string, step: U) => Promise<void> {
  const failureColumn = table.failureColumn ?? 'failure_code';
  return async (id, step) => {
    const columns = fields.flatMap((field): [string, string | null | undefined][] =>
      field === 'failure'
        ? [
            [failureColumn, step.failure?.type],
            ['failure_message', step.failure?.message],
          ]
        : [[snakeCase(field), step[field] as string | null | undefined]],
    );
    const set = columns.filter((c): c is [string, string] => c[1] !== undefined && c[1] !== null);
    const assignments = [
      'stage = $2',
      ...set.map(([column], i) => `${column} = $${i + 3}`),
      ...(step.refunded ? ['refunded_at = COALESCE(refunded_at, now())'] : []),
      'updated_at = now()',
    ];
    const { rowCount } = await pool.query(`UPDATE ${table.name} SET ${assignments.join(', ')} WHERE id = $1`, [
      id,
      step.stage,
      ...set.map(([, value]) => value),
    ]);
    if ((rowCount ?? 0) === 0) throw new RecordNotFoundError(table.record, id);
  };
}

const snakeCase = (field: string): string => field.replace(/[A-Z]/g, (c) => `_${c.toLowerCase()}`);
