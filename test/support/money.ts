/** Test helpers for money: fresh demo subscribers, and what the simulated operator and the chain hold. */
import type { Pool } from 'pg';
import { randomInt, randomUUID } from 'node:crypto';
import { SimulatedOperator } from '../../lib/telco/simulated';
import { TxtcToken } from '../../lib/chain/txtc';
import { WalletDirectory } from '../../lib/wallets';
import { createWalletRepo } from '../../lib/db/wallets';
import type { Runtime } from '../../lib/runtime';
import { createUssdRepo } from '../../lib/db/ussd';
import { hashPin } from '../../lib/pins';

/** A fresh, valid Safaricom number nobody else in this run uses. */
export function newSafaricomNumber(): string {
  return `+2547${randomInt(10, 30)}${String(randomInt(0, 1_000_000)).padStart(6, '0')}`.slice(0, 13);
}

export async function topUp(pool: Pool, phoneNumber: string, operator: string, amountMinor: bigint): Promise<void> {
  await new SimulatedOperator(pool).topUp(
    phoneNumber,
    operator,
    amountMinor,
    `test-topup:${phoneNumber}:${amountMinor}:${Date.now()}`,
  );
}

export async function airtimeBalance(pool: Pool, phoneNumber: string): Promise<bigint> {
  const { rows } = await pool.query<{ balance_minor: string }>(
    'SELECT balance_minor FROM sim_telco_accounts WHERE phone_number = $1',
    [phoneNumber],
  );
  return BigInt(rows[0]?.balance_minor ?? '0');
}

export async function telcoOperations(pool: Pool, phoneNumber: string) {
  const { rows } = await pool.query<{ reference: string; kind: string; amount_minor: string; status: string }>(
    "SELECT reference, kind, amount_minor, status FROM sim_telco_operations WHERE (phone_number = $1 OR counterparty = $1) AND kind <> 'topup' ORDER BY created_at",
    [phoneNumber],
  );
  return rows.map((r) => ({
    reference: r.reference,
    kind: r.kind,
    amountMinor: BigInt(r.amount_minor),
    status: r.status,
  }));
}

export async function smsTo(pool: Pool, phoneNumber: string): Promise<string[]> {
  const { rows } = await pool.query<{ message: string }>(
    'SELECT message FROM sim_telco_sms WHERE phone_number = $1 ORDER BY id',
    [phoneNumber],
  );
  return rows.map((r) => r.message);
}

/** A fresh, valid Airtel Kenya number nobody else in this run uses. */
export function newAirtelKeNumber(): string {
  return `+25473${String(randomInt(0, 10_000_000)).padStart(7, '0')}`;
}

/** TXTC minted straight into the number's custodial wallet (created if need be); returns the wallet. */
export async function fundTxtc(runtime: Runtime, phoneNumber: string, amount: bigint): Promise<string> {
  const wallet = await new WalletDirectory(createWalletRepo(runtime.pool), runtime.config.walletMnemonic).ensure(
    phoneNumber,
  );
  const token = new TxtcToken(
    runtime.addresses.txtc,
    runtime.provider,
    runtime.writer,
    runtime.addresses.txtcFromBlock,
  );
  await token.mintOnce(wallet, amount, `test-fund:${phoneNumber}:${randomUUID()}`, 30000);
  return wallet;
}

/** The number's TXTC on chain, in base units (0 without a wallet). */
export async function txtcBalance(runtime: Runtime, phoneNumber: string): Promise<bigint> {
  const wallet = await new WalletDirectory(createWalletRepo(runtime.pool), runtime.config.walletMnemonic).find(
    phoneNumber,
  );
  if (!wallet) return 0n;
  return new TxtcToken(runtime.addresses.txtc, runtime.provider).balanceOf(wallet);
}

/**
 * A fresh Safaricom number registered in English with KES 5,000.00 of airtime and the PIN given (hashed with
 * `pepper`, PIN_PEPPER, when given).
 */
export async function registeredPayer(pool: Pool, pin = '2468', pepper?: string): Promise<string> {
  const phone = newSafaricomNumber();
  await topUp(pool, phone, 'safaricom-ke', 500000n);
  const ussd = createUssdRepo(pool);
  await ussd.setPin(phone, await hashPin(pin, pepper));
  await ussd.completeRegistration(phone, 'en');
  return phone;
}
