import type { TapeEvent } from '../model.js';

export declare function eventAt(i: number): TapeEvent;
