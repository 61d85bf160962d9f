import type { TapeEvent } from '../src/model.js';

export declare const VECTOR_INPUTS: readonly { name: string; events: unknown[] }[];
export declare function revive(value: unknown): TapeEvent[];
