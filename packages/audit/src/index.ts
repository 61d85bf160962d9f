export { canonicalJson, type JsonValue } from './canonical.js';
export {
  type Checkpoint,
  type CheckpointKeys,
  type CheckpointReason,
  generateCheckpointKeys,
  type KeyInput,
} from './checkpoint.js';
export { type AuditCollector, type CollectorOptions, createCollector } from './collector.js';
export { type AuditEntry, type AuditPayload, ENTRY_VERSION, GENESIS_HASH } from './entry.js';
export { AuditError, type AuditErrorCode } from './errors.js';
export type { AuditLogOptions, Durability } from './options.js';
export {
  type AuditQuery,
  queryEntries,
  readEntries,
  readRecent,
  type TailOptions,
  tailLog,
} from './read.js';
export {
  type LoopEventLike,
  type ReconstructedIteration,
  type ReconstructedPhase,
  reconstructIterations,
} from './reconstruct.js';
export type { RepairRecord } from './recover.js';
export {
  type CompletenessProblemKind,
  type CrashArtefact,
  type IntegrityProblemKind,
  type VerifyOptions,
  type VerifyProblem,
  type VerifyReport,
  verifyAuditLog,
} from './verify.js';
export {
  DEFAULT_SUBJECT_WHITELIST,
  type DecisionEvent,
  type DecisionVote,
  LOOP_EVENT_TYPES,
  type LoopEventType,
  MAX_ERROR_CHARS,
  type PhaseEvent,
  type PhaseInput,
  type PhaseName,
  REPAIR_EVENT_TYPE,
  type SamplingEvent,
  type SamplingStatus,
  type ToolCallEvent,
  type ToolCallStatus,
  type VerdictEvent,
} from './vocabulary.js';
export {
  type AppendOptions,
  type AuditListener,
  type AuditLog,
  openAuditLog,
  type SessionLog,
} from './writer.js';
