import { join } from 'node:path';
import { describe, expect, inject, it } from 'vitest';
import { trace } from './__tests__/trace.js';

describe('trace show', () => {
  const f = () => inject('fixtures');

  it('prints a readable timeline, streams reassembled as the SDKs build them', () => {
    const run = trace(['show', f().fixtureStore]);
    expect(run.stderr).toBe('');
    expect(run.status).toBe(0);
    expect(run.stdout).toMatchSnapshot();
  });

  it('--brief: one line per event; --headers adds headers', () => {
    const brief = trace(['show', f().fixtureStore, 'fixture', '--brief']);
    expect(brief.stdout).toMatchInlineSnapshot(`
      "tape fixture · complete · 7 events: 4 exchanges, 2 draws, 1 annotation
      fingerprint fab22dc57710cc1fed314e32068a7b182027015e6b9898ce144bae2b16f558b4
      created 2026-01-02T03:04:05.000Z · recorded by fixture 1.0.0

      #0 draw clock.wall 1767323045000
      #1 draw uuid.v4 "00000000-0000-4000-8000-000000000001"
      #2 exchange 0 POST https://api.anthropic.com/v1/messages → 200 OK · head 5.0 ms, end 110.0 ms · tokens in 21, out 17
      #3 annotation {"tool":"get_weather","city":"Lima"}
      #4 exchange 1 POST https://api.openai.com/v1/chat/completions → 200 OK · issued #2 · head 3.0 ms, end 60.0 ms · tokens in 12, out 6
      #5 exchange 2 GET https://example.test/weather?city=Lima → 200 OK · issued #1 · head 7.0 ms, end 8.0 ms
          redirected to https://example.test/v2/weather?city=Lima
      #6 exchange 3 GET https://example.test/down ✗ TypeError: fetch failed (ECONNRESET)
      "
    `);
    const headers = trace(['show', f().fixtureStore, '--exchange', '2', '--headers']);
    expect(headers.stdout).toContain('    response headers\n      content-type: application/json');
  });

  it('--raw: a stream as its chunks with their arrival offsets', () => {
    const run = trace(['show', f().fixtureStore, '--exchange', '1', '--raw']);
    expect(run.stdout).toMatchSnapshot();
  });

  it('--json: events with bodies in readable forms, the reassembled message and usage', () => {
    const run = trace(['show', f().fixtureStore, '--json']);
    const doc = JSON.parse(run.stdout);
    expect(doc.fingerprint).toMatch(/^[0-9a-f]{64}$/);
    const [anthropic, openai] = doc.events.filter((e: { type: string }) => e.type === 'exchange');
    expect(anthropic.reassembled.message.content).toEqual([
      { type: 'text', text: 'Checking the weather.' },
      { type: 'tool_use', id: 'toolu_01', name: 'get_weather', input: { city: 'Lima' } },
    ]);
    expect(anthropic.usage).toEqual({ input_tokens: 21, output_tokens: 17 });
    expect(openai.reassembled.message.choices[0].message).toEqual({
      role: 'assistant',
      content: 'Lima is cloudy, 22°C.',
      refusal: null,
    });
    expect(openai.usage).toEqual({ prompt_tokens: 12, completion_tokens: 6, total_tokens: 18 });
    expect(doc.events[2].request.body).toEqual({
      json: expect.objectContaining({ model: 'claude-fixture', stream: true }),
    });
  });

  it('on a real run of the example agent: the streamed tool call, its input and its usage', () => {
    const run = trace(['show', join(f().demo1, 'run.tape.db'), 'agent-run', '--exchange', '2']);
    expect(run.status).toBe(0);
    expect(run.stdout).toMatch(
      /^#\d+ exchange 2 POST http:\/\/127\.0\.0\.1:\d+\/v1\/messages → 200 OK · head [\d.]+ ms, end [\d.]+ ms · tokens in \d+, out \d+\n/,
    );
    expect(run.stdout).toContain('response: Anthropic message, reassembled from');
    expect(run.stdout).toMatch(/"name": "get_weather",\n\s+"input": \{\n\s+"city": "[A-Z][a-z]+"/);
  });

  it('refuses an exchange or a seq the tape does not have', () => {
    const run = trace(['show', f().fixtureStore, '--exchange', '9']);
    expect(run.status).toBe(2);
    expect(run.stderr).toMatchInlineSnapshot(`
      "trace: The tape has 4 exchanges (0 to 3); there is no --exchange 9. [CLI_USAGE]
      "
    `);
  });
});

describe('trace ls', () => {
  const f = () => inject('fixtures');

  it('lists the tapes of a store', () => {
    const run = trace(['ls', f().fixtureStore, '--size']);
    expect(run.stdout).toMatchInlineSnapshot(`
      "ID       STATE     EXCHANGES  DRAWS  ANNOTATIONS  SIZE    CREATED                   FINGERPRINT
      fixture  complete  4          2      1            2.6 KB  2026-01-02T03:04:05.000Z  fab22dc57710
      "
    `);
  });

  it('--json', () => {
    const [tape] = JSON.parse(trace(['ls', join(f().demo1, 'run.tape.db'), '--json']).stdout);
    expect(tape).toMatchObject({ id: 'agent-run', complete: true, exchanges: 8, annotations: 3 });
    expect(tape.fingerprint).toMatch(/^[0-9a-f]{64}$/);
  });
});
