/** Mirrors block.json's attributes (block.json is the source). */
export type PayoutStatementAttributes = {
	/** Administrators only: pin a host (hosts always see their own statement). */
	hostId: string;
	/** Wide by default: the statement has eight columns. */
	align: string;
};
