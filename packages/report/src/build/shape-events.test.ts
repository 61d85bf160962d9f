import type { TapeEvent } from '@trace/spec';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { bodyText } from '../shared/bodies.js';
import type { ReportExchange } from '../shared/report-data.js';
import { BodyTable } from './body-table.js';
import { shapeEvents } from './shape-events.js';

const utf8 = (text: string) => new TextEncoder().encode(text);
const json: [string, string] = ['content-type', 'application/json'];

describe('BodyTable', () => {
  it('keeps each distinct body once, text as text and other bytes as base64, reading back as given (property)', () => {
    fc.assert(
      fc.property(
        fc.array(fc.oneof(fc.string().map(utf8), fc.uint8Array({ maxLength: 40 })), {
          maxLength: 20,
        }),
        (bodies) => {
          const table = new BodyTable();
          const refs = bodies.map((b) => table.add(b));
          const distinct = new Set(bodies.map((b) => Buffer.from(b).toString('hex')));
          expect(table.entries.length).toBe(distinct.size);
          bodies.forEach((body, i) => {
            const entry = table.entries[refs[i]!]!;
            const bytes = entry.startsWith('t:')
              ? Buffer.from(entry.slice(2), 'utf8')
              : Buffer.from(entry.slice(2), 'base64');
            expect(Buffer.compare(bytes, Buffer.from(body))).toBe(0);
          });
        },
      ),
    );
  });
});

describe('shapeEvents', () => {
  const anthropic = (issueIndex: number, stream: boolean): TapeEvent => ({
    type: 'exchange',
    issueIndex,
    timing: { headersMs: 5, endMs: 40 },
    request: {
      method: 'POST',
      url: 'http://127.0.0.1:9/v1/messages',
      headers: [json],
      body: utf8('{"model":"claude-x","messages":[]}'),
    },
    response: stream
      ? {
          status: 200,
          statusText: 'OK',
          headers: [['content-type', 'text/event-stream']],
          body: {
            kind: 'stream',
            chunks: [
              {
                offsetMs: 3,
                bytes: utf8(
                  'event: message_start\ndata: {"type":"message_start","message":{"role":"assistant","content":[],"usage":{"input_tokens":7,"output_tokens":1}}}\n\n',
                ),
              },
              {
                offsetMs: 9,
                bytes: utf8(
                  'event: message_delta\ndata: {"type":"message_delta","delta":{},"usage":{"output_tokens":12}}\n\n',
                ),
              },
            ],
            end: { kind: 'complete' },
          },
        }
      : {
          status: 200,
          statusText: 'OK',
          headers: [json],
          body: {
            kind: 'bytes',
            bytes: utf8('{"content":[],"usage":{"input_tokens":3,"output_tokens":4}}'),
          },
        },
  });

  it('reads provider, model, status, duration, tokens and streaming; counts steps in issue order', () => {
    const { events, time } = shapeEvents(
      [anthropic(1, true), anthropic(0, false)],
      new BodyTable(),
    );
    expect(time).toEqual({ basis: 'durations' });
    const [a, b] = events as ReportExchange[];
    expect(a).toMatchObject({
      seq: 0,
      step: 1,
      provider: 'anthropic',
      model: 'claude-x',
      status: 200,
      durationMs: 40,
      streamed: true,
      tokens: { input: 7, output: 12 },
      t: 0,
    });
    expect(b).toMatchObject({
      seq: 1,
      step: 0,
      streamed: false,
      tokens: { input: 3, output: 4 },
      t: 40,
    });
  });

  it("places events on the run's wall clock when it drew one, and keeps failures", () => {
    const table = new BodyTable();
    const { events, time } = shapeEvents(
      [
        { type: 'draw', kind: 'clock.wall', value: 1000 },
        {
          type: 'exchange',
          request: {
            method: 'GET',
            url: 'http://127.0.0.1:9/chat/completions',
            headers: [],
            body: null,
          },
          error: { name: 'TypeError', message: 'fetch failed', code: 'ECONNRESET' },
        },
        { type: 'draw', kind: 'clock.wall', value: 1250 },
        { type: 'annotation', data: { verdict: 'ok' } },
      ],
      table,
    );
    expect(time).toEqual({ basis: 'clock', startedAt: 1000 });
    expect(events.map((e) => e.t)).toEqual([0, 0, 250, 250]);
    expect(events[1]).toMatchObject({
      provider: 'openai',
      error: { name: 'TypeError', message: 'fetch failed', code: 'ECONNRESET' },
      streamed: false,
    });
    expect((events[1] as ReportExchange).request.body).toBeNull();
  });

  it('puts a body the run sent twice into the table once', () => {
    const table = new BodyTable();
    const { events } = shapeEvents([anthropic(0, false), anthropic(1, false)], table);
    const [a, b] = events as ReportExchange[];
    expect(a!.request.body).toBe(b!.request.body);
    expect(bodyText(table.entries, a!.request.body)).toBe('{"model":"claude-x","messages":[]}');
  });
});
