// A verifyLedger page-checking thread. The sidecar runs from TypeScript through tsx, and a worker
// thread does not inherit the parent's loader: register it here, then load the TypeScript body.
import { register } from 'tsx/esm/api';

register();
await import('./verify-worker-body.ts');
