/**
 * New events of a run being recorded, as the viewer streams them to its page: each batch carries
 * the bodies its events use in a table of its own, and the page appends them to its table.
 */
import type { LiveBatch, ReportEvent, ReportExchange } from './report-data.js';

/** Rewrites every body reference of `event` through `map`. */
function remapEvent(event: ReportEvent, map: (ref: number) => number): ReportEvent {
  if (event.type !== 'exchange') return event;
  const { request, response } = event;
  const out: ReportExchange = {
    ...event,
    request: { headers: request.headers, body: request.body === null ? null : map(request.body) },
    ...(response === undefined
      ? {}
      : {
          response: {
            headers: response.headers,
            body:
              response.body === null
                ? null
                : response.body.kind === 'bytes'
                  ? { kind: 'bytes', body: map(response.body.body) }
                  : {
                      ...response.body,
                      chunks: response.body.chunks.map((c) => ({
                        offsetMs: c.offsetMs,
                        body: map(c.body),
                      })),
                    },
          },
        }),
  };
  return out;
}

/** `events` (whose bodies are in `bodies`) as a batch holding only the bodies they use. */
export function liveBatch(events: readonly ReportEvent[], bodies: readonly string[]): LiveBatch {
  const used: string[] = [];
  const index = new Map<number, number>();
  const map = (ref: number) => {
    let mine = index.get(ref);
    if (mine === undefined) {
      mine = used.push(bodies[ref] ?? '') - 1;
      index.set(ref, mine);
    }
    return mine;
  };
  return { events: events.map((e) => remapEvent(e, map)), bodies: used };
}

/** The page's events and bodies with `batch` appended (events already held, by seq, are skipped). */
export function appendBatch(
  current: { readonly events: readonly ReportEvent[]; readonly bodies: readonly string[] },
  batch: LiveBatch,
): { events: ReportEvent[]; bodies: string[] } {
  const offset = current.bodies.length;
  const next = current.events.length === 0 ? -1 : current.events[current.events.length - 1]!.seq;
  const fresh = batch.events
    .filter((e) => e.seq > next)
    .map((e) => remapEvent(e, (ref) => ref + offset));
  return { events: [...current.events, ...fresh], bodies: [...current.bodies, ...batch.bodies] };
}
