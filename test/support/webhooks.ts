/** How the gateways call our webhooks: their secret in X-Webhook-Secret, the body form-encoded. */
import type { Config } from '../../lib/config';

export type Gateway = 'ussd' | 'sms';

/** Headers of a gateway's form post, carrying that gateway's secret from `config`. */
export function gatewayHeaders(config: Config, gateway: Gateway): Record<string, string> {
  return {
    'content-type': 'application/x-www-form-urlencoded',
    'x-webhook-secret': gateway === 'ussd' ? config.webhooks.ussdSecret : config.webhooks.smsSecret,
  };
}
