/** The times `npm run reconcile` accepts: an ISO time, or a span before now such as `90s`, `30m`, `2h`, `1d`. */
const UNIT_MS: Record<string, number> = { s: 1000, m: 60_000, h: 3_600_000, d: 86_400_000 };

export function parseWhen(text: string, now: Date): Date {
  const relative = /^(\d+)\s*([smhd])$/.exec(text.trim());
  if (relative) return new Date(now.getTime() - Number(relative[1]) * UNIT_MS[relative[2]!]!);
  if (/^\d{4}-\d{2}-\d{2}/.test(text.trim())) {
    const at = new Date(text.trim());
    if (!Number.isNaN(at.getTime())) return at;
  }
  throw new RangeError(`not a time: ${JSON.stringify(text)} (an ISO time, or a span before now such as 2h, 30m, 1d)`);
}
