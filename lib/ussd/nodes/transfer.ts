/**
 * Send airtime (menu 2, the "transfer" nodes) and Send TXTC (menu 5, the "send" nodes): a receiver's number,
 * an amount in the person's currency, its quote, the PIN that starts the transfer. The two flows are the same
 * three nodes; they differ only in their words and in the kind of transfer (airtime, or hybrid: TXTC worth
 * that much airtime).
 */
import type { Messages } from '../messages';
import { at, pin, type Group, type MenuNodeSpec } from './kit';
import { amountRange, confirmValues, quoted, started } from './money';
import { parseAmount, parseReceiver } from './parse';

type Flow = 'transfer' | 'send';
type FlowNode<F extends Flow> = `${F}-${'phone' | 'amount' | 'confirm'}`;

/** The catalogue's words for one flow's three screens. */
interface Words {
  phone: string;
  amount: Messages['transferAmount'];
  confirm: Messages['transferConfirm'];
}

export const TRANSFER: Group<FlowNode<Flow>, 'quoteTransfer' | 'startTransfer'> = {
  nodes: {
    ...flowNodes('transfer', (m) => ({ phone: m.transferPhone, amount: m.transferAmount, confirm: m.transferConfirm })),
    ...flowNodes('send', (m) => ({ phone: m.sendPhone, amount: m.sendAmount, confirm: m.sendConfirm })),
  },
  answers: { quoteTransfer: quoted, startTransfer: started },
};

function flowNodes<F extends Flow>(flow: F, words: (m: Messages) => Words): Record<FlowNode<F>, MenuNodeSpec> {
  const kind = ({ transfer: 'airtime', send: 'hybrid' } as const)[flow];
  // Keys built from `flow`: the three nodes of this flow (the unit test checks every node is in the table once).
  const nodes: Record<string, MenuNodeSpec> = {
    [`${flow}-phone`]: {
      render: ({ m, con }) => con(words(m).phone, m.back),
      // The receiver's number: on to the amount prompt, or this prompt again with the reason it cannot receive.
      text: (typed, s, profile) => {
        const to = parseReceiver(typed, profile, kind);
        if ('note' in to) return { again: to.note };
        return { show: at(`${flow}-amount`, s.language, { toPhone: to.phoneNumber }) };
      },
      back: 'menu',
    },
    [`${flow}-amount`]: {
      render: ({ m, d, profile, con }) => con(words(m).amount(d.toPhone ?? '', amountRange(profile)), m.back),
      // The amount: quoted (the answer is the confirm screen), or this prompt again with the reason.
      text: (typed, s, profile) => {
        const amount = parseAmount(typed, profile);
        if ('note' in amount) return { again: amount.note, value: amount.value };
        const toPhone = s.data.toPhone ?? '';
        return {
          ask: at(`${flow}-amount`, s.language, { toPhone, amountMinor: amount.minor, await: 'quoteTransfer' }),
          effect: { type: 'quoteTransfer', kind, toPhone, amountMinor: amount.minor },
        };
      },
      back: `${flow}-phone`,
      resumable: true,
    },
    [`${flow}-confirm`]: {
      render: ({ m, d, con }) => con(words(m).confirm(confirmValues(d)), m.back),
      // The right PIN starts the transfer quoted.
      secret: pin((s) => ({
        ask: at(`${flow}-confirm`, s.language, { ...s.data, await: 'startTransfer' }),
        effect: { type: 'startTransfer', kind, toPhone: s.data.toPhone ?? '', amountMinor: s.data.amountMinor ?? '' },
      })),
      // 0: the amount prompt for the same receiver
      back: (s) => ({ show: at(`${flow}-amount`, s.language, { toPhone: s.data.toPhone ?? '' }) }),
      resumable: true,
    },
  };
  return nodes;
}
