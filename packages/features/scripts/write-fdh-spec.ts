/**
 * Writes specs/fdh-fraud-v1.json from `fdhFraudSpec()` (parsed, so defaults are explicit).
 * Rerun after changing src/fdh/fdh-specs.ts:
 *
 *     npx tsx --conditions @riskscore/source packages/features/scripts/write-fdh-spec.ts
 *
 * src/spec/fdh-spec-file.test.ts fails when the file and the function disagree.
 */
import { writeFileSync } from 'node:fs';
import { resolve, dirname } from 'node:path';
import { fileURLToPath } from 'node:url';
import { FeatureSpecSchema, fdhFraudSpec } from '../src/index';

const out = resolve(dirname(fileURLToPath(import.meta.url)), '../specs/fdh-fraud-v1.json');
writeFileSync(out, JSON.stringify(FeatureSpecSchema.parse(fdhFraudSpec()), null, 1) + '\n');
console.log(`wrote ${out}`);
