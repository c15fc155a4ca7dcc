/**
 * The one phone-number hash ops search by (the `PhoneHash` search attribute): HMAC-SHA256 of the E.164
 * number under a key derived from the wallet seed, so it is stable per deployment and, unlike a bare hash
 * of a ten-digit number, cannot be reversed by trying every number. Computed by activities, never in workflow
 * code (no secret in history); `npm run ops:phone-hash -- +254712345678` prints one for a search.
 */
import { createHash, createHmac } from 'node:crypto';

export function phoneHash(phoneNumber: string, walletMnemonic: string): string {
  const key = createHash('sha256').update(`txtc-bridge phone hash\0${walletMnemonic}`).digest();
  return createHmac('sha256', key).update(phoneNumber).digest('hex').slice(0, 32);
}
