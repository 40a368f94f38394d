export { type CliIo, EXIT, processIo, UsageError } from './io.js';
export { runCli } from './program.js';
