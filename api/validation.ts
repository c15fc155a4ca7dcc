/** One validator hook for every route, so every 400 has the same JSON shape. */
import { zValidator } from '@hono/zod-validator';
import type { Context, ValidationTargets } from 'hono';
import { BridgeError } from '../lib/definitions';
import { z, type ZodType } from 'zod';
import { errorBody } from './errors';

/** An amount as a person or a JSON client writes it (10, "10.50"), passed on as decimal text; never a float. */
export const decimalAmount = z
  .union([
    z
      .number()
      .positive()
      // A JSON number past 15 significant digits was already rounded by the parser: refused, never guessed.
      .refine(
        (n) =>
          n <= Number.MAX_SAFE_INTEGER &&
          String(n)
            .replace(/^0\.0*|\./g, '')
            .replace(/e.*$/i, '').length <= 15,
        'is too precise for a JSON number: send it as a string',
      ),
    z.string().regex(/^\d+(\.\d+)?$/, 'must be a positive decimal number'),
  ])
  .transform((v) => (typeof v === 'number' ? String(v) : v));

/** An amount written as a string only (vouchers: ops type large TXTC amounts, which JSON numbers would round). */
export const decimalString = z.string().regex(/^\d+(\.\d+)?$/, 'must be a string of a positive decimal number');

export function validate<T extends ZodType, Target extends keyof ValidationTargets>(target: Target, schema: T) {
  return zValidator(target, schema, (result, c) => {
    if (!result.success) {
      const issue = result.error.issues[0];
      const field = issue?.path.join('.') || target;
      return c.json(
        errorBody(
          c,
          'InvalidRequest',
          `${field}: ${issue?.message ?? 'invalid'}`,
          result.error.issues.map((i) => ({ path: i.path.join('.'), message: i.message })),
        ),
        400,
      );
    }
  });
}

/** What an ops REST call may add to any action: why, and who (the key's name when absent). */
export const opsNote = z.object({
  reason: z.string().trim().max(500).optional(),
  by: z.string().trim().max(100).optional(),
});

/**
 * A JSON body that may be left out (no body, or not JSON: `{}`), checked against `schema` when given, with the
 * same 400 as `validate`.
 */
export async function optionalJson<T extends ZodType>(c: Context, schema: T): Promise<z.infer<T>> {
  const text = await c.req.text();
  let value: unknown = {};
  if (text.trim()) {
    try {
      value = JSON.parse(text);
    } catch {
      throw new BridgeError('InvalidRequest', 'the body is not JSON');
    }
  }
  const parsed = schema.safeParse(value);
  if (!parsed.success) {
    const issue = parsed.error.issues[0];
    throw new BridgeError('InvalidRequest', `${issue?.path.join('.') || 'body'}: ${issue?.message ?? 'invalid'}`);
  }
  return parsed.data;
}

/** A gateway's callback body checked against `schema`: its data, or the 400 to answer (the API's error shape). */
export function checkedBody<T extends ZodType>(
  c: Context,
  schema: T,
  raw: unknown,
): { ok: true; data: z.output<T> } | { ok: false; response: Response } {
  const parsed = schema.safeParse(raw);
  if (parsed.success) return { ok: true, data: parsed.data };
  const issue = parsed.error.issues[0];
  const where = issue?.path.join('.') || 'body';
  return {
    ok: false,
    response: c.json(errorBody(c, 'InvalidRequest', `${where}: ${issue?.message ?? 'invalid'}`), 400),
  };
}
