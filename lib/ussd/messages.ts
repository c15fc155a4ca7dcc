/**
 * Every text of the USSD menu, one catalogue per language. Screens are composed by lib/ussd/menu.ts as
 * [note line] + body + [navigation line]; each must fit 160 bytes with its "CON "/"END " prefix, so texts
 * are short on purpose (test/unit/ussd/screens.test.ts renders every screen at its longest).
 */
import type { Language } from './types';

/** Values the amount prompts show: the person's currency and the per-transaction range, formatted. */
export interface AmountRange {
  currency: string;
  min: string;
  max: string;
}

/** What a confirm screen shows (from the quote) and where the money goes. */
export interface ConfirmValues {
  airtime: string;
  txtc: string;
  fee: string;
  toPhone: string;
}

/** Short reasons shown on the first line above a screen that is shown again. */
export interface Notes {
  invalidChoice: string;
  welcome: string;
  pinFormat: string;
  pinMismatch: string;
  pinSet: string;
  pinChanged: string;
  wrongPin: (attemptsLeft: number) => string;
  amountInvalid: string;
  /** too many decimals for a currency with `digits` minor digits */
  amountDecimals: (digits: number) => string;
  amountLow: string;
  amountHigh: string;
  /** a quote under or over the per-transaction limit, e.g. "$1.00" */
  amountMin: (limit: string) => string;
  amountMax: (limit: string) => string;
  phoneInvalid: string;
  phoneCountry: string;
  phoneNetwork: string;
  phoneOwn: string;
  /** airtime stays in one currency: the receiver must be in the sender's country */
  phoneAbroad: string;
  /** a partner no longer reads the person's balance and history */
  partnerStopped: string;
}

export interface Messages {
  /** shown bilingually in both catalogues: the language is not known yet */
  chooseLanguage: string;
  resume: string;
  terms: string;
  termsRefused: (shortcode: string) => string;
  regNewPin: string;
  resetNewPin: string;
  changeNewPin: string;
  confirmPin: string;
  currentPin: string;
  mainMenu: string;
  buyAmount: (range: AmountRange) => string;
  transferPhone: string;
  transferAmount: (toPhone: string, range: AmountRange) => string;
  sendPhone: string;
  sendAmount: (toPhone: string, range: AmountRange) => string;
  buyConfirm: (v: ConfirmValues) => string;
  transferConfirm: (v: ConfirmValues) => string;
  sendConfirm: (v: ConfirmValues) => string;
  requested: string;
  locked: string;
  /** a REST request waiting for the person's approval; `action` names it ("send KES 645.00 to ...") */
  consentAsk: (action: string) => string;
  consentPin: string;
  consentApproved: string;
  consentRefused: string;
  /** the request no longer waited (answered by SMS, expired): nothing was answered here */
  consentGone: string;
  /** the partners (API tenants) that read the person's balance, numbered */
  partners: (lines: string) => string;
  noPartners: string;
  balance: (airtime: string, txtc: string) => string;
  noHistory: string;
  more: string;
  account: string;
  wallet: (address: string) => string;
  noWallet: string;
  accountLanguage: string;
  back: string;
  backHome: string;
  notes: Notes;
}

const CHOOSE_LANGUAGE = 'Choose language / Chagua lugha\n1 English\n2 Kiswahili';

