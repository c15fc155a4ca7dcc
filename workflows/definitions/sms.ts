/** Inbound SMS: one workflow per gateway message id, so a redelivered message starts nothing new. */
export function smsWorkflowId(messageId: string): string {
  return `sms:${messageId}`;
}

export interface SmsMessageInput {
  /** the gateway's message id */
  messageId: string;
  /** the sender, E.164, and the operator serving it */
  from: string;
  operator: string;
  text: string;
}

export interface SmsMessageResult {
  command: string;
  /** the money workflow the message started, when it started one */
  startedWorkflowId?: string;
  replied: boolean;
}
