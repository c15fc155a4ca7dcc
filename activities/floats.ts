/** The float schedule's one step: read every operator float and keep it (lib/floats.ts). */
import type { FloatRepo } from '../lib/floats';
import type { Payouts } from '../lib/telco/factory';

export function createFloatActivities(deps: { payouts: Payouts; floats: FloatRepo }) {
  return {
    /** Each adapter's accounts; one adapter failing does not keep the others' readings out. */
    async readOperatorFloats(): Promise<{ read: string[]; failed: string[] }> {
      const read: string[] = [];
      const failed: string[] = [];
      for (const adapter of deps.payouts.floatAdapters()) {
        try {
          await deps.floats.record(adapter.name, await adapter.floats());
          read.push(adapter.name);
        } catch {
          failed.push(adapter.name);
        }
      }
      if (read.length === 0 && failed.length > 0) throw new Error(`no float could be read (${failed.join(', ')})`);
      return { read, failed };
    },
  };
}

export type FloatActivities = ReturnType<typeof createFloatActivities>;
