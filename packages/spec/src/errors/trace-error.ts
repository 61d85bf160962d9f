/**
 * The root of every error a @trace package throws.
 *
 * Two copies of a package can be loaded at once (a dependency pinned to another version, a bundle
 * beside node_modules). `instanceof` then fails across the copies, so each error class carries a
 * brand registered with `Symbol.for`, which is the same symbol in every copy, and `isInstance`
 * checks the brand instead of the prototype chain.
 */
const TRACE_ERROR_BRAND: unique symbol = Symbol.for('@trace/spec.TraceError') as never;

export interface TraceErrorOptions {
  /** The error that led to this one; kept as the standard `cause`. */
  readonly cause?: unknown;
  /** Structured context (a path, an index, an expected value) for programs that handle the error. */
  readonly details?: Readonly<Record<string, unknown>>;
}

/**
 * Every package declares its codes once, as a const object with upper-case keys, and derives the
 * union from it: `TapeErrorCode.INVALID_EVENT` is `'TAPE_INVALID_EVENT'`, and `new TapeError(code,
 * …)` accepts only the package's own codes.
 */
export class TraceError<C extends string = string> extends Error {
  /** The brand this class stamps on its instances; subclasses declare their own. */
  static readonly brand: symbol = TRACE_ERROR_BRAND;

  /** A stable, machine-readable code such as `TAPE_NOT_SQLITE`. Never reworded once published. */
  readonly code: C;
  /** Structured context for the code; its keys are documented with each code. */
  readonly details: Readonly<Record<string, unknown>>;

  constructor(code: C, message: string, options: TraceErrorOptions = {}) {
    super(message, options.cause === undefined ? undefined : { cause: options.cause });
    this.code = code;
    this.details = Object.freeze({ ...(options.details ?? {}) });
    this.name = new.target.name;
    stampBrands(this, new.target);
  }

  /**
   * True when `value` is an instance of this class (or a subclass), from any loaded copy of the
   * package that defined it.
   */
  static isInstance<T extends abstract new (...args: never[]) => TraceError<string>>(
    this: T & { readonly brand: symbol },
    value: unknown,
  ): value is InstanceType<T> {
    return (
      typeof value === 'object' &&
      value !== null &&
      (value as Record<symbol, unknown>)[this.brand] === true
    );
  }

  /** A plain object for logs and JSON output; `cause` is summarised, not serialised whole. */
  toJSON(): Record<string, unknown> {
    const json: Record<string, unknown> = {
      name: this.name,
      code: this.code,
      message: this.message,
    };
    if (Object.keys(this.details).length > 0) json.details = this.details;
    if (this.cause !== undefined) json.cause = summariseCause(this.cause);
    return json;
  }
}

/** Marks `error` with the brand of its class and of every @trace ancestor class. */
function stampBrands(error: TraceError, ctor: unknown): void {
  let current = ctor;
  while (typeof current === 'function' && current !== Error) {
    if (Object.hasOwn(current, 'brand')) {
      const brand: unknown = Reflect.get(current, 'brand');
      if (typeof brand === 'symbol') {
        Object.defineProperty(error, brand, { value: true, enumerable: false });
      }
    }
    current = Object.getPrototypeOf(current);
  }
}

function summariseCause(cause: unknown): unknown {
  if (TraceError.isInstance(cause)) return cause.toJSON();
  if (cause instanceof Error) {
    const code = (cause as { code?: unknown }).code;
    return { name: cause.name, message: cause.message, ...(code === undefined ? {} : { code }) };
  }
  if (typeof cause === 'object' && cause !== null) {
    // An error-like object (a test runner's serialised copy of an error has no prototype, and
    // `String()` of an object without one throws): its name, message and code, when it has them.
    const { name, message, code } = cause as { name?: unknown; message?: unknown; code?: unknown };
    if (typeof message === 'string') {
      return {
        name: typeof name === 'string' ? name : 'Error',
        message,
        ...(code === undefined ? {} : { code }),
      };
    }
    return Object.prototype.toString.call(cause);
  }
  return String(cause);
}
