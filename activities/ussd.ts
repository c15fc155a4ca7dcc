/**
 * What a USSD session needs while a person waits on a hop (run as local activities): who they are, a
 * dropped session to resume, quotes for confirm screens, balances, history, the wallet, and saving the
 * language and the registration. Money never moves here: the session starts the money workflows.
 */
import type { Config } from '../lib/config';
import type { RateService } from '../lib/rates';
import type { WalletDirectory } from '../lib/wallets';
import type { TelcoOperator } from '../lib/telco/types';
import type { TransferringToken } from '../lib/chain/txtc';
import type { TransferRepo, HistoryEntry } from '../lib/db/transfers';
import type { UssdRepo } from '../lib/db/ussd';
import type { SmsConfirmationRepo } from '../lib/db/sms-confirmations';
import type { TenantApprovalRepo } from '../lib/db/tenant-approvals';
import { AmountTooSmallError, perTransactionLimitBreach, quoteWithRates } from '../lib/money/conversion';
import { formatAirtime, formatTxtc, formatUsdCents } from '../lib/money/format';
import type { Effect, EffectResult, MenuState, Profile } from '../lib/ussd/types';
import { loadSessionStart } from '../lib/ussd/session-start';
import { historyWords, type HistoryWords } from '../lib/ussd/messages';

/** The effects an activity answers; starting money and answering a consent are the session workflow's own. */
type UssdEffect = Exclude<Effect, { type: 'startBuy' } | { type: 'startTransfer' } | { type: 'answerConsent' }>;

/** One history line, at most 23 characters (the screen cuts a longer one): what moved and which way. */
function historyLine(e: HistoryEntry, minorDigits: number, words: HistoryWords = historyWords.en): string {
  const sign = e.direction === 'in' ? '+' : '-';
  const mark = e.status === 'failed' ? ' x' : e.status === 'pending' ? ' ..' : '';
  const airtime = () => formatAirtime(e.amountMinor ?? 0n, e.currency ?? '', minorDigits);
  const txtc = () => formatTxtc(e.txtcAmount ?? 0n);
  switch (e.kind) {
    case 'conversion':
      return `${words.buy} ${txtc()} TXTC${mark}`;
    case 'swap':
      return `${words.swap} ${txtc()} TXTC${mark}`;
    case 'voucher':
      return `${words.voucher} +${txtc()} TXTC${mark}`;
    case 'refund':
      return `${words.refund} +${airtime()}`;
    case 'return':
      return `${words.returned} +${txtc()} TXTC`;
    case 'airtime':
      return `${sign}${airtime()}${mark}`;
    default:
      return `${sign}${txtc()} TXTC${mark}`;
  }
}

