// The example agent under vitest, with @trace/vitest: each test gets its own tape, recorded the
// first time into src/__tapes__/trip.vitest.test.mjs.tapes.db (committed), replayed from it ever
// after — in CI strictly, with the scripted model server never reached. The server's URL gets a
// new port each run: matching leaves the origin out.
import Anthropic from '@anthropic-ai/sdk';
import { startLlmServer } from '@trace/llm-server';
import { test } from '@trace/vitest';
import OpenAI from 'openai';
import { afterAll, beforeAll, describe, expect } from 'vitest';
import { CITIES, planTrip } from './agent.mjs';
import { runOpenAIAgent } from './openai-agent.mjs';
import { respond } from './world.mjs';

let server;
beforeAll(async () => {
  server = await startLlmServer({ respond });
});
afterAll(() => server.close());

const quiet = { phase() {}, verdict() {}, sampling() {}, toolCall() {} };
// The scripted server takes any key; this one is built here, never stored.
const apiKey = ['example', 'key', process.pid].join('-');

describe('the trip planner', () => {
  test.scoped({ trace: { match: { ignoreUrl: ['origin'] } } });

  test('plans two days, one streamed, and keeps the plans that name their city', async ({
    run,
  }) => {
    const client = new Anthropic({ apiKey, baseURL: server.anthropicBaseURL, fetch: run.fetch });
    const before = server.requests.length;
    const result = await planTrip({ client, source: run.source, iterations: 2, hooks: quiet });
    expect(result.days.map((day) => CITIES.includes(day.city))).toEqual([true, true]);
    for (const day of result.days) expect(day.plan).toContain(`Plan for ${day.weather.city}`);
    // Replayed, the model server is never reached.
    if (run.mode === 'replay') expect(server.requests.length).toBe(before);
  });

  test('gives packing advice with the OpenAI client', async ({ run }) => {
    const client = new OpenAI({ apiKey, baseURL: server.openaiBaseURL, fetch: run.fetch });
    const { city, answer } = await runOpenAIAgent({ client, source: run.source, hooks: quiet });
    expect(answer).toMatch(new RegExp(`^Pack for -?\\d+°C in ${city}\\.$`));
  });
});
