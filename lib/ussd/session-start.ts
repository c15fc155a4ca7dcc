/**
 * What a USSD session starts with: the person as the menu sees them and the state of their session
 * dropped within the resume window (taken once), and a request waiting for their consent. The API reads it on a
 * session's first hop (in the dial's one statement, lib/db/ussd.ts openDial) and passes it with the workflow's
 * start, so the first screen needs no lookup inside the workflow; the workflow's activity loads it itself.
 */
import type { Config } from '../config';
import type { RateService } from '../rates';
import type { UssdProfileRow, UssdRepo } from '../db/ussd';
import type { SmsConfirmationRepo } from '../db/sms-confirmations';
import { airtimeForUsdCents, type OperatorRate } from '../money/conversion';
import type { MenuState, Profile } from './types';

export interface SessionStart {
  profile: Profile;
  resumable?: MenuState;
}

/** The start, from what was read: the number's registration (none yet), its operator's rate, and the rest. */
export function sessionStartOf(
  read: {
    row: UssdProfileRow | undefined;
    rate: OperatorRate;
    resumable: MenuState | undefined;
    consent: { workflowId: string; action: string } | undefined;
  },
  input: { phoneNumber: string; operator: string },
  config: Pick<Config, 'limits' | 'ussd'>,
): SessionStart {
  const { row, rate, resumable, consent } = read;
  const { limits } = config;
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
    shortcode: config.ussd.shortcode,
    ...(consent ? { consent } : {}),
  };
  return resumable ? { profile, resumable } : { profile };
}

export async function loadSessionStart(
  deps: {
    rates: RateService;
    ussd: UssdRepo;
    smsConfirmations: SmsConfirmationRepo;
    config: Pick<Config, 'limits' | 'ussd'>;
  },
  input: { phoneNumber: string; operator: string; resumeWindowSeconds: number },
): Promise<SessionStart> {
  const [row, rate, resumable, consent] = await Promise.all([
    deps.ussd.profile(input.phoneNumber),
    deps.rates.operatorRate(input.operator),
    deps.ussd.takeResumable(input.phoneNumber, input.resumeWindowSeconds),
    deps.smsConfirmations.waitingConsent(input.phoneNumber),
  ]);
  return sessionStartOf({ row, rate, resumable, consent }, input, deps.config);
}
