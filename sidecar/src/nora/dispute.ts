import { DomainError } from '../kernel/index.js';
import { formatMoney } from './format.js';
import { expectKind, type PolicyVersion } from './policy-version.js';

/**
 * Who bears a closed dispute. With 'host_up_to_payout_then_platform' the host bears the disputed
 * amount up to what the host was paid for the booking (reversing the transfer), the platform the rest.
 */
export function disputeLiability(input: {
  dispute: PolicyVersion; status: 'lost' | 'won'; currency: string; disputed_minor: number; dispute_fee_minor: number; host_paid_out_minor: number;
}): { host_bears: number; platform_bears: number; explanation: string[] } {
  const doc = expectKind(input.dispute, 'dispute');
  for (const k of ['disputed_minor', 'dispute_fee_minor', 'host_paid_out_minor'] as const) {
    if (!Number.isSafeInteger(input[k]) || input[k] < 0) throw new DomainError('validation_failed', `${k} must be an integer >= 0`, { field: k });
  }
  const side = doc.rules[input.status];
  const m = (n: number) => formatMoney(n, input.currency);
  let host_bears = 0;
  let platform_bears = 0;
  if (side.disputed_amount === 'host_up_to_payout_then_platform') {
    const from_host = Math.min(input.disputed_minor, input.host_paid_out_minor);
    host_bears += from_host;
    platform_bears += input.disputed_minor - from_host;
  } else if (side.disputed_amount === 'platform') {
    platform_bears += input.disputed_minor;
  }
  if (side.dispute_fee === 'host') host_bears += input.dispute_fee_minor;
  else if (side.dispute_fee === 'platform') platform_bears += input.dispute_fee_minor;
  const explanation = [
    `${doc.title} v${doc.version}: dispute ${input.status}; disputed ${m(input.disputed_minor)} (${side.disputed_amount}), fee ${m(input.dispute_fee_minor)} (${side.dispute_fee}).`,
    `Host bears ${m(host_bears)}; platform bears ${m(platform_bears)}.`,
  ];
  return { host_bears, platform_bears, explanation };
}
