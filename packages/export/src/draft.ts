import type {
  ActionKind,
  DecisionInfo,
  Evidence,
  ModelInfo,
  Principal,
  SamplingInfo,
  Sensitivity,
} from './contract.js';
import type { ResultFlags } from './summary.js';

/** A human's correction as the caller gives it; `at` may be a Date, epoch ms or ISO string. */
export interface CorrectionInput {
  readonly by: string;
  readonly note: string;
  readonly at: string | number | Date;
}

/**
 * One action as a builder (or the caller) read it, before redaction. Only `runId`, `kind`,
 * `name`, `invokedAt` and `status` are required; every optional field that is left out is left
 * out of the export too.
 */
export interface ActionTraceDraft {
  /**
   * Defaults to an id derived from the evidence, or, without evidence, from run, kind, name, time
   * and the draft's position in the export (so two actions in the same millisecond differ).
   */
  readonly id?: string;
  readonly runId: string;
  readonly kind: ActionKind;
  readonly name: string;
  /** Defaults to the export's `principal` option, then `{ kind: 'agent', id: 'agent' }`. */
  readonly principal?: Principal;
  readonly invokedAt: string | number | Date;
  readonly durationMs?: number;
  readonly status: 'succeeded' | 'failed';
  /** Only on a failed action: an Error, a string, or `{ type, message, truncated? }`. */
  readonly error?:
    | Error
    | string
    | { readonly type?: string; readonly message?: string; readonly truncated?: boolean };
  /** The arguments as the capability received them; redacted on export. */
  readonly arguments?: unknown;
  /** The raw result. Summarised on export; kept (redacted) only when raw results are allowed. */
  readonly result?: unknown;
  /** Facts about the result a summary cannot see in the value itself. */
  readonly resultFlags?: ResultFlags;
  /** As the capability declared it; defaults from the `capabilities` option, then `none`. */
  readonly sensitivity?: Sensitivity;
  readonly evidence?: Evidence;
  readonly model?: ModelInfo;
  readonly callId?: string;
  readonly parentId?: string;
  readonly iteration?: number;
  readonly annotations?: readonly unknown[];
  /** Any JSON; flattened to dotted keys and redacted on export. */
  readonly metadata?: Readonly<Record<string, unknown>>;
  readonly correction?: CorrectionInput;
  readonly decision?: DecisionInfo;
  readonly sampling?: SamplingInfo;
}
