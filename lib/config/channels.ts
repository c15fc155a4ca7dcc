/** What people meet on USSD and SMS: sessions, confirmations, consent to a debit, vouchers. */
import { z } from 'zod';
import { decimal, int } from './kinds';
import { variable } from './variable';

export const channelVariables = {
  ussd: {
    shortcode: variable(
      'USSD_SHORTCODE',
      z
        .string()
        .regex(/^\*[\d*]+#$/, 'must look like *123*456#')
        .default('*123*456#'),
    ),
    sessionTimeoutSeconds: variable('USSD_SESSION_TIMEOUT', int(10, 3600).default(180)),
    idleTimeoutSeconds: variable('USSD_IDLE_TIMEOUT', int(2, 600).default(60)),
    resumeWindowSeconds: variable('USSD_RESUME_WINDOW', int(0, 600).default(60)),
  },
  sms: {
    /** SMS money commands worth more than this wait for YES <pin> */
    confirmAboveUsdCents: variable('SMS_CONFIRM_ABOVE_USD', decimal(2, '20')),
    confirmTimeoutSeconds: variable('SMS_CONFIRM_TIMEOUT', int(10, 3600).default(300)),
  },
  vouchers: {
    /** no voucher is issued worth more than this at the current rate */
    maxUsdCents: variable('VOUCHER_MAX_USD', decimal(2, '100')),
    /** a redemption worth more waits for ops (approveHeld / rejectHeld) before it mints (0: off) */
    holdAboveUsdCents: variable('VOUCHER_HOLD_ABOVE_USD', decimal(2, '50')),
    /** a voucher issued without an expiry expires after this many days */
    expiryDays: variable('VOUCHER_EXPIRY_DAYS', int(1, 365).default(30)),
  },
  /** seconds a REST debit by a key that is not trusted waits for the payer's YES <PIN> */
  payerConsentTimeoutSeconds: variable('PAYER_CONSENT_TIMEOUT', int(5, 3600).default(300)),
};
