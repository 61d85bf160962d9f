/**
 * Tokens and model of one exchange, read from the provider's own response shape: Anthropic
 * Messages (`usage.input_tokens`/`output_tokens`, in `message_start` and `message_delta` when
 * streamed) and OpenAI Chat Completions (`usage.prompt_tokens`/`completion_tokens`, in the last
 * chunk when streamed). Other shapes have no usage: the caller estimates from sizes.
 */

export interface Usage {
  readonly input: number;
  readonly output: number;
}

/** The usage in a response body (JSON, or server-sent events), or undefined when it has none. */
export function usageOfBody(text: string): Usage | undefined {
  const trimmed = text.trimStart();
  if (trimmed.startsWith('{')) return usageOfObject(parse(trimmed));
  // Server-sent events: sum what each event's data carries.
  let input = 0;
  let output = 0;
  let found = false;
  for (const line of text.split('\n')) {
    if (!line.startsWith('data:')) continue;
    const data = line.slice(5).trim();
    if (!data.startsWith('{')) continue;
    const event = parse(data) as Record<string, unknown> | undefined;
    // Anthropic: message_start carries the input (and a first output count), message_delta the
    // final output count, which replaces the first.
    const message = event?.message as Record<string, unknown> | undefined;
    const start = usageOfObject(message);
    const delta = usageOfObject(event);
    if (event?.type === 'message_start' && start !== undefined) {
      input += start.input;
      output = start.output;
      found = true;
    } else if (event?.type === 'message_delta' && delta !== undefined) {
      input = Math.max(input, delta.input);
      output = delta.output;
      found = true;
    } else if (delta !== undefined) {
      input += delta.input;
      output += delta.output;
      found = true;
    }
  }
  return found ? { input, output } : undefined;
}

function usageOfObject(value: unknown): Usage | undefined {
  const usage = (value as { usage?: unknown } | undefined)?.usage;
  if (usage === null || typeof usage !== 'object') return undefined;
  const u = usage as Record<string, unknown>;
  const count = (...keys: string[]) => {
    for (const key of keys) if (typeof u[key] === 'number') return u[key] as number;
    return undefined;
  };
  const input = count('input_tokens', 'prompt_tokens');
  const output = count('output_tokens', 'completion_tokens');
  if (input === undefined && output === undefined) return undefined;
  return { input: input ?? 0, output: output ?? 0 };
}

/** The `model` a JSON request body names, if any. */
export function modelOfRequest(text: string): string | undefined {
  const body = parse(text) as { model?: unknown } | undefined;
  return typeof body?.model === 'string' ? body.model : undefined;
}

function parse(text: string): unknown {
  try {
    return JSON.parse(text);
  } catch {
    return undefined;
  }
}
