/**
 * The activity proxies every money workflow uses, each with its preset, and the one way to move airtime:
 * a call whose attempts end without a clear answer is settled by the operator's word on its reference
 * before anyone is told anything.
 */
import {
  CancellationScope,
  condition,
  log,
  patched,
  proxyActivities,
  proxyLocalActivities,
  setHandler,
  sleep,
  workflowInfo,
  type ApplicationFailure,
} from '@temporalio/workflow';
import type { AirtimeMovementResult, TelcoActivities } from '../../activities/telco';
import type { ChainActivities, MintResult, TransferResult } from '../../activities/chain';
import { FailureTypes } from '../../lib/definitions/errors';
import {
  answersAttempt,
  chainWriteSettledSignal,
  wordToKeep,
  type ChainWriteOutcome,
} from '../../lib/definitions/chain-writer';
import {
  chainCall,
  chainSubmit,
  refundCall,
  settleCall,
  settleChainCall,
  smsCall,
  smsLocalCall,
  telcoCall,
} from './activity-options';
import { failureOf, rejection } from './steps';

export const telco = proxyActivities<TelcoActivities>(telcoCall);
/** Money owed (refunds, a receiver's credit): keeps trying far longer. */
export const owed = proxyActivities<TelcoActivities>(refundCall);
export const sms = proxyActivities<TelcoActivities>(smsCall);
const smsLocal = proxyLocalActivities<TelcoActivities>(smsLocalCall);

/** Workflows from before SMS ran as a local activity replay it as a regular one. */
const LOCAL_SMS_PATCH = 'local-sms';

/**
 * An SMS to a person, best effort: sent under its reference (once, whatever is retried), even while the
 * workflow is being cancelled; a failure is logged and never thrown, since money that moved stays moved.
 * Whether it went.
 */
export async function sendSmsBestEffort(phoneNumber: string, message: string, reference: string): Promise<boolean> {
  try {
    await CancellationScope.nonCancellable(() =>
      patched(LOCAL_SMS_PATCH)
        ? smsLocal.sendSms(phoneNumber, message, reference)
        : sms.sendSms(phoneNumber, message, reference),
    );
    return true;
  } catch (err) {
    log.warn('SMS not sent', { reference, error: failureOf(err).message });
    return false;
  }
}
export const chain = proxyActivities<ChainActivities>(chainCall);
/** Handing a write to the chain writer: local, quick, retried until it is handed over. */
const chainLocal = proxyLocalActivities<ChainActivities>(chainSubmit);
/** Settling an unknown outcome: the operator's word on a reference, no attempt limit. */
export const settle = proxyActivities<TelcoActivities>(settleCall);
/** The chain's word on a reference (or a write that must land), no attempt limit. */
export const settleChain = proxyActivities<ChainActivities>(settleChainCall);

/** Failures that prove the operator moved nothing. */
export const MOVED_NOTHING: string[] = [
  FailureTypes.InsufficientAirtime,
  FailureTypes.OperatorRejected,
  FailureTypes.ReferenceConflict,
];

/**
 * Runs one airtime movement (`kind` names it for the operator's status lookup). A refusal is thrown as it
 * came; any other failure is settled by the operator's status of the movement's reference: committed
 * means it happened (its result is returned), anything else means it did not (the failure is thrown).
 */
export async function moveAirtime<
  M extends { reference: string; operator: string; amountMinor: string } & (
    | { phoneNumber: string }
    | { fromPhone: string }
  ),
>(
  kind: 'debit' | 'credit' | 'transfer',
  movement: M,
  call: (movement: M) => Promise<AirtimeMovementResult>,
): Promise<AirtimeMovementResult & { settledByStatus?: true }> {
  try {
    return await call(movement);
  } catch (err) {
    if (MOVED_NOTHING.includes(failureOf(err).type)) throw err;
    const outcome = await settle.airtimeMovementStatus({
      reference: movement.reference,
      operator: movement.operator,
      kind,
      phoneNumber: 'phoneNumber' in movement ? movement.phoneNumber : movement.fromPhone,
      amountMinor: movement.amountMinor,
    });
    if (outcome.status !== 'committed') throw err;
    return { ...outcome, reference: movement.reference, settledByStatus: true };
  }
}

/** Failures that prove a TXTC send broadcast nothing (its revert was known before sending). */
const SEND_REFUSALS: string[] = [FailureTypes.InsufficientTxtc, FailureTypes.TransferRejected];
/**
 * How long a sender's authorisation of a TXTC send is valid: after it, an unconfirmed send can never land.
 * It is also how long a send whose outcome is unknown stays pending before it is settled as not sent (the
 * chaos run found one waiting out the full hour this used to be: its retries met a balance spent meanwhile
 * and could not tell a pending broadcast from none), so ten minutes: ample for a relayed transaction to be
 * mined on a 12-second chain, short enough that nobody waits an hour.
 */
const AUTHORISATION_SECONDS = 600;

