import { parentPort } from 'node:worker_threads';
import { checkPage, type Page } from './verify-page-check.js';

/** Checks the pages the parent sends, one at a time, and answers each with its verdict (same id). */
type Job = { id: number; page: Page; expectedSeq: number; prev: string };

parentPort!.on('message', (job: Job) => {
  try {
    parentPort!.postMessage({ id: job.id, verdict: checkPage(job.page, job.expectedSeq, job.prev) });
  } catch (e) {
    parentPort!.postMessage({ id: job.id, error: e instanceof Error ? e.message : String(e) });
  }
});
parentPort!.postMessage({ ready: true });
