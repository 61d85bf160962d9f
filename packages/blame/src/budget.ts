/**
 * The budget governor while trials run. It starts a trial only when what is spent, plus what the
 * trials under way are still expected to spend, plus this trial's expected cost, fits the budget;
 * once one does not fit, it starts no more. Each trial's tail calls pass through its meter, which
 * refuses a live call once the budget is spent, so a tail that runs longer than the recording
 * cannot overspend by more than the calls already in flight. Under a dollar budget a call that
 * cannot be priced is refused too (and the blame stops): spending it unpriced would leave the
 * dollar limit unenforced from then on.
 */
import type { BlameBudget } from './options.js';
import type { Cost } from './plan.js';
import { noPrice } from './pricing.js';

/** Why the governor stopped the blame before its budget was spent. */
export interface BlameStopReason {
  readonly code: 'BLAME_NO_PRICE';
  readonly message: string;
  /** The model of the call that could not be priced (null when the request named none). */
  readonly model: string | null;
}

/** What the meter needs to know of a live call before it is sent. */
export interface CallInfo {
  /** The model the request names, if it names one. */
  readonly model: string | undefined;
  /** Whether the price table prices that model (or has a `*` entry). */
  readonly priced: boolean;
}

export interface Spend {
  calls: number;
  tokens: number;
  usd: number | undefined;
}

/** One trial's spend, live. */
export class TrialMeter {
  readonly spent: Spend;
  /** True when the meter refused a call: the trial was cut by the budget. */
  cut = false;
  /** Why the last call was refused: the budget is spent, or the call could not be priced. */
  cutFor: 'budget' | 'no-price' = 'budget';
  readonly #governor: Governor;
  readonly expected: Cost;

  constructor(governor: Governor, expected: Cost, pricing: boolean) {
    this.#governor = governor;
    this.expected = expected;
    this.spent = { calls: 0, tokens: 0, usd: pricing ? 0 : undefined };
  }

  /**
   * Asks for one live call: false (and the trial is cut) once the budget is spent, or when the
   * budget is in dollars and the call cannot be priced.
   */
  allowCall(call: CallInfo): boolean {
    if (this.#governor.budget.usd !== undefined && !call.priced) {
      this.#governor.stopUnpriced(call.model);
      this.cut = true;
      this.cutFor = 'no-price';
      return false;
    }
    if (!this.#governor.callAllowed()) {
      this.cut = true;
      this.cutFor = 'budget';
      this.#governor.exhausted = true;
      return false;
    }
    this.spent.calls++;
    this.#governor.total.calls++;
    return true;
  }

  /** Adds a call's tokens and price (undefined when it cannot be priced). */
  addTokens(tokens: number, usd: number | undefined, model: string | undefined): void {
    this.spent.tokens += tokens;
    this.#governor.total.tokens += tokens;
    if (usd === undefined && this.#governor.budget.usd !== undefined) {
      // allowCall refuses an unpriceable call first, so this is a safety net: the dollar totals
      // stay numbers (a dollar budget is never left unenforced), and nothing more is spent.
      this.#governor.stopUnpriced(model);
      this.cut = true;
      return;
    }
    this.spent.usd =
      this.spent.usd === undefined || usd === undefined ? undefined : this.spent.usd + usd;
    const total = this.#governor.total;
    total.usd = total.usd === undefined || usd === undefined ? undefined : total.usd + usd;
  }

  /** What the trial may still spend, as far as the governor reserves: its expected cost beyond what it spent. */
  outstanding(): Cost {
    return {
      calls: Math.max(0, this.expected.calls - this.spent.calls),
      tokens: Math.max(0, this.expected.tokens - this.spent.tokens),
      usd:
        this.expected.usd === undefined || this.spent.usd === undefined
          ? this.expected.usd
          : Math.max(0, this.expected.usd - this.spent.usd),
    };
  }
}

export class Governor {
  readonly budget: BlameBudget;
  readonly total: Spend;
  /** Set once a trial did not fit or a call was refused: no trial starts after. */
  exhausted = false;
  /** Set when a call under a dollar budget could not be priced: the blame stopped there. */
  stopped: BlameStopReason | undefined;
  readonly #running = new Set<TrialMeter>();
  readonly #pricing: boolean;

  constructor(budget: BlameBudget, pricing: boolean) {
    this.budget = budget;
    // A dollar budget always counts dollars, so its totals are never undefined.
    this.#pricing = pricing || budget.usd !== undefined;
    this.total = { calls: 0, tokens: 0, usd: this.#pricing ? 0 : undefined };
  }

  /** Stops the blame: a call under a dollar budget could not be priced. */
  stopUnpriced(model: string | undefined): void {
    this.exhausted = true;
    this.stopped ??= {
      code: 'BLAME_NO_PRICE',
      message: noPrice(model).message,
      model: model ?? null,
    };
  }

  /** A meter for a trial expected to cost `expected`, or undefined when it does not fit. */
  start(expected: Cost): TrialMeter | undefined {
    if (this.exhausted) return undefined;
    let calls = this.total.calls + expected.calls;
    let tokens = this.total.tokens + expected.tokens;
    let usd = (this.total.usd ?? 0) + (expected.usd ?? 0);
    for (const meter of this.#running) {
      const rest = meter.outstanding();
      calls += rest.calls;
      tokens += rest.tokens;
      usd += rest.usd ?? 0;
    }
    const { budget } = this;
    if (
      (budget.calls !== undefined && calls > budget.calls) ||
      (budget.tokens !== undefined && tokens > budget.tokens) ||
      (budget.usd !== undefined && usd > budget.usd)
    ) {
      this.exhausted = true;
      return undefined;
    }
    const meter = new TrialMeter(this, expected, this.#pricing);
    this.#running.add(meter);
    return meter;
  }

  finish(meter: TrialMeter): void {
    this.#running.delete(meter);
  }

  /** True while every limit of the budget still has room for a call. */
  callAllowed(): boolean {
    const { budget, total } = this;
    return !(
      (budget.calls !== undefined && total.calls + 1 > budget.calls) ||
      (budget.tokens !== undefined && total.tokens >= budget.tokens) ||
      (budget.usd !== undefined && (total.usd ?? 0) >= budget.usd)
    );
  }
}