export const en: Messages = {
  chooseLanguage: CHOOSE_LANGUAGE,
  resume: 'Continue where you left off?\n1 Yes\n2 No',
  terms: 'Welcome to TXTC.\nAccept the TXTC terms?\n1 Yes\n2 No',
  termsRefused: (shortcode) => `You must accept the terms to use TXTC. Dial ${shortcode} again any time.`,
  regNewPin: 'Create a 4-digit PIN:',
  resetNewPin: 'Your PIN was reset.\nSet a new 4-digit PIN:',
  changeNewPin: 'Enter a new 4-digit PIN:',
  confirmPin: 'Enter the PIN again:',
  currentPin: 'Enter your current PIN:',
  mainMenu: '1 Buy TXTC\n2 Transfer airtime\n3 Check balance\n4 Transaction history\n5 Send TXTC\n6 My account',
  buyAmount: (r) => `Buy TXTC\nEnter amount in ${r.currency} (${r.min}-${r.max})`,
  transferPhone: 'Transfer airtime\nEnter phone number:',
  transferAmount: (to, r) => `Airtime to ${to}\nEnter amount in ${r.currency} (${r.min}-${r.max})`,
  sendPhone: 'Send TXTC\nEnter phone number:',
  sendAmount: (to, r) => `TXTC to ${to}\nEnter value in ${r.currency} (${r.min}-${r.max})`,
  buyConfirm: (v) => `Pay ${v.airtime} airtime\nGet ${v.txtc} TXTC\nFee ${v.fee} TXTC\nEnter PIN to confirm`,
  transferConfirm: (v) => `Send ${v.airtime} airtime to ${v.toPhone}\nEnter PIN to confirm`,
  sendConfirm: (v) =>
    `Send ${v.txtc} TXTC (${v.airtime}) to ${v.toPhone}\nAirtime covers TXTC you lack\nEnter PIN to confirm`,
  requested: 'Request received. You will get an SMS.',
  locked: 'Too many wrong PINs: buying and sending are locked. Please contact support.',
  consentAsk: (action) => `Approve this request?\n${action}\n1 Approve\n2 Refuse`,
  consentPin: 'Enter your PIN to approve:',
  consentApproved: 'Approved. You will get an SMS when it is done.',
  consentRefused: 'Refused. Nothing was sent.',
  consentGone: 'That request is no longer waiting. Nothing was changed.',
  partners: (lines) => `Who sees your balance:\n${lines}\nChoose one to stop it`,
  noPartners: 'No partner sees your balance.',
  balance: (airtime, txtc) => `Airtime: ${airtime}\nTXTC: ${txtc}`,
  noHistory: 'No transactions yet.',
  more: '98 More',
  account: 'My account\n1 Wallet address\n2 Language\n3 Change PIN\n4 Partners',
  wallet: (address) => `Your TXTC wallet:\n${address}`,
  noWallet: 'No wallet yet. Buy TXTC to get one.',
  accountLanguage: 'Language\n1 English\n2 Kiswahili',
  back: '0 Back',
  backHome: '0 Back 00 Home',
  notes: {
    invalidChoice: 'Invalid choice.',
    welcome: 'Welcome to TXTC!',
    pinFormat: 'PIN must be 4 digits.',
    pinMismatch: 'PINs did not match.',
    pinSet: 'New PIN set.',
    pinChanged: 'PIN changed.',
    wrongPin: (n) => `Wrong PIN. ${n} ${n === 1 ? 'try' : 'tries'} left.`,
    amountInvalid: 'Not a valid amount.',
    amountDecimals: (digits) => (digits === 0 ? 'Use whole numbers.' : `Use at most ${digits} decimals.`),
    amountLow: 'Amount too low.',
    amountHigh: 'Amount too high.',
    amountMin: (limit) => `Minimum ${limit}.`,
    amountMax: (limit) => `Maximum ${limit}.`,
    phoneInvalid: 'Invalid phone number.',
    phoneCountry: 'Country not supported.',
    phoneNetwork: 'Network not supported.',
    phoneOwn: 'That is your own number.',
    phoneAbroad: 'Airtime goes only to numbers in your country. Use Send TXTC.',
    partnerStopped: 'Partner stopped.',
  },
};

