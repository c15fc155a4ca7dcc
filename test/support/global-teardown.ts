import type { EphemeralStack } from '../../scripts/local/ephemeral-stack';

export default async function globalTeardown(): Promise<void> {
  await ((globalThis as Record<string, unknown>).__txtcTestStack as EphemeralStack | undefined)?.stop();
}
