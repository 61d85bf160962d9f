/** What fetch takes as its first argument. */
export type FetchInput = Parameters<typeof fetch>[0];

/**
 * A request as fetch received it, read once into bytes so it can be hashed, recorded and still
 * be sent on.
 */
export interface RequestSnapshot {
  readonly method: string;
  readonly url: string;
  /** Every header, names lowercased, in the order `Headers` iterates them (sorted). */
  readonly headers: readonly (readonly [string, string])[];
  readonly body: Uint8Array | null;
  readonly signal: AbortSignal | undefined;
  /**
   * False when taking the snapshot left the caller's arguments untouched, so they can be sent on
   * as they are (a string body stays a string, which fetch sends faster than bytes).
   */
  readonly consumed: boolean;
}

/**
 * Reads `fetch`'s arguments into a snapshot: at once for the shapes the SDKs use, through a
 * `Request` (its body read asynchronously) for the rest. `Request` does the normalising — method
 * case, URL resolution, the content type of a FormData or URLSearchParams body — so that the bytes
 * hashed here are the bytes that would go on the wire. Arguments fetch refuses (a malformed URL, a
 * body on a GET) throw here, synchronously, with fetch's own error.
 */
export function snapshotRequest(
  input: FetchInput,
  init: RequestInit | undefined,
): RequestSnapshot | Promise<RequestSnapshot> {
  return directSnapshot(input, init) ?? requestSnapshot(input, init);
}

/** Methods fetch upper-cases whatever case they are given in; any other method is kept as given. */
const NORMALISED_METHODS = new Set(['DELETE', 'GET', 'HEAD', 'OPTIONS', 'POST', 'PUT']);

/**
 * The same snapshot without building a `Request`, for the shapes the LLM SDKs use (a URL string
 * and a string or byte body): a `Request` and a read of its body stream cost some 50 µs a call,
 * which replay would otherwise add to every request. Returns undefined for any other shape.
 */
function directSnapshot(
  input: FetchInput,
  init: RequestInit | undefined,
): RequestSnapshot | undefined {
  if (typeof input !== 'string' && !(input instanceof URL)) return undefined;
  const raw = init?.body;
  let body: Uint8Array | null;
  if (raw === undefined || raw === null) body = null;
  else if (typeof raw === 'string') body = utf8(raw);
  else if (raw instanceof Uint8Array) body = new Uint8Array(raw);
  else if (raw instanceof ArrayBuffer) body = new Uint8Array(raw.slice(0));
  else return undefined;
  let url: string;
  try {
    url = new URL(input).href;
  } catch {
    return undefined; // let Request raise fetch's own error
  }
  const requested = init?.method ?? 'GET';
  const method = NORMALISED_METHODS.has(requested.toUpperCase())
    ? requested.toUpperCase()
    : requested;
  if ((method === 'GET' || method === 'HEAD') && body !== null) return undefined;
  const headers = new Headers(init?.headers);
  // A string body gets this type from fetch when the caller set none; the snapshot must agree.
  if (typeof raw === 'string' && !headers.has('content-type'))
    headers.set('content-type', 'text/plain;charset=UTF-8');
  return {
    method,
    url,
    headers: [...headers],
    body,
    signal: init?.signal ?? undefined,
    consumed: false,
  };
}

/**
 * A string's UTF-8 bytes in memory of their own (never a slice of Buffer's shared pool, which a
 * tape holding the bytes would pin). Sized then written: a third faster than `TextEncoder`.
 */
function utf8(text: string): Uint8Array {
  const bytes = Buffer.allocUnsafeSlow(Buffer.byteLength(text, 'utf8'));
  bytes.write(text, 'utf8');
  return new Uint8Array(bytes.buffer, bytes.byteOffset, bytes.byteLength);
}

function requestSnapshot(
  input: FetchInput,
  init: RequestInit | undefined,
): Promise<RequestSnapshot> {
  const request = new Request(input, init);
  return readSnapshot(request, input, init);
}

async function readSnapshot(
  request: Request,
  input: FetchInput,
  init: RequestInit | undefined,
): Promise<RequestSnapshot> {
  const body = request.body === null ? null : new Uint8Array(await request.arrayBuffer());
  return {
    method: request.method,
    url: request.url,
    headers: [...request.headers],
    body,
    signal: init?.signal ?? (input instanceof Request ? input.signal : undefined) ?? undefined,
    consumed: true,
  };
}

/** Sends the request on through `inner`: the caller's own arguments when the snapshot left them intact. */
export function forward(
  inner: typeof fetch,
  snapshot: RequestSnapshot,
  input: FetchInput,
  init: RequestInit | undefined,
): Promise<Response> {
  return snapshot.consumed ? inner(snapshot.url, forwardInit(snapshot, init)) : inner(input, init);
}

/** The arguments that send a snapshot on through another fetch, keeping the caller's other options. */
export function forwardInit(snapshot: RequestSnapshot, init: RequestInit | undefined): RequestInit {
  const forwarded: RequestInit = {
    ...init,
    method: snapshot.method,
    headers: snapshot.headers.map(([name, value]) => [name, value]),
    body: snapshot.body,
  };
  if (snapshot.signal !== undefined) forwarded.signal = snapshot.signal;
  return forwarded;
}
