#!/usr/bin/env node
// The CLI as an installed command: registers the TypeScript loader, then runs the same entry as `npm run cli`.
import { register } from 'tsx/esm/api';

register();
await import('../src/cli/main.ts');
