import type { SidecarKey } from '../config.js';

/**
 * Demo mode's keys: printed on start, used by `npm run cli -- sign` when SIDECAR_KEYS is unset.
 * They protect nothing; with SIDECAR_KEYS set they are never accepted.
 */
export const DEMO_KEYS: SidecarKey[] = [
  { keyId: 'demo-engine', secret: 'demo-engine-secret-not-for-production', role: 'booking-engine' },
  { keyId: 'demo-reader', secret: 'demo-reader-secret-not-for-production', role: 'reader' },
  { keyId: 'demo-auditor', secret: 'demo-auditor-secret-not-for-production', role: 'auditor' },
  { keyId: 'demo-operator', secret: 'demo-operator-secret-not-for-production', role: 'operator' },
];
export const DEMO_WEBHOOK_SECRET = 'whsec_demo_not_for_production';
export const DEMO_STRIPE_KEY = 'sk_test_demo_fake';