/** Workflows from before batched writes replay their direct writes; new ones queue for the chain writer. */
const BATCHED_WRITES_PATCH = 'batched-chain-writes';
/** How long a queued write is waited for before the chain itself is asked (a batch takes a block or two). */
const QUEUED_WAIT = '2 minutes';

/**
 * The chain writer's word on this workflow's queued writes, by reference (the writer signals each one); for an
 * owed mint handed over in rounds, the word for its highest attempt yet.
 */
const settledWrites = new Map<string, ChainWriteOutcome>();
let listening = false;

/**
 * Waits for the chain writer's signal that a queued write settled; undefined if it did not come in time
 * (the caller then asks the chain, which settles it by the deadline). `attempt` (0: a write handed over once,
 * as every conversion's and send's) is the hand-over's round: a word for an earlier round is not this one's.
 */
async function queuedWrite(reference: string, attempt = 0): Promise<ChainWriteOutcome | undefined> {
  if (!listening) {
    // An earlier round's skip arriving late never replaces a later round's word, nor anything applied.
    setHandler(
      chainWriteSettledSignal,
      (outcome) => void settledWrites.set(outcome.reference, wordToKeep(settledWrites.get(outcome.reference), outcome)),
    );
    listening = true;
  }
  await condition(() => answersAttempt(settledWrites.get(reference), attempt), QUEUED_WAIT);
  const outcome = settledWrites.get(reference);
  return answersAttempt(outcome, attempt) ? outcome : undefined;
}

/**
 * One TXTC mint under one reference, to be mined by a deadline in the chain's time: queued for the chain
 * writer's next batch (or, with batching off, one transaction of its own). It returns the mint, found again
 * if an earlier attempt made it; it throws only once the mint is proven never to land (refused by the
 * contract, or the chain past the deadline without it), so a refund after it can never meet a late mint.
 */
export async function mintTxtcOnce(reference: string, to: string, amount: bigint): Promise<MintResult> {
  const input = { to, amount: amount.toString(), reference };
  if (!patched(BATCHED_WRITES_PATCH)) return await mintDirect(input);
  const round = await queuedMint(input);
  if (round === 'direct') return await mintDirect(input);
  if ('minted' in round) return round.minted;
  throw mintNotWritten(round.notWritten);
}

/**
 * Ends of an owed mint's round that no later round can turn: the contract skips the same entry however often
 * it is written (a batch given up reverting, a zero receiver or reference), or its reference is spent though
 * no mint of it is found (spent some other way, or beyond the event search): refused for good, for ops.
 */
const MINT_REFUSALS = ['Reverted', 'ZeroReceiver', 'ZeroReference', 'ReferenceUsed'];
/** An owed mint is handed over at most this often (over a day of rounds), so its history stays bounded. */
const OWED_MINT_MAX_ROUNDS = 50;
/** Between rounds of an owed mint not written by its deadline: a backed-up writer is not handed it at once. */
const OWED_MINT_FIRST_RETRY_MS = 60_000;
const OWED_MINT_MAX_RETRY_MS = 30 * 60_000;

/**
 * A TXTC mint that is owed and has no compensation (a voucher's): like mintTxtcOnce, but a mint not written
 * by its deadline (the writer was backed up) cannot land *yet*: after a growing pause (1 minute, doubling, at
 * most 30) it is handed over again, under the same reference, which the contract mints once (a rewrite of a
 * mint that landed is skipped for its used reference and found on chain). Each hand-over carries its round as
 * the entry's attempt, so the writer writes it anew instead of telling it the last round's skip, while a
 * round's hand-over re-run on replay (the same round, from the history) is still a duplicate; a round takes
 * only the writer's word for its own attempt, never a late one for an earlier round. Only a refusal for good
 * (MINT_REFUSALS, a Reverted confirmed on chain by the deadline) or OWED_MINT_MAX_ROUNDS rounds not written
 * throw MintRejected. With batching off, one transaction of its own, retried until it lands or is refused.
 */
export async function mintTxtcUntilLanded(reference: string, to: string, amount: bigint): Promise<MintResult> {
  const input = { to, amount: amount.toString(), reference };
  for (let round = 0; ; round++) {
    const written = await queuedMint(input, { round });
    if (written === 'direct') return await settleChain.mintTxtc(input);
    if ('minted' in written) return written.minted;
    if (MINT_REFUSALS.includes(written.notWritten)) {
      log.error('owed mint refused for good', { reference, reason: written.notWritten, round });
      throw mintNotWritten(written.notWritten);
    }
    if (round + 1 >= OWED_MINT_MAX_ROUNDS) {
      log.error('owed mint not written in any of its rounds; left to ops', {
        reference,
        reason: written.notWritten,
        rounds: round + 1,
      });
      throw rejection(FailureTypes.MintRejected, `mint not written in ${round + 1} rounds: ${written.notWritten}`);
    }
    log.warn('owed mint not written by its deadline; handing it over again', {
      reference,
      reason: written.notWritten,
      round,
    });
    await sleep(Math.min(OWED_MINT_FIRST_RETRY_MS * 2 ** round, OWED_MINT_MAX_RETRY_MS));
  }
}

