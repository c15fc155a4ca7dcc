/**
 * How the configuration is written: each environment variable once, where its value lands in the config,
 * with its rule and default in its schema (zod). A section is a spec, variables nested as the config nests
 * them; its type is what the spec reads as (Read), so nothing names a variable a second time.
 */
import type { z } from 'zod';

export class ConfigError extends Error {
  constructor(
    readonly variable: string,
    detail: string,
  ) {
    super(`Invalid configuration: ${variable} ${detail}`);
    this.name = 'ConfigError';
  }
}

/** One environment variable: its name, its schema (rule, default, transform) and whether it is a secret. */
export class Variable<S extends z.ZodType = z.ZodType> {
  constructor(
    readonly name: string,
    readonly schema: S,
    /** never echoed in an error: keys, seeds, and URLs that may carry a password */
    readonly secret: boolean,
  ) {}

  /** The error that stops start-up over this variable. */
  refuse(detail: string): ConfigError {
    return new ConfigError(this.name, detail);
  }
}

/** A variable whose value an error may show. */
export const variable = <S extends z.ZodType>(name: string, schema: S) => new Variable(name, schema, false);
/** A variable whose value no error shows. */
export const secret = <S extends z.ZodType>(name: string, schema: S) => new Variable(name, schema, true);

/** Variables nested as the configuration nests them. */
export interface Spec {
  readonly [key: string]: Variable | Spec;
}

/** What a spec reads as: each variable's parsed value in its place. */
export type Read<T> = T extends Variable<infer S> ? z.output<S> : { -readonly [K in keyof T]: Read<T[K]> };

/** Every variable of a spec, in the order it declares them (the order they are validated in). */
export function variablesOf(spec: Spec): Variable[] {
  return Object.values(spec).flatMap((entry) => (entry instanceof Variable ? [entry] : variablesOf(entry)));
}

/** The spec with each variable replaced by its parsed value. */
export function readSpec<T extends Spec>(spec: T, values: Record<string, unknown>): Read<T> {
  return Object.fromEntries(
    Object.entries(spec).map(([key, entry]) => [
      key,
      entry instanceof Variable ? values[entry.name] : readSpec(entry, values),
    ]),
  ) as Read<T>;
}
