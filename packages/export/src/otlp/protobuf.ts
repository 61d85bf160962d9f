/**
 * OTLP/HTTP protobuf: the binary encoding of `ExportTraceServiceRequest` (what collectors take
 * by default), written from the OTLP/JSON request `toOtlp` builds, and the reading of the
 * `ExportTraceServiceResponse` a collector answers with. Field numbers and wire types are those
 * of `opentelemetry/proto/trace/v1/trace.proto` and `common/v1/common.proto`; the bytes are
 * written and read by `@bufbuild/protobuf`'s wire runtime, and the tests decode what is written
 * with the official definitions. Zero values are left out, as proto3 does.
 */
import { BinaryReader, BinaryWriter, WireType } from '@bufbuild/protobuf/wire';
import type {
  OtlpAnyValue,
  OtlpEvent,
  OtlpKeyValue,
  OtlpLink,
  OtlpResourceSpans,
  OtlpScopeSpans,
  OtlpSpan,
  OtlpTraceRequest,
} from './types.js';

type Writer = BinaryWriter;

const VARINT = WireType.Varint;
const FIXED64 = WireType.Bit64;
const LENGTH = WireType.LengthDelimited;
const FIXED32 = WireType.Bit32;

function tag(w: Writer, field: number, wire: WireType): Writer {
  return w.tag(field, wire);
}

type Encode<T> = (w: Writer, value: T) => void;

function message<T>(w: Writer, field: number, value: T, encode: Encode<T>): void {
  tag(w, field, LENGTH).fork();
  encode(w, value);
  w.join();
}

function string(w: Writer, field: number, value: string | undefined): void {
  if (value === undefined || value.length === 0) return;
  tag(w, field, LENGTH).string(value);
}

function uint(w: Writer, field: number, value: number | undefined): void {
  if (value === undefined || value === 0) return;
  tag(w, field, VARINT).uint32(value);
}

function hexBytes(w: Writer, field: number, hex: string | undefined): void {
  if (hex === undefined || hex.length === 0) return;
  tag(w, field, LENGTH).bytes(Buffer.from(hex, 'hex'));
}

function nanos(w: Writer, field: number, decimal: string): void {
  const value = BigInt(decimal);
  if (value === 0n) return;
  tag(w, field, FIXED64).fixed64(value);
}

const anyValue: Encode<OtlpAnyValue> = (w, value) => {
  if ('stringValue' in value) {
    tag(w, 1, LENGTH).string(value.stringValue);
  } else if ('boolValue' in value) {
    tag(w, 2, VARINT).bool(value.boolValue);
  } else if ('intValue' in value) {
    // An integer past int64's range (a JavaScript number can hold one) is written modulo 2^64,
    // as protobuf writes any int64, rather than failing the whole export.
    tag(w, 3, VARINT).int64(BigInt.asIntN(64, BigInt(value.intValue)));
  } else if ('doubleValue' in value) {
    tag(w, 4, FIXED64).double(value.doubleValue);
  } else if ('arrayValue' in value) {
    message(w, 5, value.arrayValue.values, (inner, values) => {
      for (const item of values) message(inner, 1, item, anyValue);
    });
  }
};

const keyValue: Encode<OtlpKeyValue> = (w, kv) => {
  string(w, 1, kv.key);
  message(w, 2, kv.value, anyValue);
};

const event: Encode<OtlpEvent> = (w, e) => {
  nanos(w, 1, e.timeUnixNano);
  string(w, 2, e.name);
  for (const kv of e.attributes) message(w, 3, kv, keyValue);
  uint(w, 4, e.droppedAttributesCount);
};

const link: Encode<OtlpLink> = (w, l) => {
  hexBytes(w, 1, l.traceId);
  hexBytes(w, 2, l.spanId);
  for (const kv of l.attributes) message(w, 4, kv, keyValue);
  uint(w, 5, l.droppedAttributesCount);
  if (l.flags !== 0) tag(w, 6, FIXED32).fixed32(l.flags);
};

const span: Encode<OtlpSpan> = (w, s) => {
  hexBytes(w, 1, s.traceId);
  hexBytes(w, 2, s.spanId);
  hexBytes(w, 4, s.parentSpanId);
  string(w, 5, s.name);
  uint(w, 6, s.kind);
  nanos(w, 7, s.startTimeUnixNano);
  nanos(w, 8, s.endTimeUnixNano);
  for (const kv of s.attributes) message(w, 9, kv, keyValue);
  uint(w, 10, s.droppedAttributesCount);
  for (const e of s.events) message(w, 11, e, event);
  uint(w, 12, s.droppedEventsCount);
  for (const l of s.links) message(w, 13, l, link);
  uint(w, 14, s.droppedLinksCount);
  if (s.status.code !== 0 || (s.status.message ?? '') !== '') {
    message(w, 15, s.status, (inner, status) => {
      string(inner, 2, status.message);
      uint(inner, 3, status.code);
    });
  }
  if (s.flags !== 0) tag(w, 16, FIXED32).fixed32(s.flags);
};

const scopeSpans: Encode<OtlpScopeSpans> = (w, ss) => {
  message(w, 1, ss.scope, (inner, scope) => {
    string(inner, 1, scope.name);
    string(inner, 2, scope.version);
  });
  for (const s of ss.spans) message(w, 2, s, span);
};

const resourceSpans: Encode<OtlpResourceSpans> = (w, rs) => {
  message(w, 1, rs.resource, (inner, resource) => {
    for (const kv of resource.attributes) message(inner, 1, kv, keyValue);
    uint(inner, 2, resource.droppedAttributesCount);
  });
  for (const ss of rs.scopeSpans) message(w, 2, ss, scopeSpans);
};

/** The protobuf bytes of an OTLP trace request (the body of `application/x-protobuf`). */
export function encodeTraceRequest(request: OtlpTraceRequest): Uint8Array {
  const w = new BinaryWriter();
  for (const rs of request.resourceSpans) message(w, 1, rs, resourceSpans);
  return w.finish();
}

/**
 * The `partial_success` of a protobuf `ExportTraceServiceResponse`, or undefined when the body
 * has none or is not one (a collector's body never turns a success into a failure).
 */
export function decodePartialSuccess(
  bytes: Uint8Array,
): { rejectedSpans: number; errorMessage: string } | undefined {
  try {
    const response = new BinaryReader(bytes);
    while (response.pos < response.len) {
      const [field, wire] = response.tag();
      if (field !== 1 || wire !== LENGTH) {
        response.skip(wire, field);
        continue;
      }
      const end = response.uint32() + response.pos;
      let rejectedSpans = 0;
      let errorMessage = '';
      while (response.pos < end) {
        const [f, w] = response.tag();
        if (f === 1 && w === VARINT) rejectedSpans = Number(response.int64());
        else if (f === 2 && w === LENGTH) errorMessage = response.string();
        else response.skip(w, f);
      }
      return { rejectedSpans, errorMessage };
    }
  } catch {
    return undefined;
  }
  return undefined;
}
