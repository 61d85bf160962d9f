/** Argument checks shared by the statistics: a bad count or level is a typed error, never NaN. */
import { invalidOption } from '../errors.js';

/** Checks `successes` of `trials`: whole numbers, 0 <= successes <= trials. */
export function checkCounts(successes: number, trials: number): void {
  if (!Number.isSafeInteger(trials) || trials < 0)
    throw invalidOption('trials', `trials is ${trials}; give a whole number of trials, 0 or more.`);
  if (!Number.isSafeInteger(successes) || successes < 0 || successes > trials)
    throw invalidOption(
      'successes',
      `successes is ${successes} of ${trials} trials; give a whole number from 0 to ${trials}.`,
    );
}

/** Checks a probability strictly between 0 and 1 (a confidence, a rate, a q). */
export function checkOpenUnit(option: string, value: number): void {
  if (typeof value !== 'number' || !(value > 0 && value < 1))
    throw invalidOption(option, `${option} is ${value}; give a number strictly between 0 and 1.`);
}
