import type { Tape } from '@trace/tape';

type TapeClass = typeof Tape;
export function exchange(n: number, said?: string): import('@trace/spec').TapeEvent;
export function sampleTape(Tape: TapeClass, id?: string, n?: number): Tape;
export function run(Tape: TapeClass, id: string, n: number): Tape;
export function streamTape(Tape: TapeClass, id?: string): Tape;
export function forkOf(Tape: TapeClass, id: string, base: Tape, k: number): Tape;
export function conversation(
  Tape: TapeClass,
  id: string,
  turns: number,
): { tape: Tape; unique: number };
export function formatSixTapes(Tape: TapeClass): [Tape, { base: string }?][];