/**
 * One hand-over of a mint to the chain writer, under a deadline of its own, and how it settled: minted (or
 * found on chain, an earlier write's), or not written and never to land under this deadline (Reverted: the
 * writer gave its batch up; another skip reason; or 'deadline passed'). 'direct' when batching is off.
 * `owed` (mintTxtcUntilLanded's; absent for mintTxtcOnce) carries the round: it numbers a deliberate hand-over
 * again of a mint not written (0: a first one, and the entry carries none, as before attempts), from the
 * history, never from a clock or a count of activity runs. An owed mint also has its Reverted confirmed on
 * chain by the deadline: nothing refunds it, and ops paying by hand must not meet a mint that landed after all.
 */
async function queuedMint(
  input: { to: string; amount: string; reference: string },
  owed?: { round: number },
): Promise<'direct' | { minted: MintResult } | { notWritten: string }> {
  const attempt = owed?.round ?? 0;
  // The deadline comes back from the hand-over (chain time): a hand-over run again on replay only moves it later.
  const submitted = await chainLocal.submitMint({
    ...input,
    ...(attempt > 0 ? { attempt } : {}),
    deadlineSeconds: AUTHORISATION_SECONDS,
    requester: workflowInfo().workflowId,
  });
  if (submitted.mode === 'direct') return 'direct';
  const { deadline } = submitted;
  const outcome = await queuedWrite(input.reference, attempt);
  if (outcome?.status === 'applied')
    return { minted: { txHash: outcome.txHash, blockNumber: outcome.blockNumber, alreadyMinted: false } };
  // A batch that kept reverting (the writer gave its entries up and tells a late duplicate the same): not minted
  // (an owed mint's is confirmed on chain below first).
  if (outcome?.reason === 'Reverted' && !owed) return { notWritten: 'Reverted' };
  // Skipped for a used reference (an earlier attempt's mint), or no word in time: the chain settles it.
  const landed = await settleChain.mintOutcome({ ...input, deadline });
  if (landed) return { minted: landed };
  return { notWritten: outcome?.reason ?? 'deadline passed' };
}

function mintNotWritten(reason: string): ApplicationFailure {
  return reason === 'Reverted'
    ? rejection(FailureTypes.MintRejected, 'mint refused by the TXTC contract')
    : rejection(FailureTypes.MintRejected, `mint not written: ${reason}`);
}

/** One transaction for one mint; a failure is settled by looking for the mint before it is believed. */
async function mintDirect(input: { to: string; amount: string; reference: string }): Promise<MintResult> {
  try {
    return await chain.mintTxtc(input);
  } catch (err) {
    const landed = await settleChain.findMint(input.reference);
    if (landed) return landed;
    throw err;
  }
}

/**
 * One TXTC send under one reference, from a number's wallet or from the treasury. A failure the contract
 * proved (short balance, refused authorisation) is final; any other is settled on chain: the send is found,
 * or the authorisation's deadline passes without it, after which it can never land. Only then is it
 * reported as not sent.
 */
export async function sendTxtcOnce(
  reference: string,
  from: { fromPhone: string } | { fromTreasury: true },
  to: string,
  amount: bigint,
): Promise<TransferResult> {
  // In the chain's time (recorded once in the history, so the same for every attempt of this send).
  const deadline = await chain.authorisationDeadline({ seconds: AUTHORISATION_SECONDS });
  if (patched(BATCHED_WRITES_PATCH)) {
    const submitted = await chainLocal.submitSend({
      ...from,
      to,
      amount: amount.toString(),
      reference,
      deadline,
      requester: workflowInfo().workflowId,
    });
    if (submitted.mode === 'queued') return await queuedSend(reference, deadline);
  }
  try {
    return await chain.sendTxtc({ ...from, to, amount: amount.toString(), reference, deadline });
  } catch (err) {
    if (SEND_REFUSALS.includes(failureOf(err).type)) throw err;
    const landed = await settleChain.transferOutcome({ reference, deadline });
    if (landed) return landed;
    throw err;
  }
}

/** A queued send's outcome: a short balance or a refused authorisation is final, anything else the chain settles. */
async function queuedSend(reference: string, deadline: number): Promise<TransferResult> {
  const outcome = await queuedWrite(reference);
  if (outcome?.status === 'applied')
    return { txHash: outcome.txHash, blockNumber: outcome.blockNumber, alreadySent: false };
  if (outcome?.reason === 'InsufficientBalance') throw rejection(FailureTypes.InsufficientTxtc, 'not enough TXTC');
  if (outcome?.reason === 'BadSignature' || outcome?.reason === 'ZeroReceiver')
    throw rejection(FailureTypes.TransferRejected, `transfer refused by the TXTC contract: ${outcome.reason}`);
  const landed = await settleChain.transferOutcome({ reference, deadline });
  if (landed) return landed;
  throw rejection(FailureTypes.TransferRejected, `transfer not written: ${outcome?.reason ?? 'deadline passed'}`);
}
