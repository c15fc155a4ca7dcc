/**
 * Every SMS the money workflows send, one catalogue per language, chosen by the number's language
 * (remembered from USSD; English when the number never chose). Pure: workflows import it. Values come
 * formatted (lib/money/format). A refusal's reason: English shows the failure's own sentence (what records
 * keep); Swahili words it from the failure type and the limit that was passed (`reason`).
 */
import { FailureTypes } from '../definitions/errors';
import type { Language } from '../ussd/types';

/**
 * Why a movement was refused before anything moved: the failure's type and English sentence, and for a
 * limit the limit as the person reads it ("KES 129.00 ($1.00)"), so each language words the reason itself.
 */
export interface Refusal {
  type: string;
  message: string;
  limit?: string;
}

/** The refusals whose reason every catalogue words (`reason`), so a person reads why. */
const WORDED_REFUSALS: ReadonlySet<string> = new Set([
  FailureTypes.AmountBelowMinimum,
  FailureTypes.AmountAboveMaximum,
  FailureTypes.DailyLimitExceeded,
  FailureTypes.SelfTransfer,
  FailureTypes.UnsupportedTransfer,
  FailureTypes.AmountTooSmall,
  FailureTypes.InvalidRequest,
]);

/** The money movements that can be refused before anything moved, as their SMS name them. */
export type RefusedMovement = 'buy' | 'transfer' | 'swap';

/** A movement's own refusal texts: a worded reason, too little airtime or TXTC, cancelled, anything else. */
export interface RefusalTexts {
  refused: (refusal: Refusal) => string;
  noAirtime?: (amount: string) => string;
  noTxtc?: (amount: string) => string;
  cancelled?: string;
  failed: string;
}

/**
 * What a person reads when their movement was refused before anything moved, by failure type, the one rule
 * for every movement: the fraud rules' and the consent's own texts, the worded reason, then too little airtime
 * or TXTC and cancelled where the movement has a text for them, else its general failure. `amount`: the amount
 * as the SMS names it, or none when the refusal came before the quote (the catalogue's `unquoted`).
 */
export function refusalSms(
  texts: SmsTexts,
  movement: RefusedMovement,
  refusal: Refusal,
  quoted: string | undefined,
): string {
  const own = texts.refusals[movement];
  const amount = quoted ?? texts.unquoted;
  switch (refusal.type) {
    case FailureTypes.NumberBlocked:
      return texts.notAllowed;
    case FailureTypes.PinLocked:
      return texts.confirmLocked;
    case FailureTypes.ConsentRefused:
      return texts.confirmDeclined;
    case FailureTypes.ConsentExpired:
      return texts.confirmExpired;
    case FailureTypes.VelocityExceeded:
      return texts.tooManyRequests;
    case FailureTypes.HoldRejected:
      return texts.holdRejected(amount);
    case FailureTypes.HoldExpired:
      return texts.holdExpired(amount);
    case FailureTypes.InsufficientAirtime:
      return own.noAirtime?.(amount) ?? own.failed;
    case FailureTypes.InsufficientTxtc:
      return own.noTxtc?.(amount) ?? own.failed;
    case FailureTypes.Cancelled:
      return own.cancelled ?? own.failed;
    default:
      return WORDED_REFUSALS.has(refusal.type) ? own.refused(refusal) : own.failed;
  }
}

