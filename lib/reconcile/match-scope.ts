/**
 * The scope of one record's checks in the reconciliation (match.ts): its step references, where a finding
 * about it goes, and its own reference columns. The operator side (match-ledger.ts) and the chain side
 * (match-chain.ts) judge a record within it.
 */
import { stepReference } from '../definitions/common';
import type { Mismatch, ProductRecord, RecordStep } from './types';

/** A mismatch found while checking a record, before it is named after the record. */
export type Finding = Omit<Mismatch, 'recordKind' | 'recordId'>;

export interface RecordScope {
  /** the reference of one of the record's steps (`${id}:<step>`) */
  ref: (step: RecordStep) => string;
  /** a finding about the record, added to the run's mismatches under the record's kind and id */
  add: (finding: Finding) => void;
  /** The record's reference column names its step's reference (and names one when the step happened). */
  column: (step: RecordStep, value: string | null, required: boolean) => void;
}

export function recordScope(record: ProductRecord, mismatches: Mismatch[]): RecordScope {
  const base = { recordKind: record.kind, recordId: record.id };
  const add = (m: Finding) => void mismatches.push({ ...base, ...m });
  const ref = (step: RecordStep) => stepReference(record.id, step);
  return {
    ref,
    add,
    column(step, value, required) {
      if (value === null ? required : value !== ref(step)) {
        add({
          code: 'reference',
          source: 'record',
          step,
          reference: ref(step),
          expected: ref(step),
          found: value ?? 'none',
          message: `the record's ${step} reference is not its step's`,
        });
      }
    },
  };
}