export function createUssdActivities(deps: {
  rates: RateService;
  telco: TelcoOperator;
  wallets: WalletDirectory;
  relay: TransferringToken;
  transfers: TransferRepo;
  ussd: UssdRepo;
  smsConfirmations: SmsConfirmationRepo;
  tenantApprovals: TenantApprovalRepo;
  config: Pick<Config, 'fees' | 'limits' | 'ussd'>;
}) {
  const { limits, fees } = deps.config;

  async function quoteBuy(operator: string, amountMinor: bigint) {
    const rate = await deps.rates.operatorRate(operator);
    const breach = perTransactionLimitBreach(amountMinor, rate, limits);
    // A refusal the menu words in the person's language (code and value); reason is its English for logs.
    type Quoted =
      | { ok: true; quote: ReturnType<typeof quoteWithRates> }
      | { ok: false; reason: string; code: 'below' | 'above' | 'tooSmall'; value?: string };
    const [min, max] = [formatUsdCents(limits.minUsdCents), formatUsdCents(limits.maxUsdCents)];
    if (breach === 'below') return { ok: false, reason: `Min ${min}`, code: 'below', value: min } as Quoted;
    if (breach === 'above') return { ok: false, reason: `Max ${max}`, code: 'above', value: max } as Quoted;
    try {
      return { ok: true, quote: quoteWithRates(amountMinor, rate, await deps.rates.txtcRate(), fees) } as Quoted;
    } catch (e) {
      if (e instanceof AmountTooSmallError)
        return { ok: false, reason: 'Amount too small', code: 'tooSmall' } as Quoted;
      throw e;
    }
  }

  return {
    /** The person as the menu sees them, and the menu state of their session dropped in the last window. */
    async loadUssdSession(input: {
      phoneNumber: string;
      operator: string;
      resumeWindowSeconds: number;
    }): Promise<{ profile: Profile; resumable?: MenuState }> {
      return loadSessionStart(deps, input);
    },

    /** Answers a menu effect that reads or saves (starting money is the workflow's own business). */
    async ussdEffect(input: { phoneNumber: string; operator: string; effect: UssdEffect }): Promise<EffectResult> {
      const { phoneNumber, operator, effect } = input;
      switch (effect.type) {
        case 'quoteBuy': {
          const r = await quoteBuy(operator, BigInt(effect.amountMinor));
          if (!r.ok)
            return { type: 'quote', ok: false, reason: r.reason, code: r.code, ...(r.value ? { value: r.value } : {}) };
          const q = r.quote;
          return {
            type: 'quote',
            ok: true,
            lines: {
              airtime: formatAirtime(q.airtimeAmountMinor, q.currency, q.minorDigits),
              txtc: formatTxtc(q.txtcNet),
              fee: formatTxtc(q.platformFee + q.operatorFee + q.gasFee),
            },
          };
        }
        case 'quoteTransfer': {
          const r = await quoteBuy(operator, BigInt(effect.amountMinor));
          if (!r.ok)
            return { type: 'quote', ok: false, reason: r.reason, code: r.code, ...(r.value ? { value: r.value } : {}) };
          const q = r.quote;
          const airtime = formatAirtime(q.airtimeAmountMinor, q.currency, q.minorDigits);
          return effect.kind === 'airtime'
            ? { type: 'quote', ok: true, lines: { airtime, toPhone: effect.toPhone } }
            : {
                type: 'quote',
                ok: true,
                lines: {
                  airtime,
                  toPhone: effect.toPhone,
                  txtc: formatTxtc(q.txtcNet),
                  txtcBaseUnits: q.txtcNet.toString(),
                },
              };
        }
        case 'balance': {
          const [airtime, wallet, rate] = await Promise.all([
            deps.telco.checkBalance(phoneNumber, operator),
            deps.wallets.find(phoneNumber),
            deps.rates.operatorRate(operator),
          ]);
          const txtc = wallet ? await deps.relay.balanceOf(wallet) : 0n;
          return {
            type: 'balance',
            // A mobile-money wallet's operator keeps the balance to itself.
            airtime:
              airtime.balanceMinor === null
                ? '-'
                : formatAirtime(airtime.balanceMinor, airtime.currency, rate.minorDigits),
            txtc: formatTxtc(txtc),
          };
        }
        case 'history': {
          const rate = await deps.rates.operatorRate(operator);
          const page = 5;
          const entries = await deps.transfers.history(phoneNumber, (effect.page + 1) * page + 1);
          const lines = entries
            .slice(effect.page * page, (effect.page + 1) * page)
            .map((e) => historyLine(e, rate.minorDigits, historyWords[effect.language ?? 'en']));
          return { type: 'history', lines, more: entries.length > (effect.page + 1) * page };
        }
        case 'walletAddress':
          return { type: 'walletAddress', address: (await deps.wallets.find(phoneNumber)) ?? null };
        case 'saveLanguage':
          await deps.ussd.saveLanguage(phoneNumber, effect.language);
          return { type: 'saved' };
        case 'completeRegistration':
          await deps.ussd.completeRegistration(phoneNumber, effect.language);
          return { type: 'saved' };
        case 'tenants':
          return { type: 'tenants', tenants: await deps.tenantApprovals.list(phoneNumber) };
        case 'revokeTenant':
          await deps.tenantApprovals.revoke(phoneNumber, effect.tenant);
          return { type: 'saved' };
      }
    },

    /** The session ended: nothing secret pending; a mid-flow state is kept for a redial. */
    async endUssdSession(input: {
      sessionId: string;
      phoneNumber: string;
      workflowId: string;
      resumable: MenuState | null;
    }): Promise<void> {
      await deps.ussd.endSession(input.sessionId, input.phoneNumber, input.workflowId, input.resumable);
    },
  };
}

export type UssdActivities = ReturnType<typeof createUssdActivities>;
