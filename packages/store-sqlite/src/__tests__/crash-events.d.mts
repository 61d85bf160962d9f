import type { TapeEvent } from '@trace/spec';

export declare function eventAt(i: number): TapeEvent;
