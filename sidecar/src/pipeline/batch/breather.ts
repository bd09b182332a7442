/**
 * Lets the event loop breathe during a batch's synchronous work. A batch of 500 events is tens to
 * hundreds of ms of JavaScript (parsing, deciding, building rows) with no I/O in between; when
 * dispatch shares the process with ingestion (no `mybnb worker`), every webhook that arrives
 * meanwhile would wait for all of it. `maybe()` yields one turn of the event loop (setImmediate:
 * pending sockets are read first) once `slice_ms` of work has passed since the last turn, so an
 * acknowledgement waits at most about one slice. Nothing else touches the batch's state meanwhile
 * (one batch at a time per dispatcher), so yielding changes timing, never results.
 */
export class Breather {
  private since = performance.now();

  constructor(private readonly slice_ms = 8) {}

  async maybe(): Promise<void> {
    if (performance.now() - this.since < this.slice_ms) return;
    await new Promise<void>((resolve) => setImmediate(resolve));
    this.since = performance.now();
  }
}
