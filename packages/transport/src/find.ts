import { findTraceError } from '@trace/spec';
import { TransportError } from './errors.js';

/**
 * The divergence error behind an SDK's error, if there is one. The official clients wrap a
 * failed fetch in their own connection error (`APIConnectionError`), keeping ours as `cause`.
 */
export function findDivergence(error: unknown): TransportError | undefined {
  const found = findTraceError(error, 'TRANSPORT_DIVERGED');
  return TransportError.isInstance(found) ? found : undefined;
}
