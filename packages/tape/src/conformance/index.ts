/**
 * @trace/tape/conformance: the suite every tape store backend must pass, and the fast-check
 * generators of tape events it draws from. Needs vitest and fast-check (optional peer
 * dependencies of @trace/tape).
 */
export { arbitraryTapeEvent, arbitraryTapeEvents } from './arbitraries.js';
export { describeTapeStoreConformance, type TapeStoreHarness } from './suite.js';
