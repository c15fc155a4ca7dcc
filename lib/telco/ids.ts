/** The ids operators get for a movement, derived from its reference so every retry sends the same one. */
import { createHash } from 'node:crypto';

/** The namespace of txtc-bridge's derived ids (a fixed random UUID). */
const REFERENCE_NAMESPACE = Buffer.from('5b0c2f9e6d4a4e1b8c3f7a9d2e6b1c40', 'hex');

function uuidOf(bytes: Buffer, version: 4 | 5): string {
  bytes[6] = (bytes[6]! & 0x0f) | (version << 4);
  bytes[8] = (bytes[8]! & 0x3f) | 0x80;
  const hex = bytes.toString('hex');
  return `${hex.slice(0, 8)}-${hex.slice(8, 12)}-${hex.slice(12, 16)}-${hex.slice(16, 20)}-${hex.slice(20)}`;
}

/**
 * A UUID derived from a movement's reference (the version 5 construction: SHA-1 of a namespace and the
 * name), so every retry of a movement sends the operator the same id (Airtel's transaction id) and the
 * operator refuses or finds a repeat. MoMo asks for version 4: see uuidV4FromReference.
 */
export function uuidFromReference(reference: string): string {
  return uuidOf(createHash('sha1').update(REFERENCE_NAMESPACE).update(reference, 'utf8').digest().subarray(0, 16), 5);
}

/**
 * A version 4 UUID for a movement (MoMo's X-Reference-Id: its docs and the mtn-momo client accept only v4).
 * Its 122 free bits come from SHA-256 of a namespace and the reference instead of a random source, so a
 * retry, another worker or a replay sends the same id, with nothing to store first; to MoMo it is an
 * ordinary v4 id, as unpredictable without the reference as a random one.
 */
export function uuidV4FromReference(reference: string): string {
  return uuidOf(
    createHash('sha256').update(REFERENCE_NAMESPACE).update('v4:').update(reference, 'utf8').digest().subarray(0, 16),
    4,
  );
}
