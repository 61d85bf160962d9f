/** What a provider parser reads from one model exchange. */
export interface ParsedResponse {
  readonly responseModel?: string;
  readonly responseId?: string;
  readonly finishReasons: readonly string[];
  readonly inputTokens?: number;
  readonly outputTokens?: number;
  readonly cacheReadInputTokens?: number;
  readonly cacheCreationInputTokens?: number;
  /** The assembled response message (a stream is put back together). */
  readonly message?: unknown;
  readonly contentBlocks?: number;
  readonly toolCalls: readonly ParsedToolCall[];
  /** An error the provider reported in the body (an HTTP error, an SSE `error` event). */
  readonly providerError?: { readonly type: string; readonly message: string };
}

export interface ParsedToolCall {
  readonly id?: string;
  readonly name: string;
  readonly input: unknown;
}

/** A tool's result as a later request sends it back to the model. */
export interface ToolResultRef {
  readonly callId: string;
  readonly content: unknown;
  readonly isError: boolean;
}

export interface ProviderParser {
  readonly provider: 'anthropic' | 'openai';
  /** The capability name model calls get, e.g. `anthropic.messages`. */
  readonly capability: string;
  parseJson(body: unknown): ParsedResponse;
  parseSse(events: readonly { readonly event?: string; readonly data: string }[]): ParsedResponse;
  /** Tool results carried in a request body. */
  toolResults(request: unknown): ToolResultRef[];
}

export function asRecord(value: unknown): Record<string, unknown> | undefined {
  return typeof value === 'object' && value !== null && !Array.isArray(value)
    ? (value as Record<string, unknown>)
    : undefined;
}

export function asString(value: unknown): string | undefined {
  return typeof value === 'string' ? value : undefined;
}

export function asCount(value: unknown): number | undefined {
  return typeof value === 'number' && Number.isInteger(value) && value >= 0 ? value : undefined;
}

export function tryJson(text: string): unknown {
  try {
    return JSON.parse(text);
  } catch {
    return undefined;
  }
}