export interface SmsTexts {
  // Conversions
  bought: (v: { txtc: string; airtime: string; usd: string; wallet: string; tx: string }) => string;
  /** before a debit the person approves on the handset (MoMo, Airtel Money) */
  approvePayment: (amount: string) => string;
  /** a refusal's reason, lower case, for each movement's `refused` */
  reason: (refusal: Refusal) => string;
  /** what a movement refused before anything moved says (refusalSms picks the text) */
  refusals: Record<RefusedMovement, RefusalTexts>;
  /** the amount, named in a refusal that came before the quote */
  unquoted: string;
  buyRefunded: (airtime: string) => string;
  buyRefundDelayed: (airtime: string) => string;
  // Transfers
  sentAirtime: (v: { amount: string; to: string; balance?: string; ref: string }) => string;
  receivedAirtime: (v: { amount: string; from: string; balance?: string }) => string;
  /** for a receiver who never used the service */
  dialHint: (shortcode: string) => string;
  transferRefunded: (v: { amount: string; to: string }) => string;
  creditFailedReceiver: (v: { amount: string; from: string }) => string;
  transferRefundDelayed: (v: { amount?: string; to: string }) => string;
  transferShortOfAirtime: (txtc: string) => string;
  sentTxtc: (v: { amount: string; to: string; tx: string }) => string;
  receivedTxtc: (v: { amount: string; from: string; tx: string }) => string;
  convertedAndSent: (v: {
    airtime: string;
    usd: string;
    converted: string;
    amount: string;
    to: string;
    tx: string;
    all: boolean;
  }) => string;
  sendFailedKeepTxtc: (v: { airtime: string; converted: string; amount: string; to: string }) => string;
  // Replies to SMS commands
  /** `example`: an amount every command takes, above the minimum ("$2") */
  help: (shortcode: string, example?: string) => string;
  voucherOverLimit: (dailyLimit: string) => string;
  /** STOP <tenant>: done, or there was nothing to stop */
  tenantStopped: (tenant: string) => string;
  tenantNotApproved: (tenant: string) => string;
  notUnderstood: (shortcode: string) => string;
  balanceReply: (v: { airtime: string; txtc: string }) => string;
  airtimeReply: (airtime: string) => string;
  historyReply: (lines: string[]) => string;
  noHistory: string;
  // Vouchers (REDEEM)
  voucherRedeemed: (v: { amount: string; wallet: string; tx: string }) => string;
  voucherDelayed: (amount: string) => string;
  voucherUnknown: string;
  voucherUsed: string;
  voucherExpired: string;
  // Swaps (SWAP)
  swapped: (v: { txtc: string; airtime: string; fee: string; balance?: string }) => string;
  swapReturned: (amount: string) => string;
  swapReturnDelayed: (amount: string) => string;
  // Confirmations (YES <pin> / NO)
  /** what a request does, as the confirmation prompt names it */
  action: (
    v:
      | { command: 'buy'; amount: string }
      | { command: 'send' | 'transfer'; amount: string; to: string }
      | { command: 'swap'; amount: string },
  ) => string;
  confirmPrompt: (v: { action: string; minutes: number }) => string;
  confirmNeedsPin: (shortcode: string) => string;
  confirmWrongPin: (attemptsLeft: number) => string;
  confirmLocked: string;
  confirmDeclined: string;
  confirmExpired: string;
  confirmPinMissing: string;
  nothingToConfirm: string;
  // Fraud rules: refused outright, or held for review (`amount` as the request names it)
  notAllowed: string;
  tooManyRequests: string;
  heldForReview: (v: { amount: string; hours: number }) => string;
  holdApproved: (amount: string) => string;
  holdRejected: (amount: string) => string;
  holdExpired: (amount: string) => string;
}