export const sw: Messages = {
  chooseLanguage: CHOOSE_LANGUAGE,
  resume: 'Endelea ulipoishia?\n1 Ndiyo\n2 Hapana',
  terms: 'Karibu TXTC.\nUnakubali masharti ya TXTC?\n1 Ndiyo\n2 Hapana',
  termsRefused: (shortcode) => `Lazima ukubali masharti ili kutumia TXTC. Piga ${shortcode} tena wakati wowote.`,
  regNewPin: 'Weka PIN ya tarakimu 4:',
  resetNewPin: 'PIN yako imewekwa upya.\nWeka PIN mpya ya tarakimu 4:',
  changeNewPin: 'Weka PIN mpya ya tarakimu 4:',
  confirmPin: 'Weka PIN tena:',
  currentPin: 'Weka PIN yako ya sasa:',
  mainMenu:
    '1 Nunua TXTC\n2 Tuma muda wa maongezi\n3 Angalia salio\n4 Historia ya miamala\n5 Tuma TXTC\n6 Akaunti yangu',
  buyAmount: (r) => `Nunua TXTC\nWeka kiasi kwa ${r.currency} (${r.min}-${r.max})`,
  transferPhone: 'Hamisha muda wa maongezi\nWeka namba ya simu:',
  transferAmount: (to, r) => `Muda wa maongezi kwa ${to}\nWeka kiasi kwa ${r.currency} (${r.min}-${r.max})`,
  sendPhone: 'Tuma TXTC\nWeka namba ya simu:',
  sendAmount: (to, r) => `TXTC kwa ${to}\nWeka thamani kwa ${r.currency} (${r.min}-${r.max})`,
  buyConfirm: (v) => `Lipa muda wa maongezi ${v.airtime}\nPata TXTC ${v.txtc}\nAda TXTC ${v.fee}\nWeka PIN uthibitishe`,
  transferConfirm: (v) => `Tuma muda wa maongezi ${v.airtime} kwa ${v.toPhone}\nWeka PIN uthibitishe`,
  sendConfirm: (v) =>
    `Tuma TXTC ${v.txtc} (${v.airtime}) kwa ${v.toPhone}\nMuda wa maongezi utalipia upungufu\nWeka PIN uthibitishe`,
  requested: 'Ombi limepokelewa. Utapokea SMS.',
  locked: 'PIN imekosewa mara nyingi: kununua na kutuma kumefungwa. Tafadhali wasiliana na huduma kwa wateja.',
  consentAsk: (action) => `Idhinisha ombi hili?\n${action}\n1 Idhinisha\n2 Kataa`,
  consentPin: 'Weka PIN yako kuidhinisha:',
  consentApproved: 'Umeidhinisha. Utapokea SMS likikamilika.',
  consentRefused: 'Umekataa. Hakuna kilichotumwa.',
  consentGone: 'Ombi hilo halisubiri tena. Hakuna kilichobadilika.',
  partners: (lines) => `Washirika wanaoona salio:\n${lines}\nChagua mmoja kumzuia`,
  noPartners: 'Hakuna mshirika anayeona salio lako.',
  balance: (airtime, txtc) => `Muda wa maongezi: ${airtime}\nTXTC: ${txtc}`,
  noHistory: 'Hakuna miamala bado.',
  more: '98 Zaidi',
  account: 'Akaunti yangu\n1 Anwani ya pochi\n2 Lugha\n3 Badilisha PIN\n4 Washirika',
  wallet: (address) => `Pochi yako ya TXTC:\n${address}`,
  noWallet: 'Huna pochi bado. Nunua TXTC upate pochi.',
  accountLanguage: 'Lugha\n1 English\n2 Kiswahili',
  back: '0 Rudi',
  backHome: '0 Rudi 00 Mwanzo',
  notes: {
    invalidChoice: 'Chaguo si sahihi.',
    welcome: 'Karibu TXTC!',
    pinFormat: 'PIN lazima iwe tarakimu 4.',
    pinMismatch: 'PIN hazikulingana.',
    pinSet: 'PIN mpya imewekwa.',
    pinChanged: 'PIN imebadilishwa.',
    wrongPin: (n) => `PIN si sahihi. Nafasi ${n} ${n === 1 ? 'imebaki' : 'zimebaki'}.`,
    amountInvalid: 'Kiasi si sahihi.',
    amountDecimals: (digits) => (digits === 0 ? 'Tumia namba kamili.' : `Desimali zisizidi ${digits}.`),
    amountLow: 'Kiasi ni kidogo mno.',
    amountHigh: 'Kiasi ni kikubwa mno.',
    amountMin: (limit) => `Kiwango cha chini ${limit}.`,
    amountMax: (limit) => `Kiwango cha juu ${limit}.`,
    phoneInvalid: 'Namba ya simu si sahihi.',
    phoneCountry: 'Nchi hii haihudumiwi.',
    phoneNetwork: 'Mtandao huu hauhudumiwi.',
    phoneOwn: 'Hii ni namba yako mwenyewe.',
    phoneAbroad: 'Muda wa maongezi hutumwa ndani ya nchi yako tu. Tumia Tuma TXTC.',
    partnerStopped: 'Mshirika amezuiwa.',
  },
};

