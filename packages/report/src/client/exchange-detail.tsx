/**
 * One exchange in full: what was asked and answered as a conversation, the request and response
 * as collapsible JSON, a streamed response reassembled (or its raw chunks with their arrival
 * offsets), and the headers as recorded.
 */
import { useMemo, useState } from 'preact/hooks';
import { bodySize, bodyText, parseJson } from '../shared/bodies.js';
import { conversationOf } from '../shared/conversation.js';
import type { Headers, ReportExchange } from '../shared/report-data.js';
import { reassembleStream } from '../shared/sse.js';
import { formatMs } from '../shared/timeline.js';
import { ConversationView } from './conversation-view.js';
import { JsonView } from './json-view.js';

type Tab = 'conversation' | 'request' | 'response' | 'headers';

function HeaderTable({ headers, label }: { headers: Headers; label: string }) {
  if (headers.length === 0) return <p class="muted">No {label.toLowerCase()} were kept.</p>;
  return (
    <table class="headers" aria-label={label}>
      <tbody>
        {headers.map(([name, value], i) => (
          <tr key={i}>
            <th scope="row">{name}</th>
            <td>{value}</td>
          </tr>
        ))}
      </tbody>
    </table>
  );
}

export function ExchangeDetail({
  event,
  bodies,
}: {
  event: ReportExchange;
  bodies: readonly string[];
}) {
  const [tab, setTab] = useState<Tab>('conversation');
  const [raw, setRaw] = useState(false);
  const requestText = bodyText(bodies, event.request.body);
  const requestJson = parseJson(requestText);
  const body = event.response?.body ?? null;
  const streamText = useMemo(
    () =>
      body?.kind === 'stream'
        ? body.chunks.map((c) => bodyText(bodies, c.body) ?? '').join('')
        : undefined,
    [body, bodies],
  );
  const responseJson = useMemo(() => {
    if (body?.kind === 'bytes') return parseJson(bodyText(bodies, body.body));
    if (streamText !== undefined) return reassembleStream(streamText);
    return undefined;
  }, [body, bodies, streamText]);
  const messages = useMemo(
    () => conversationOf(event.provider, requestJson, responseJson),
    [event.provider, requestJson, responseJson],
  );
  const tabs: [Tab, string][] = [
    ['conversation', 'Conversation'],
    ['request', 'Request'],
    ['response', 'Response'],
    ['headers', 'Headers'],
  ];
  return (
    <section class="detail exchange-detail" aria-label={`Exchange ${event.seq}`}>
      <h2>
        <span
          class={`status ${event.error !== undefined || (event.status ?? 0) >= 400 ? 'bad' : 'good'}`}
        >
          {event.error !== undefined ? event.error.name : event.status}
        </span>{' '}
        {event.method} <code>{event.url}</code>
      </h2>
      <dl class="facts">
        <dt>seq</dt>
        <dd>{event.seq}</dd>
        <dt>step</dt>
        <dd>exchange {event.step}</dd>
        <dt>provider</dt>
        <dd>{event.provider}</dd>
        {event.model === undefined ? null : (
          <>
            <dt>model</dt>
            <dd>{event.model}</dd>
          </>
        )}
        {event.durationMs === undefined ? null : (
          <>
            <dt>duration</dt>
            <dd>{formatMs(event.durationMs)}</dd>
          </>
        )}
        {event.tokens === undefined ? null : (
          <>
            <dt>tokens</dt>
            <dd>
              {event.tokens.input ?? '?'} in · {event.tokens.output ?? '?'} out
            </dd>
          </>
        )}
        <dt>body</dt>
        <dd>
          {event.streamed
            ? `streamed, ${body?.kind === 'stream' ? body.chunks.length : 0} chunks (${body?.kind === 'stream' ? body.end.kind : ''})`
            : 'whole'}
        </dd>
      </dl>
      {event.error === undefined ? null : (
        <p class="error-box" role="alert">
          {event.error.name}: {event.error.message}
          {event.error.code === undefined ? '' : ` (${event.error.code})`}
        </p>
      )}
      <div class="tabs" role="tablist" aria-label="Exchange views">
        {tabs.map(([id, label]) => (
          <button
            key={id}
            type="button"
            role="tab"
            aria-selected={tab === id}
            class={tab === id ? 'on' : ''}
            onClick={() => setTab(id)}
          >
            {label}
          </button>
        ))}
      </div>
      <div role="tabpanel" aria-label={tabs.find(([id]) => id === tab)?.[1]}>
        {tab === 'conversation' ? <ConversationView messages={messages} /> : null}
        {tab === 'request' ? (
          <>
            <p class="muted">
              {event.request.body === null
                ? 'No body.'
                : `${bodySize(bodies, event.request.body)} bytes`}
            </p>
            <JsonView value={requestJson ?? requestText} label="Request body" />
          </>
        ) : null}
        {tab === 'response' ? (
          body?.kind === 'stream' ? (
            <>
              <label class="toggle">
                <input
                  type="checkbox"
                  checked={raw}
                  onChange={(e) => setRaw((e.target as HTMLInputElement).checked)}
                />{' '}
                Show the raw chunks
              </label>
              {raw ? (
                <table class="chunks" aria-label="Raw chunks">
                  <thead>
                    <tr>
                      <th scope="col">#</th>
                      <th scope="col">offset</th>
                      <th scope="col">bytes</th>
                    </tr>
                  </thead>
                  <tbody>
                    {body.chunks.map((c, i) => (
                      <tr key={i}>
                        <td>{i}</td>
                        <td>{formatMs(c.offsetMs)}</td>
                        <td>
                          <pre>
                            {bodyText(bodies, c.body) ??
                              `(${bodySize(bodies, c.body)} bytes, not text)`}
                          </pre>
                        </td>
                      </tr>
                    ))}
                  </tbody>
                </table>
              ) : (
                <>
                  <p class="muted">Reassembled from {body.chunks.length} chunks.</p>
                  <JsonView value={responseJson ?? streamText} label="Response body" />
                </>
              )}
            </>
          ) : body?.kind === 'bytes' ? (
            <JsonView
              value={
                responseJson ??
                bodyText(bodies, body.body) ??
                `(${bodySize(bodies, body.body)} bytes, not text)`
              }
              label="Response body"
            />
          ) : (
            <p class="muted">No response body.</p>
          )
        ) : null}
        {tab === 'headers' ? (
          <>
            <h3>Request headers</h3>
            <HeaderTable headers={event.request.headers} label="Request headers" />
            <h3>Response headers</h3>
            <HeaderTable headers={event.response?.headers ?? []} label="Response headers" />
          </>
        ) : null}
      </div>
    </section>
  );
}
