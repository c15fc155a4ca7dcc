import type { EphemeralStack } from '../../lib/ephemeral-stack';

export default async function globalTeardown(): Promise<void> {
  await ((globalThis as Record<string, unknown>).__txtcTestStack as EphemeralStack | undefined)?.stop();
}