export const en: SmsTexts = {
  tenantStopped: (tenant) => `Done: ${tenant} can no longer see your balance or history.`,
  tenantNotApproved: (tenant) => `${tenant} could not see your balance or history.`,
  voucherOverLimit: (limit) =>
    `This voucher would pass your daily limit of ${limit}. Nothing was used; try again tomorrow.`,
  help: (shortcode, example = '$2') =>
    `TXTC: BUY ${example} | BALANCE | AIRTIME | SEND ${example} TO 07.. | TRANSFER ${example} TO 07.. | SWAP ${example} | REDEEM code | HISTORY. Or dial ${shortcode}`,
  notUnderstood: (shortcode) => `Sorry, we did not understand. Send HELP for the commands, or dial ${shortcode}.`,
  balanceReply: (v) => `Balance: airtime ${v.airtime}, TXTC ${v.txtc}.`,
  airtimeReply: (airtime) => `Airtime balance: ${airtime}.`,
  historyReply: (lines) => `Last transactions: ${lines.join('; ')}`,
  noHistory: 'No transactions yet.',
  voucherRedeemed: (v) => `Voucher redeemed: ${v.amount} added to your wallet ${v.wallet}. TX: ${v.tx}`,
  voucherDelayed: (amount) => `Voucher accepted; adding ${amount} to your wallet is delayed. Support has been alerted.`,
  voucherUnknown: 'That voucher code is not valid. Check the code and try again.',
  voucherUsed: 'That voucher code has already been used.',
  voucherExpired: 'That voucher code has expired.',
  swapped: (v) =>
    `Swapped ${v.txtc} for ${v.airtime} airtime (fee ${v.fee}).${v.balance ? ` Airtime balance: ${v.balance}.` : ''}`,
  swapReturned: (amount) => `Swap failed: the airtime could not be credited, so your ${amount} was returned.`,
  swapReturnDelayed: (amount) =>
    `Swap failed: the airtime could not be credited and returning your ${amount} is delayed. Support has been alerted.`,
  action: (v) =>
    v.command === 'buy'
      ? `buy TXTC with ${v.amount}`
      : v.command === 'swap'
        ? `swap ${v.amount} for airtime`
        : v.command === 'transfer'
          ? `send ${v.amount} airtime to ${v.to}`
          : `send ${v.amount} to ${v.to}`,
  confirmPrompt: (v) =>
    `To ${v.action}, reply YES and your PIN (e.g. YES 1234) within ${v.minutes} min. Reply NO to cancel.`,
  confirmNeedsPin: (shortcode) => `Large amounts need your PIN. Dial ${shortcode} to set one. Nothing was sent.`,
  confirmWrongPin: (left) => `Wrong PIN. ${left} ${left === 1 ? 'try' : 'tries'} left. Reply YES and your PIN.`,
  confirmLocked: 'Your PIN is locked after too many wrong tries. Nothing was sent. Contact support to reset it.',
  confirmDeclined: 'Cancelled. Nothing was sent.',
  confirmExpired: 'Not confirmed in time. Nothing was sent.',
  confirmPinMissing: 'Reply YES and your 4-digit PIN, e.g. YES 1234.',
  nothingToConfirm: 'There is nothing waiting for your confirmation.',
  bought: (v) => `You bought ${v.txtc} TXTC with ${v.airtime} airtime (${v.usd}). Wallet: ${v.wallet} TX: ${v.tx}`,
  approvePayment: (amount) =>
    `Approve the payment of ${amount} on your phone: enter your mobile money PIN when asked. Nothing is taken until you approve.`,
  reason: (r) => r.message,
  unquoted: 'the amount',
  refusals: {
    buy: {
      refused: (r) => `TXTC purchase failed: ${en.reason(r)}. Nothing was charged.`,
      noAirtime: (amount) => `TXTC purchase failed: you do not have ${amount} of airtime. Nothing was charged.`,
      cancelled: 'TXTC purchase cancelled. Nothing was charged.',
      failed: 'TXTC purchase failed. Nothing was charged. Please try again later.',
    },
    transfer: {
      refused: (r) => `Transfer failed: ${en.reason(r)}. Nothing was sent.`,
      noAirtime: (amount) => `Transfer failed: you do not have ${amount} of airtime. Nothing was sent.`,
      noTxtc: (amount) => `Transfer failed: you do not have ${amount}. Nothing was sent.`,
      cancelled: 'Transfer cancelled. Nothing was sent.',
      failed: 'Transfer failed. Nothing was sent. Please try again later.',
    },
    swap: {
      refused: (r) => `Swap failed: ${en.reason(r)}. Nothing was taken.`,
      noTxtc: (amount) => `Swap failed: you do not have ${amount}. Nothing was taken.`,
      failed: 'Swap failed. Nothing was taken. Please try again later.',
    },
  },
  buyRefunded: (airtime) => `TXTC purchase failed; your ${airtime} airtime has been refunded.`,
  buyRefundDelayed: (airtime) =>
    `TXTC purchase failed; the refund of your ${airtime} airtime is delayed. Support has been alerted.`,
  sentAirtime: (v) =>
    `You sent ${v.amount} airtime to ${v.to}.${v.balance ? ` New balance: ${v.balance}.` : ''} Ref: ${v.ref}`,
  receivedAirtime: (v) =>
    `You received ${v.amount} airtime from ${v.from}.${v.balance ? ` New balance: ${v.balance}.` : ''}`,
  dialHint: (shortcode) => ` Dial ${shortcode} to send it on or buy TXTC with it.`,
  transferRefunded: (v) => `Your transfer of ${v.amount} airtime to ${v.to} failed; the airtime was refunded to you.`,
  creditFailedReceiver: (v) =>
    `${v.amount} airtime from ${v.from} could not be credited to your number. Nothing changed.`,
  transferRefundDelayed: (v) =>
    `Your transfer to ${v.to} failed; the refund of ${v.amount ?? 'your airtime'} is delayed. Support has been alerted.`,
  transferShortOfAirtime: (txtc) =>
    `Transfer failed: you do not have enough airtime to buy the ${txtc} TXTC you are short of. Nothing was sent.`,
  sentTxtc: (v) => `You sent ${v.amount} to ${v.to}. TX: ${v.tx}`,
  receivedTxtc: (v) => `Received ${v.amount} from ${v.from}. TX: ${v.tx}`,
  convertedAndSent: (v) =>
    v.all
      ? `Converted ${v.airtime} (${v.usd}) airtime to ${v.amount} and sent to ${v.to}. TX: ${v.tx}`
      : `Converted ${v.airtime} (${v.usd}) airtime to ${v.converted} and sent ${v.amount} to ${v.to}. TX: ${v.tx}`,
  sendFailedKeepTxtc: (v) =>
    `Converted ${v.airtime} airtime to ${v.converted}, but sending ${v.amount} to ${v.to} failed. The TXTC is in your wallet.`,
  notAllowed: 'This request is not allowed. Nothing was taken. Please contact support.',
  tooManyRequests: 'Too many requests from your number in a short time. Nothing was taken. Please try again later.',
  heldForReview: (v) =>
    `Your request of ${v.amount} is being reviewed. You will get an SMS within ${v.hours} hours. Nothing has been taken yet.`,
  holdApproved: (amount) => `Your request of ${amount} was approved and is being processed.`,
  holdRejected: (amount) => `Your request of ${amount} was not approved. Nothing was taken.`,
  holdExpired: (amount) => `Your request of ${amount} could not be reviewed in time. Nothing was taken.`,
};

