import type { NondetSource } from '@trace/nondet';
import type { JsonValue } from '@trace/spec';

export interface StreamingAgentContext {
  readonly fetch: typeof globalThis.fetch;
  readonly source: NondetSource;
  annotate(data: JsonValue): void;
}

export interface StreamingAgentResult {
  readonly sessionId: string;
  readonly startedAt: number;
  readonly plan: unknown;
  readonly text: unknown;
}

export function streamingAgent(
  context: StreamingAgentContext,
  options: { baseURL: string; prompt: string; onText?: (text: string) => void },
): Promise<StreamingAgentResult>;
