/**
 * A trial's tail fetch, metered: each live call asks the trial's meter first (a call the budget
 * has no room for, or one a dollar budget cannot price, is answered with a 429 that neither SDK
 * retries, `x-should-retry: false`), and
 * the tokens of each answer are read from its body as the agent reads it.
 */

import type { TrialMeter } from './budget.js';
import type { PriceTable } from './options.js';
import { hasPrice, priceOf } from './pricing.js';
import { modelOfRequest, usageOfBody } from './usage.js';

const decoder = new TextDecoder();

export interface MeteredFetch {
  readonly fetch: typeof fetch;
  /** Once the fork has ended: counts what arrived of any body still open, and closes it. */
  settled(): Promise<void>;
}

export function meteredFetch(
  inner: typeof fetch | undefined,
  meter: TrialMeter,
  prices: PriceTable | undefined,
): MeteredFetch {
  const bodies = new Set<ObservedBody>();
  // Looked up at each call: the transport calls the tail outside every run scope, where the
  // global fetch is the platform's own.
  const send: typeof fetch = inner ?? ((input, init) => globalThis.fetch(input, init));
  const metered = async (
    input: Parameters<typeof fetch>[0],
    init?: RequestInit,
  ): Promise<Response> => {
    const requestText = await textOfBody(input, init);
    const model = modelOfRequest(requestText);
    if (!meter.allowCall({ model, priced: hasPrice(prices, model) })) return refusal(meter.cutFor);
    const response = await send(input, init);
    const count = (text: string) => {
      // No usage in the answer: about four bytes a token, as the estimate assumes.
      const usage = usageOfBody(text) ?? {
        input: Math.ceil(requestText.length / 4),
        output: Math.ceil(text.length / 4),
      };
      meter.addTokens(usage.input + usage.output, priceOf(prices, model, usage), model);
    };
    if (response.body === null) {
      count('');
      return response;
    }
    const body = observe(response.body, (text) => {
      bodies.delete(body);
      count(text);
    });
    bodies.add(body);
    return respondWith(response, body.stream);
  };
  return {
    fetch: metered as typeof fetch,
    settled: async () => {
      // The fork has ended. A body still open is one the agent never finished nor cancelled:
      // count what arrived, and let the connection go.
      for (const body of bodies) body.stop();
    },
  };
}

/** The answer to a refused call: a 429 neither SDK retries. */
function refusal(why: 'budget' | 'no-price'): Response {
  return new Response(
    JSON.stringify({
      type: 'error',
      error: {
        type: 'budget_exhausted',
        message:
          why === 'no-price'
            ? '@trace/blame: the budget is in dollars and this call cannot be priced (no price for its model); the trial is cut.'
            : '@trace/blame: the budget of this blame is spent; the trial is cut.',
      },
    }),
    { status: 429, headers: { 'content-type': 'application/json', 'x-should-retry': 'false' } },
  );
}

interface ObservedBody {
  readonly stream: ReadableStream<Uint8Array>;
  /** Ends the body now: counts what arrived and cancels the rest. */
  stop(): void;
}

/**
 * The body as the agent reads it, its text kept on the way: a stream of its own over the
 * original's reader (not a tee, whose cancel waits for both branches), so a cancel by the agent
 * reaches the server at once. `done` is called once, with the text seen, when the body ends,
 * fails, is cancelled or is stopped.
 */
function observe(source: ReadableStream<Uint8Array>, done: (text: string) => void): ObservedBody {
  const reader = source.getReader();
  const decoder = new TextDecoder();
  let text = '';
  let finished = false;
  const finish = () => {
    if (finished) return;
    finished = true;
    done(text + decoder.decode());
  };
  const stream = new ReadableStream<Uint8Array>({
    async pull(controller) {
      try {
        const { done: end, value } = await reader.read();
        if (end) {
          finish();
          controller.close();
          return;
        }
        text += decoder.decode(value, { stream: true });
        controller.enqueue(value);
      } catch (error) {
        finish();
        controller.error(error);
      }
    },
    cancel(reason) {
      finish();
      return reader.cancel(reason);
    },
  });
  return {
    stream,
    stop: () => {
      finish();
      reader.cancel().catch(() => undefined);
    },
  };
}

/** `response` with `body` in place of its own, keeping its status, headers, URL and redirect flag. */
function respondWith(response: Response, body: ReadableStream<Uint8Array>): Response {
  const wrapped = new Response(body, {
    status: response.status,
    statusText: response.statusText,
    headers: response.headers,
  });
  Object.defineProperty(wrapped, 'url', { value: response.url });
  Object.defineProperty(wrapped, 'redirected', { value: response.redirected });
  return wrapped;
}

async function textOfBody(
  input: Parameters<typeof fetch>[0],
  init: RequestInit | undefined,
): Promise<string> {
  const body = init?.body;
  if (typeof body === 'string') return body;
  if (body instanceof Uint8Array) return decoder.decode(body);
  if (body instanceof ArrayBuffer) return decoder.decode(new Uint8Array(body));
  if (body == null && input instanceof Request)
    return input
      .clone()
      .text()
      .catch(() => '');
  return '';
}
