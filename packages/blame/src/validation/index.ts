/** Fixture agents with planted faults, and the validation of blame against them. */
export { FAULT_CLASSES, type FaultClass } from './faults.js';
export type { PerturbationChoice } from './fixture.js';
export { formatValidation } from './format.js';
export {
  type ClassResult,
  type ControlResult,
  type Discovery,
  type RunResult,
  VALIDATION_TARGETS,
} from './scoring.js';
export { type ValidationOptions, type ValidationResult, validate } from './validate.js';