export const sw: SmsTexts = {
  tenantStopped: (tenant) => `Imekamilika: ${tenant} haiwezi tena kuona salio au historia yako.`,
  tenantNotApproved: (tenant) => `${tenant} haikuweza kuona salio au historia yako.`,
  voucherOverLimit: (limit) => `Vocha hii ingezidi kikomo chako cha siku cha ${limit}. Haijatumika; jaribu tena kesho.`,
  help: (shortcode, example = '$2') =>
    `TXTC: NUNUA ${example} | SALIO | SALIO LA MUDA | TUMA ${example} KWA 07.. | HAMISHA ${example} KWA 07.. | BADILISHA ${example} | KOMBOA nambari | HISTORIA. Au piga ${shortcode}`,
  notUnderstood: (shortcode) => `Samahani, hatukuelewa. Tuma MSAADA kwa maagizo, au piga ${shortcode}.`,
  balanceReply: (v) => `Salio: muda wa maongezi ${v.airtime}, TXTC ${v.txtc}.`,
  airtimeReply: (airtime) => `Salio la muda wa maongezi: ${airtime}.`,
  historyReply: (lines) => `Miamala ya karibuni: ${lines.join('; ')}`,
  noHistory: 'Bado huna miamala.',
  voucherRedeemed: (v) => `Vocha imetumika: ${v.amount} zimeongezwa kwenye pochi yako ${v.wallet}. TX: ${v.tx}`,
  voucherDelayed: (amount) =>
    `Vocha imekubaliwa; kuongeza ${amount} kwenye pochi yako kumechelewa. Huduma kwa wateja imearifiwa.`,
  voucherUnknown: 'Nambari ya vocha si sahihi. Hakikisha nambari na ujaribu tena.',
  voucherUsed: 'Nambari ya vocha imeshatumika.',
  voucherExpired: 'Muda wa vocha umekwisha.',
  swapped: (v) =>
    `Umebadilisha ${v.txtc} kuwa muda wa maongezi ${v.airtime} (ada ${v.fee}).${v.balance ? ` Salio la muda: ${v.balance}.` : ''}`,
  swapReturned: (amount) =>
    `Kubadilisha hakukufanikiwa: muda wa maongezi haukuweza kuwekwa, ${amount} zako zimerudishwa.`,
  swapReturnDelayed: (amount) =>
    `Kubadilisha hakukufanikiwa; kurudishiwa ${amount} zako kumechelewa. Huduma kwa wateja imearifiwa.`,
  action: (v) =>
    v.command === 'buy'
      ? `kununua TXTC kwa ${v.amount}`
      : v.command === 'swap'
        ? `kubadilisha ${v.amount} kuwa muda wa maongezi`
        : v.command === 'transfer'
          ? `kutuma muda wa maongezi ${v.amount} kwa ${v.to}`
          : `kutuma ${v.amount} kwa ${v.to}`,
  confirmPrompt: (v) =>
    `Ili ${v.action}, jibu NDIO na PIN yako (mf. NDIO 1234) ndani ya dakika ${v.minutes}. Jibu HAPANA kughairi.`,
  confirmNeedsPin: (shortcode) => `Kiasi kikubwa kinahitaji PIN. Piga ${shortcode} kuweka PIN. Hakuna kilichotumwa.`,
  confirmWrongPin: (left) => `PIN si sahihi. Umebakiza majaribio ${left}. Jibu NDIO na PIN yako.`,
  confirmLocked: 'PIN yako imefungwa baada ya majaribio mengi. Hakuna kilichotumwa. Wasiliana na huduma kwa wateja.',
  confirmDeclined: 'Imeghairiwa. Hakuna kilichotumwa.',
  confirmExpired: 'Haikuthibitishwa kwa wakati. Hakuna kilichotumwa.',
  confirmPinMissing: 'Jibu NDIO na PIN yako ya tarakimu 4, mf. NDIO 1234.',
  nothingToConfirm: 'Hakuna ombi linalosubiri uthibitisho wako.',
  bought: (v) => `Umenunua TXTC ${v.txtc} kwa muda wa maongezi ${v.airtime} (${v.usd}). Pochi: ${v.wallet} TX: ${v.tx}`,
  approvePayment: (amount) =>
    `Idhinisha malipo ya ${amount} kwenye simu yako: weka PIN ya pesa ya simu ukiombwa. Hakuna kinachochukuliwa kabla hujaidhinisha.`,
  reason: (r) => {
    switch (r.type) {
      case FailureTypes.AmountBelowMinimum:
        return r.limit ? `kiwango cha chini ni ${r.limit}` : 'kiasi ni kidogo mno';
      case FailureTypes.AmountAboveMaximum:
        return r.limit ? `kiwango cha juu ni ${r.limit}` : 'kiasi ni kikubwa mno';
      case FailureTypes.DailyLimitExceeded:
        return `kiasi hiki kingezidi kikomo chako cha siku${r.limit ? ` cha ${r.limit}` : ''}`;
      case FailureTypes.SelfTransfer:
        return 'huwezi kutuma kwa namba yako mwenyewe';
      case FailureTypes.UnsupportedTransfer:
        return 'muda wa maongezi hutumwa kwa sarafu ileile tu; tuma TXTC badala yake';
      case FailureTypes.AmountTooSmall:
        return 'kiasi ni kidogo mno kulipia ada';
      case FailureTypes.InvalidRequest:
        return 'ombi si sahihi';
      default:
        return 'ombi haliruhusiwi';
    }
  },
  unquoted: 'kiasi hicho',
  refusals: {
    buy: {
      refused: (r) => `Ununuzi wa TXTC haukufanikiwa: ${sw.reason(r)}. Hukutozwa chochote.`,
      noAirtime: (amount) => `Ununuzi wa TXTC haukufanikiwa: huna muda wa maongezi wa ${amount}. Hukutozwa chochote.`,
      cancelled: 'Ununuzi wa TXTC umeghairiwa. Hukutozwa chochote.',
      failed: 'Ununuzi wa TXTC haukufanikiwa. Hukutozwa chochote. Tafadhali jaribu tena baadaye.',
    },
    transfer: {
      refused: (r) => `Uhamisho haukufanikiwa: ${sw.reason(r)}. Hakuna kilichotumwa.`,
      noAirtime: (amount) => `Uhamisho haukufanikiwa: huna muda wa maongezi wa ${amount}. Hakuna kilichotumwa.`,
      noTxtc: (amount) => `Uhamisho haukufanikiwa: huna ${amount}. Hakuna kilichotumwa.`,
      cancelled: 'Uhamisho umeghairiwa. Hakuna kilichotumwa.',
      failed: 'Uhamisho haukufanikiwa. Hakuna kilichotumwa. Tafadhali jaribu tena baadaye.',
    },
    swap: {
      refused: (r) => `Kubadilisha hakukufanikiwa: ${sw.reason(r)}. Hakuna kilichochukuliwa.`,
      noTxtc: (amount) => `Kubadilisha hakukufanikiwa: huna ${amount}. Hakuna kilichochukuliwa.`,
      failed: 'Kubadilisha hakukufanikiwa. Hakuna kilichochukuliwa. Tafadhali jaribu tena baadaye.',
    },
  },
  buyRefunded: (airtime) => `Ununuzi wa TXTC haukufanikiwa; muda wako wa maongezi ${airtime} umerudishwa.`,
  buyRefundDelayed: (airtime) =>
    `Ununuzi wa TXTC haukufanikiwa; kurudishiwa muda wa maongezi ${airtime} kumechelewa. Huduma kwa wateja imearifiwa.`,
  sentAirtime: (v) =>
    `Umetuma muda wa maongezi ${v.amount} kwa ${v.to}.${v.balance ? ` Salio jipya: ${v.balance}.` : ''} Kumb: ${v.ref}`,
  receivedAirtime: (v) =>
    `Umepokea muda wa maongezi ${v.amount} kutoka ${v.from}.${v.balance ? ` Salio jipya: ${v.balance}.` : ''}`,
  dialHint: (shortcode) => ` Piga ${shortcode} kuutuma au kununua TXTC.`,
  transferRefunded: (v) => `Uhamisho wa muda wa maongezi ${v.amount} kwa ${v.to} haukufanikiwa; umerudishiwa.`,
  creditFailedReceiver: (v) =>
    `Muda wa maongezi ${v.amount} kutoka ${v.from} haukuweza kuwekwa kwenye namba yako. Hakuna kilichobadilika.`,
  transferRefundDelayed: (v) =>
    `Uhamisho kwa ${v.to} haukufanikiwa; kurudishiwa ${v.amount ?? 'muda wako wa maongezi'} kumechelewa. Huduma kwa wateja imearifiwa.`,
  transferShortOfAirtime: (txtc) =>
    `Uhamisho haukufanikiwa: huna muda wa maongezi wa kutosha kununua TXTC ${txtc} unazokosa. Hakuna kilichotumwa.`,
  sentTxtc: (v) => `Umetuma ${v.amount} kwa ${v.to}. TX: ${v.tx}`,
  receivedTxtc: (v) => `Umepokea ${v.amount} kutoka ${v.from}. TX: ${v.tx}`,
  convertedAndSent: (v) =>
    v.all
      ? `Muda wa maongezi ${v.airtime} (${v.usd}) umebadilishwa kuwa ${v.amount} na kutumwa kwa ${v.to}. TX: ${v.tx}`
      : `Muda wa maongezi ${v.airtime} (${v.usd}) umebadilishwa kuwa ${v.converted}; ${v.amount} zimetumwa kwa ${v.to}. TX: ${v.tx}`,
  sendFailedKeepTxtc: (v) =>
    `Muda wa maongezi ${v.airtime} umebadilishwa kuwa ${v.converted}, lakini kutuma ${v.amount} kwa ${v.to} hakukufanikiwa. TXTC ziko kwenye pochi yako.`,
  notAllowed: 'Ombi hili haliruhusiwi. Hakuna kilichochukuliwa. Tafadhali wasiliana na huduma kwa wateja.',
  tooManyRequests: 'Maombi mengi mno kutoka namba yako kwa muda mfupi. Hakuna kilichochukuliwa. Jaribu tena baadaye.',
  heldForReview: (v) =>
    `Ombi lako la ${v.amount} linakaguliwa. Utapata SMS ndani ya saa ${v.hours}. Hakuna kilichochukuliwa bado.`,
  holdApproved: (amount) => `Ombi lako la ${amount} limekubaliwa na linashughulikiwa.`,
  holdRejected: (amount) => `Ombi lako la ${amount} halikukubaliwa. Hakuna kilichochukuliwa.`,
  holdExpired: (amount) => `Ombi lako la ${amount} halikuweza kukaguliwa kwa wakati. Hakuna kilichochukuliwa.`,
};

const CATALOGUES: Record<Language, SmsTexts> = { en, sw };

export function smsTexts(language: Language | undefined): SmsTexts {
  return CATALOGUES[language ?? 'en'];
}
