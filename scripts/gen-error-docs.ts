/**
 * Writes docs/errors.md from the error-code registry, so the table in the docs
 * is the registry. Run with `npm run docs:errors`; a test checks it is current.
 */
import { writeFileSync } from 'node:fs';
import { renderErrorTable } from '../src/base/exceptions/docs.js';

writeFileSync(new URL('../docs/errors.md', import.meta.url), renderErrorTable());
