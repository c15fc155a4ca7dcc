/**
 * Amounts are bigint in code and decimal strings of integers wherever JSON carries them (Temporal
 * payloads, queries): one mapped type and two functions instead of a string twin of every money type.
 */
export type Wire<T> = {
  [K in keyof T]: T[K] extends bigint ? string : T[K] extends bigint | undefined ? string | undefined : T[K];
};

/** Every bigint field becomes its decimal string; everything else is kept. */
export function toWire<T extends object>(value: T): Wire<T> {
  return Object.fromEntries(
    Object.entries(value).map(([k, v]) => [k, typeof v === 'bigint' ? v.toString() : (v as unknown)]),
  ) as Wire<T>;
}

/** The named fields back to bigint (the wire form does not say which strings are amounts). */
export function fromWire<T extends object>(wire: Wire<T>, amounts: readonly (keyof T)[]): T {
  const out: Record<string, unknown> = { ...wire };
  for (const key of amounts) {
    const v = out[key as string];
    if (typeof v === 'string') out[key as string] = BigInt(v);
  }
  return out as T;
}
