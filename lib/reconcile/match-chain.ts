/**
 * The chain side of the reconciliation (match.ts): a record's steps against the chain's referenced events
 * (mints and transfers), each found by the keccak of its step's reference (the contract's `ref`).
 */
import { keccak256, toUtf8Bytes } from 'ethers';
import type { ChainEvent, RecordStep } from './types';
import type { RecordScope } from './match-scope';

/** The 32-byte chain reference of a reference string (the contract's `ref`). */
export const chainRefOf = (reference: string): string => keccak256(toUtf8Bytes(reference));

/** The key of a chain event in the index `chainChecks` reads: its kind and its reference. */
export const chainKeyOf = (kind: ChainEvent['kind'], chainRef: string): string => `${kind}:${chainRef.toLowerCase()}`;

const sameAddress = (a: string | null | undefined, b: string | null | undefined) =>
  !a || !b || a.toLowerCase() === b.toLowerCase();

export interface ChainChecks {
  /** the chain event of this kind under this reference */
  onChain(kind: ChainEvent['kind'], reference: string): ChainEvent | undefined;
  /** The chain event of this step, to and from these wallets, of this amount. */
  chain(
    step: RecordStep,
    kind: ChainEvent['kind'],
    want: { from?: string | null; to: string | null; amount: bigint },
    reference?: string,
  ): ChainEvent | undefined;
  /** No chain event under this step. */
  noChain(step: RecordStep, kind: ChainEvent['kind'], why: string, reference?: string): void;
}

/** The chain-side checks of the record in `scope`, against the chain's events by kind and reference. */
export function chainChecks(scope: RecordScope, chainByKey: Map<string, ChainEvent>): ChainChecks {
  const { ref, add } = scope;
  const onChain = (kind: ChainEvent['kind'], reference: string) =>
    chainByKey.get(chainKeyOf(kind, chainRefOf(reference)));
  return {
    onChain,
    chain(step, kind, want, reference = ref(step)) {
      const event = onChain(kind, reference);
      if (!event) {
        add({
          code: 'missing',
          source: 'chain',
          step,
          reference,
          chainRef: chainRefOf(reference),
          expected: `${kind} of ${want.amount} to ${want.to ?? 'the wallet'}`,
          message: `no ${step} on chain`,
        });
        return undefined;
      }
      if (!sameAddress(event.to, want.to) || !sameAddress(event.from, want.from)) {
        add({
          code: 'party',
          source: 'chain',
          step,
          reference,
          chainRef: event.ref,
          expected: `${want.from ?? '?'} -> ${want.to ?? '?'}`,
          found: `${event.from ?? 'mint'} -> ${event.to}`,
          message: `the chain's ${step} went to or from another wallet`,
        });
      }
      if (event.amount !== want.amount) {
        add({
          code: 'amount',
          source: 'chain',
          step,
          reference,
          chainRef: event.ref,
          expected: want.amount.toString(),
          found: event.amount.toString(),
          message: `the chain's ${step} differs from the record`,
        });
      }
      return event;
    },
    noChain(step, kind, why, reference = ref(step)) {
      const event = onChain(kind, reference);
      if (event) {
        add({
          code: 'unexpected',
          source: 'chain',
          step,
          reference,
          chainRef: event.ref,
          found: `${kind} of ${event.amount} to ${event.to} in ${event.txHash}`,
          message: why,
        });
      }
    },
  };
}
