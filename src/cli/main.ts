#!/usr/bin/env node
// Node's on-disk compile cache (22.1+): a later start reuses the bytecode of
// the modules it loads instead of compiling them again. Enabled before
// anything else is imported, so that every module benefits. Node keeps it in
// NODE_COMPILE_CACHE, else <tmpdir>/node-compile-cache, keyed by each file's
// content and Node's version (a rebuilt dist/ is compiled afresh);
// NODE_DISABLE_COMPILE_CACHE=1 turns it off.
import { enableCompileCache } from 'node:module';
import { startEarlyPgliteThread, startsPgliteEarly } from '../storage/drivers/pglite-early.js';

enableCompileCache();
// `alertbase serve` on PGlite: its thread starts on another core while this
// one loads the command and its configuration (pglite-early.ts).
if (startsPgliteEarly(process.argv.slice(2), process.env)) startEarlyPgliteThread();
const [{ processIo }, { runCli }] = await Promise.all([import('./io.js'), import('./program.js')]);

process.exitCode = await runCli(process.argv.slice(2), processIo());
