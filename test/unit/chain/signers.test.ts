/**
 * Several signers' routing rule: an entry's writer is a stable hash of its reference modulo the signers, so a
 * duplicate meets the same writer whatever process or release enqueues it, and references spread over all.
 */
import { loadConfig } from '../../../lib/config';
import { referenceHash, signerFor } from '../../../lib/definitions/signers';

const signers = ['0xA', '0xB', '0xC'];

test('the hash is FNV-1a of the reference, fixed across processes and releases', () => {
  expect(referenceHash('')).toBe(0x811c9dc5);
  expect(referenceHash('a')).toBe(0xe40c292c);
  expect(referenceHash('conversion-abc:mint')).toBe(referenceHash('conversion-abc:mint'));
  expect(referenceHash('conversion-abc:mint')).not.toBe(referenceHash('conversion-abd:mint'));
});

test('a reference always goes to the same signer', () => {
  for (let i = 0; i < 100; i++) {
    const reference = `conversion-${i}:mint`;
    const first = signerFor(reference, signers);
    expect(signers).toContain(first);
    expect(signerFor(reference, [...signers])).toBe(first);
  }
});

test('one signer takes everything', () => {
  expect(signerFor('conversion-x:mint', ['0xOnly'])).toBe('0xOnly');
});

test('references spread over the signers about evenly', () => {
  const counts = new Map<string, number>();
  for (let i = 0; i < 3000; i++) {
    const signer = signerFor(`conversion-${i.toString(36)}-${i * 7919}:mint`, signers);
    counts.set(signer, (counts.get(signer) ?? 0) + 1);
  }
  for (const signer of signers) {
    expect(counts.get(signer)).toBeGreaterThan(800);
    expect(counts.get(signer)).toBeLessThan(1200);
  }
});

test('the rule is the hash modulo the number of signers', () => {
  const reference = 'transfer:api:key-1:send';
  expect(signerFor(reference, signers)).toBe(signers[referenceHash(reference) % 3]);
  expect(signerFor(reference, ['0xA', '0xB'])).toBe(['0xA', '0xB'][referenceHash(reference) % 2]);
});

test('no signer is an error, not a silent drop', () => {
  expect(() => signerFor('r', [])).toThrow('no signer');
});

describe('CHAIN_SIGNER_PRIVATE_KEYS', () => {
  const keyA = `0x${'1'.repeat(64)}`;
  const keyB = `0x${'2'.repeat(64)}`;

  test('unset: one signer, as before', () => {
    expect(loadConfig({ APP_ENV: 'local' }).chain.signerPrivateKeys).toEqual([]);
  });

  test('comma-separated keys are the further signers; the API, which only reads, gets none', () => {
    expect(
      loadConfig({ APP_ENV: 'local', CHAIN_SIGNER_PRIVATE_KEYS: `${keyA},${keyB}` }).chain.signerPrivateKeys,
    ).toEqual([keyA, keyB]);
    expect(
      loadConfig({ APP_ENV: 'local', CHAIN_SIGNER_PRIVATE_KEYS: `${keyA},${keyB}` }, { role: 'api' }).chain
        .signerPrivateKeys,
    ).toEqual([]);
  });

  test('a malformed list is refused without echoing it', () => {
    expect(() => loadConfig({ APP_ENV: 'local', CHAIN_SIGNER_PRIVATE_KEYS: `${keyA}, ${keyB}` })).toThrow(
      /CHAIN_SIGNER_PRIVATE_KEYS.*value hidden/,
    );
  });

  test('the out-of-gas threshold defaults to 0.01 ETH', () => {
    expect(loadConfig({ APP_ENV: 'local' }).chain.signerMinBalanceWei).toBe('10000000000000000');
  });
});
