/** What tokens cost, from the user's price table (USD per million tokens, per model). */
import { BlameError } from './errors.js';
import type { PriceTable } from './options.js';
import type { Usage } from './usage.js';

/** The price of `usage` on `model`, or undefined when the table has no price for it. */
export function priceOf(
  prices: PriceTable | undefined,
  model: string | undefined,
  usage: Usage,
): number | undefined {
  if (prices === undefined) return undefined;
  const price =
    (model !== undefined && Object.hasOwn(prices, model) ? prices[model] : undefined) ??
    prices['*'];
  if (price === undefined) return undefined;
  return (usage.input * price.input + usage.output * price.output) / 1_000_000;
}

/** Whether the table prices `model`: it lists it, or has a `*` entry. */
export function hasPrice(prices: PriceTable | undefined, model: string | undefined): boolean {
  if (prices === undefined) return false;
  return (model !== undefined && Object.hasOwn(prices, model)) || Object.hasOwn(prices, '*');
}

/** BLAME_NO_PRICE for a model a dollar budget needs priced. */
export function noPrice(model: string | undefined): BlameError {
  return new BlameError(
    'BLAME_NO_PRICE',
    `The budget is in dollars, but the price table has no price for ${model === undefined ? 'a request that names no model' : `the model ${JSON.stringify(model)}`}: add it to prices (USD per million input and output tokens), or add a "*" entry for every other model.`,
    { details: { model: model ?? null } },
  );
}
