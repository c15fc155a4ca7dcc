/**
 * How the repositories read a row into a record and write a workflow step to one, so each table states only
 * its columns: snake_case columns are the record's camelCase fields, and bigint amounts travel as text
 * (pg returns NUMERIC and BIGINT as strings; a JS number would round them).
 */
import type { Pool } from 'pg';

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

/**
 * A workflow step's write to its record: the stage, and only the columns the step sets (undefined or null: the
 * column keeps what an earlier step wrote); `refunded` stamps refunded_at once. Resolves to the rows updated (0: no
 * such record). `table` and the column names are the repository's own, never input.
 */
export async function updateStep(
  pool: Pool,
  table: string,
  id: string,
  step: { stage: string; refunded?: boolean },
  columns: Record<string, string | null | undefined>,
): Promise<number> {
  const set = Object.entries(columns).filter((c): c is [string, string] => c[1] !== undefined && c[1] !== null);
  const assignments = [
    'stage = $2',
    ...set.map(([column], i) => `${column} = $${i + 3}`),
    ...(step.refunded ? ['refunded_at = COALESCE(refunded_at, now())'] : []),
    'updated_at = now()',
  ];
  const { rowCount } = await pool.query(`UPDATE ${table} SET ${assignments.join(', ')} WHERE id = $1`, [
    id,
    step.stage,
    ...set.map(([, value]) => value),
  ]);
  return rowCount ?? 0;
}
