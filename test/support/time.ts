/** The moment tests start from: Monday 23 November 2026, 09:00 in Stockholm. */
export const TEST_NOW = new Date('2026-11-23T08:00:00Z');
