/**
 * What an inbound SMS needs while it is read: who sent it, what TXTC an amount of airtime buys now, what a
 * request is worth in USD (large ones wait for YES <pin>), and the wait itself.
 */
import type { ConfirmationOutcome } from '../lib/db/sms-confirmations';
import { MICRO_USD, USD_CENTS, quoteWithRates, usdMicrosOfTxtc } from '../lib/money/conversion';
import { divCeil } from '../lib/money/decimal';
import type { Amount } from '../lib/sms/parser';
import type { Language } from '../lib/ussd/types';
import type { FactoryDeps } from './shared';

export function createSmsActivities(
  deps: FactoryDeps<'rates' | 'ussd' | 'smsConfirmations' | 'tenantApprovals', 'fees' | 'ussd' | 'sms' | 'limits'>,
) {
  return {
    /**
     * The sender's currency (for amounts without one), language (for replies), the code to dial, whether
     * they have a usable PIN, and above what USD value (cents) a request waits for YES <pin>, and how long.
     */
    async smsSender(input: { phoneNumber: string; operator: string }): Promise<{
      currency: string;
      minorDigits: number;
      language?: Language;
      shortcode: string;
      pin: 'set' | 'none' | 'locked';
      confirmAboveUsdCents: string;
      confirmTimeoutSeconds: number;
      /** HELP's example amount: whole dollars, at least twice the minimum, so every command in HELP works */
      exampleUsd?: string;
    }> {
      const [rate, profile] = await Promise.all([
        deps.rates.operatorRate(input.operator),
        deps.ussd.profile(input.phoneNumber),
      ]);
      return {
        currency: rate.currency,
        minorDigits: rate.minorDigits,
        ...(profile?.language ? { language: profile.language } : {}),
        shortcode: deps.config.ussd.shortcode,
        pin: !profile?.pinHash ? 'none' : profile.pinLockedAt ? 'locked' : 'set',
        confirmAboveUsdCents: deps.config.sms.confirmAboveUsdCents.toString(),
        confirmTimeoutSeconds: deps.config.sms.confirmTimeoutSeconds,
        exampleUsd: `$${(deps.config.limits.minUsdCents * 2n + 99n) / 100n}`,
      };
    },

    /** What a typed amount is worth now, in US cents rounded up (a request at the threshold's edge asks). */
    async smsUsdCents(input: { operator: string; amount: Amount }): Promise<string> {
      const a = input.amount;
      if (a.unit === 'usd') return a.usdCents;
      if (a.unit === 'local') {
        const rate = await deps.rates.operatorRate(input.operator);
        return divCeil(BigInt(a.amountMinor) * USD_CENTS, rate.minorUnitsPerUsd).toString();
      }
      const micros = usdMicrosOfTxtc(BigInt(a.txtcBaseUnits), await deps.rates.txtcRate());
      return divCeil(micros * USD_CENTS, MICRO_USD).toString();
    },

    /** The request waits for its number's YES <pin> or NO until `expiresAt` (epoch ms). */
    async openSmsConfirmation(input: { workflowId: string; phoneNumber: string; expiresAt: number }): Promise<void> {
      await deps.smsConfirmations.open(input.workflowId, input.phoneNumber, new Date(input.expiresAt));
    },

    /** SMS STOP <tenant>: the tenant reads the number no more; false when it could not anyway. */
    async revokeTenant(input: { phoneNumber: string; tenant: string }): Promise<boolean> {
      return deps.tenantApprovals.revoke(input.phoneNumber, input.tenant);
    },

    /** The payer said YES to a tenant's debit: that tenant may read the number's balance and history. */
    async approveTenant(input: { phoneNumber: string; tenant: string }): Promise<void> {
      await deps.tenantApprovals.approve(input.phoneNumber, input.tenant);
    },

    /** A payer's consent wait, opened only when no other request of the number waits (see openAlone). */
    async openConsent(input: {
      workflowId: string;
      phoneNumber: string;
      expiresAt: number;
      /** what the payer is asked to allow, shown when they dial USSD */
      action?: string;
    }): Promise<boolean> {
      return deps.smsConfirmations.openAlone(
        input.workflowId,
        input.phoneNumber,
        new Date(input.expiresAt),
        input.action,
      );
    },

    async closeSmsConfirmation(input: { workflowId: string; outcome: ConfirmationOutcome }): Promise<void> {
      await deps.smsConfirmations.close(input.workflowId, input.outcome);
    },

    /** "SEND KES 100 TO ...": the TXTC that this airtime buys now, after fees (base units). */
    async txtcForAirtime(input: { operator: string; amountMinor: string }): Promise<string> {
      const rate = await deps.rates.operatorRate(input.operator);
      return quoteWithRates(
        BigInt(input.amountMinor),
        rate,
        await deps.rates.txtcRate(),
        deps.config.fees,
      ).txtcNet.toString();
    },
  };
}

export type SmsActivities = ReturnType<typeof createSmsActivities>;
