import type { EphemeralStack } from '../../scripts/local/ephemeral-stack';

export default async function globalTeardown(): Promise<void> {
  const stacks = (globalThis as Record<string, unknown>).__txtcTestStacks as EphemeralStack[] | undefined;
  await Promise.all((stacks ?? []).map((stack) => stack.stop()));
}
