/**
 * What a USSD session starts with: the person as the menu sees them and the state of their session
 * dropped within the resume window (taken once), and a request waiting for their consent. The API reads it on a session's first hop and passes it
 * with the workflow's start, so the first screen needs no lookup inside the workflow.
 */
import type { Config } from '../config';
import type { RateService } from '../rates';
import type { UssdRepo } from '../db/ussd';
import type { SmsConfirmationRepo } from '../db/sms-confirmations';
import { airtimeForUsdCents } from '../money/conversion';
import type { MenuState, Profile } from './types';

export async function loadSessionStart(
  deps: {
    rates: RateService;
    ussd: UssdRepo;
    smsConfirmations: SmsConfirmationRepo;
    config: Pick<Config, 'limits' | 'ussd'>;
  },
  input: { phoneNumber: string; operator: string; resumeWindowSeconds: number },
): Promise<{ profile: Profile; resumable?: MenuState }> {
  const { limits } = deps.config;
  const [row, rate, resumable, consent] = await Promise.all([
    deps.ussd.profile(input.phoneNumber),
    deps.rates.operatorRate(input.operator),
    deps.ussd.takeResumable(input.phoneNumber, input.resumeWindowSeconds),
    deps.smsConfirmations.waitingConsent(input.phoneNumber),
  ]);
  const profile: Profile = {
    phoneNumber: input.phoneNumber,
    operator: input.operator,
    currency: rate.currency,
    minorDigits: rate.minorDigits,
    ...(row?.language ? { language: row.language } : {}),
    registered: !!row?.registeredAt,
    // ops reset the PIN (or it never got stored): a new one before anything else
    pinResetRequired: !!row?.registeredAt && (row.pinResetRequired || !row.pinHash),
    pinLocked: !!row?.pinLockedAt,
    minAirtimeMinor: airtimeForUsdCents(limits.minUsdCents, rate).toString(),
    maxAirtimeMinor: ((limits.maxUsdCents * rate.minorUnitsPerUsd) / 100n).toString(),
    shortcode: deps.config.ussd.shortcode,
    ...(consent ? { consent } : {}),
  };
  return resumable ? { profile, resumable } : { profile };
}