export const messages: Record<Language, Messages> = { en, sw };

/** The words of a history line (activities/ussd.ts writes the lines: "Buy 980 TXTC", "-KES 500.00"). */
export interface HistoryWords {
  buy: string;
  swap: string;
  voucher: string;
  refund: string;
  returned: string;
}

export const historyWords: Record<Language, HistoryWords> = {
  en: { buy: 'Buy', swap: 'Swap', voucher: 'Voucher', refund: 'Refund', returned: 'Returned' },
  sw: { buy: 'Nunua', swap: 'Badili', voucher: 'Vocha', refund: 'Rejesho', returned: 'Imerudi' },
};

/**
 * What the API answers itself, without the session's workflow: a busy platform, a rate limit, an input no
 * menu takes, a hop from the wrong number, a confirmation whose outcome is unknown. In the person's language
 * when the API knows it (the session's row carries it), else in both (`gatewayText(undefined)`).
 */
export interface GatewayTexts {
  busy: string;
  tooMany: string;
  notAvailable: string;
  tooLong: (shortcode: string) => string;
  cannotContinue: string;
  confirmUnknown: string;
  sessionEnded: (shortcode: string) => string;
  somethingWrong: string;
}

export const gatewayTexts: Record<Language, GatewayTexts> = {
  en: {
    busy: 'Sorry, TXTC is busy right now. Please try again in a moment.',
    tooMany: 'Too many requests, please try again in a minute.',
    notAvailable: 'Sorry, TXTC is not available for this number.',
    tooLong: (shortcode) => `That input is too long. Please dial ${shortcode} and try again.`,
    cannotContinue: 'Sorry, this session cannot continue.',
    confirmUnknown:
      'We could not confirm in time. If your request went through you will get an SMS. Check your balance before trying again.',
    sessionEnded: (shortcode) => `This session has ended. Dial ${shortcode} to start again.`,
    somethingWrong: 'Sorry, something went wrong. Please dial again.',
  },
  sw: {
    busy: 'Samahani, TXTC ina shughuli nyingi sasa. Tafadhali jaribu tena baadaye kidogo.',
    tooMany: 'Maombi mengi mno. Tafadhali jaribu tena baada ya dakika moja.',
    notAvailable: 'Samahani, TXTC haipatikani kwa namba hii.',
    tooLong: (shortcode) => `Ulichoandika ni kirefu mno. Tafadhali piga ${shortcode} ujaribu tena.`,
    cannotContinue: 'Samahani, kikao hiki hakiwezi kuendelea.',
    confirmUnknown:
      'Hatukuweza kuthibitisha kwa wakati. Ombi likifanikiwa utapokea SMS. Angalia salio kabla ya kujaribu tena.',
    sessionEnded: (shortcode) => `Kikao hiki kimekwisha. Piga ${shortcode} kuanza upya.`,
    somethingWrong: 'Samahani, kuna hitilafu. Tafadhali piga tena.',
  },
};

type GatewayKey = keyof GatewayTexts;

/**
 * One of those texts as an END screen: in `language`, or in English then Swahili when it is not known (a
 * number never registered cannot have confirmed with a PIN, so confirmUnknown always has a language).
 */
export function gatewayText(language: Language | null | undefined, key: GatewayKey, shortcode = ''): string {
  const text = (l: Language) => {
    const t = gatewayTexts[l][key];
    return typeof t === 'function' ? t(shortcode) : t;
  };
  if (language) return `END ${text(language)}`;
  return key === 'confirmUnknown' ? `END ${text('en')}` : `END ${text('en')}\n${text('sw')}`;
}
