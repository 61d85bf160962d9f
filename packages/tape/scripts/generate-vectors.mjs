// Writes docs/tape-vectors.json from the built package. Run after a deliberate format change
// only: the vectors are the frozen definition that other implementations test against.
//   node packages/tape/scripts/generate-vectors.mjs
import { writeFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { Tape } from '../dist/index.js';
import { revive, VECTOR_INPUTS } from './vector-inputs.mjs';

const vectors = VECTOR_INPUTS.map(({ name, events }) => {
  const tape = Tape.create({ id: 'vector' });
  for (const event of revive(events)) tape.append(event);
  return {
    name,
    events,
    records: tape.storedEvents().map((stored) => Buffer.from(stored.record).toString('hex')),
    heads: tape.storedEvents().map((stored) => stored.head.toString('hex')),
    fingerprint: tape.fingerprint,
  };
});

const out = fileURLToPath(new URL('../../../docs/tape-vectors.json', import.meta.url));
writeFileSync(
  out,
  `${JSON.stringify({ format: '@trace/tape fingerprint v1', seed: 'SHA-256 of UTF-8 "@trace/tape fingerprint v1"', vectors }, null, 2)}\n`,
);
console.log(`wrote ${vectors.length} vectors to ${out}`);
