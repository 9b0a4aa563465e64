// The validator scripts/build-validator.mjs generates from schema.ts at build time (ajv
// standalone code, options allErrors + verbose + strict): no schema compile at start-up.
import type { ValidateFunction } from 'ajv';

export declare const validate: ValidateFunction;
