/** How the gateways call our webhooks: their secret in X-Webhook-Secret, the body form-encoded. */
import type { Config } from '../../lib/config';

export type Gateway = 'ussd' | 'sms' | 'africastalking';

/** Headers of a gateway's form post, carrying that gateway's secret from `config`. */
export function gatewayHeaders(config: Config, gateway: Gateway): Record<string, string> {
  return {
    'content-type': 'application/x-www-form-urlencoded',
    'x-webhook-secret': {
      ussd: config.webhooks.ussdSecret,
      sms: config.webhooks.smsSecret,
      africastalking: config.webhooks.atCallbackSecret,
    }[gateway],
  };
}
