// Every workflow the worker registers.
export { systemCheckWorkflow, priceObservationWorkflow, floatReadingWorkflow } from './system';
export { conversionWorkflow } from './conversion';
export { airtimeTransferWorkflow, txtcTransferWorkflow, hybridTransferWorkflow } from './transfers';
export { ussdSessionWorkflow } from './ussd';
export { smsMessageWorkflow } from './sms';
export { swapWorkflow } from './swaps';
export { voucherRedemptionWorkflow } from './vouchers';
export { reconciliationWorkflow } from './reconcile';
export { chainWriterWorkflow } from './chain-writer';
