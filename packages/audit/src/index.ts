export {
  AUDIT_ENTRY_VERSION,
  type AuditEntry,
  type AuditPayload,
  type DecisionEvent,
  type DecisionVote,
  GENESIS_HASH,
  LOOP_EVENT_TYPES,
  type LoopEventType,
  type PhaseEvent,
  type PhaseName,
  type SamplingEvent,
  type SamplingStatus,
  type ToolCallEvent,
  type ToolCallStatus,
  type VerdictEvent,
} from '@trace/spec';
export {
  type Checkpoint,
  type CheckpointKeys,
  type CheckpointReason,
  generateCheckpointKeys,
  type KeyInput,
} from './checkpoint.js';
export { type AuditCollector, type CollectorOptions, createCollector } from './collector.js';
export { AuditError, AuditErrorCode } from './errors.js';
export type { AuditDurability, AuditLogOptions } from './options.js';
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
export type {
  AuditVerifyProblem,
  AuditVerifyReport,
  CompletenessProblemKind,
  CrashArtefact,
  IntegrityProblemKind,
} from './verify/report.js';
export { type AuditVerifyOptions, verifyAuditLog } from './verify/verify-audit-log.js';
export {
  DEFAULT_SUBJECT_WHITELIST,
  MAX_ERROR_CHARS,
  type PhaseInput,
  REPAIR_EVENT_TYPE,
} from './vocabulary.js';
export {
  type AuditAppendOptions,
  type AuditListener,
  type AuditLog,
  openAuditLog,
  type SessionLog,
} from './write/audit-log.js';
