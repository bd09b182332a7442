/** Guards a programmer invariant. A failure is a bug, never a user error: it is not a DomainError. */
export function assert(condition: unknown, message: string): asserts condition {
  if (!condition) throw new Error(`invariant violated: ${message}`);
}
