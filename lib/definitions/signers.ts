/**
 * Several signers: which chain writer an entry goes to. An entry's home is a stable hash of its reference
 * modulo the number of signers (the configured order: CHAIN_SIGNER_PRIVATE_KEY, then CHAIN_SIGNER_PRIVATE_KEYS),
 * never anything that changes between an enqueue and its duplicate, so a duplicate always meets the writer
 * that knows the reference (the writer dedups within itself). A home writer whose signer is out of gas hands
 * its new entries to a signer with gas, picked by the same rule among those, and remembers where each went:
 * a duplicate still meets the home writer, which sends it after the first (workflows/chain-writer.ts).
 * Pure and deterministic: workflow code uses it too.
 */

/** FNV-1a (32 bits) of the reference's UTF-16 code units: stable across processes, releases and platforms. */
export function referenceHash(reference: string): number {
  let hash = 0x811c9dc5;
  for (let i = 0; i < reference.length; i++) {
    hash ^= reference.charCodeAt(i);
    hash = Math.imul(hash, 0x01000193) >>> 0;
  }
  return hash >>> 0;
}

/** The signer of `signers` an entry with this reference goes to (the only one when there is one). */
export function signerFor(reference: string, signers: readonly string[]): string {
  if (signers.length === 0) throw new Error('no signer to route to');
  return signers[referenceHash(reference) % signers.length]!;
}
