/** One validator hook for every route, so every 400 has the same JSON shape. */
import { zValidator } from '@hono/zod-validator';
import type { ValidationTargets } from 'hono';
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
