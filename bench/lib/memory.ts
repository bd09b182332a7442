/**
 * Peak resident memory. `process.resourceUsage().maxRSS` is the high-water mark of the whole
 * process since it started, so a figure per run needs a process per run (see child.ts); the
 * sampler below watches the RSS of a phase inside one process when a fresh process is not worth it.
 */
export function peakRssMb(): number {
  return process.resourceUsage().maxRSS / 1024; // maxRSS is in KiB
}

export function rssMb(): number {
  return process.memoryUsage.rss() / (1024 * 1024);
}

/** Samples RSS every `interval_ms` until stopped; returns the highest sample (MiB). */
export function sampleRss(interval_ms = 10): { stop: () => number } {
  let peak = rssMb();
  const timer = setInterval(() => {
    peak = Math.max(peak, rssMb());
  }, interval_ms);
  timer.unref();
  return {
    stop: () => {
      clearInterval(timer);
      return Math.max(peak, rssMb());
    },
  };
}
