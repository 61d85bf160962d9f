/**
 * OTLP/JSON trace types: the JSON encoding of `ExportTraceServiceRequest` as the OpenTelemetry
 * JS SDK's JSON serializer writes it (hex ids, nanosecond times as decimal strings, enums as
 * integers).
 */

export type OtlpAnyValue =
  | { readonly stringValue: string }
  | { readonly boolValue: boolean }
  | { readonly intValue: number }
  | { readonly doubleValue: number }
  | { readonly arrayValue: { readonly values: readonly OtlpAnyValue[] } };

export interface OtlpKeyValue {
  readonly key: string;
  readonly value: OtlpAnyValue;
}

export interface OtlpEvent {
  readonly attributes: readonly OtlpKeyValue[];
  readonly name: string;
  readonly timeUnixNano: string;
  readonly droppedAttributesCount: number;
}

export interface OtlpLink {
  readonly attributes: readonly OtlpKeyValue[];
  readonly spanId: string;
  readonly traceId: string;
  readonly droppedAttributesCount: number;
  readonly flags: number;
}

/** Span kinds as OTLP numbers them. */
export const SpanKind = { INTERNAL: 1, SERVER: 2, CLIENT: 3 } as const;
/** Status codes as OTLP numbers them. */
export const StatusCode = { UNSET: 0, OK: 1, ERROR: 2 } as const;

export interface OtlpSpan {
  readonly traceId: string;
  readonly spanId: string;
  readonly parentSpanId?: string;
  readonly name: string;
  readonly kind: number;
  readonly startTimeUnixNano: string;
  readonly endTimeUnixNano: string;
  readonly attributes: readonly OtlpKeyValue[];
  readonly droppedAttributesCount: number;
  readonly events: readonly OtlpEvent[];
  readonly droppedEventsCount: number;
  readonly status: { readonly code: number; readonly message?: string };
  readonly links: readonly OtlpLink[];
  readonly droppedLinksCount: number;
  readonly flags: number;
}

export interface OtlpScopeSpans {
  readonly scope: { readonly name: string; readonly version?: string };
  readonly spans: readonly OtlpSpan[];
}

export interface OtlpResourceSpans {
  readonly resource: {
    readonly attributes: readonly OtlpKeyValue[];
    readonly droppedAttributesCount: number;
  };
  readonly scopeSpans: readonly OtlpScopeSpans[];
}

/** The body of a POST to `/v1/traces` with `Content-Type: application/json`. */
export interface OtlpTraceRequest {
  readonly resourceSpans: readonly OtlpResourceSpans[];
}
