import { Command, CommanderError, InvalidArgumentError, Option } from 'commander';
import { AlertbaseError } from '../base/exceptions/index.js';
import type { ValidationLevel } from '../base/validators/index.js';
import type { ConvertCommandOptions } from './commands/convert.js';
import type { SchemaFormat } from './commands/schema.js';
import type { ValidateOptions } from './commands/validate.js';
import { type CliIo, EXIT, UsageError } from './io.js';

const VERSION = '0.1.0';

// Each command's module is imported when the command runs: `alertbase serve`
// should not load the validators and serializers before it listens.
const LEVELS: readonly ValidationLevel[] = [
  'syntax',
  'semantic',
  'security',
  'performance',
  'consistency',
];

interface ValidateCommandOptions {
  format: ValidateOptions['format'];
  kind?: string;
  from?: 'json' | 'yaml';
  level?: ValidationLevel;
  strict?: boolean;
  maxErrors?: number;
  config?: string;
}

function parseCount(value: string): number {
  if (!/^[1-9][0-9]*$/.test(value))
    throw new InvalidArgumentError('expected a positive whole number');
  return Number(value);
}

/**
 * Runs the `alertbase` command with `argv` (without `node` and the script)
 * and returns the exit code. Errors are printed as one line on stderr.
 *
 * @example
 * ```ts
 * const code = await runCli(['validate', 'examples'], processIo());
 * ```
 */
export async function runCli(argv: readonly string[], io: CliIo): Promise<number> {
  let exitCode: number = EXIT.ok;
  const program = new Command('alertbase')
    .description('Typed foundation of a multi-tenant alert management system')
    .version(VERSION)
    .exitOverride()
    .configureOutput({
      writeOut: (s) => io.stdout.write(s),
      writeErr: (s) => io.stderr.write(s),
    })
    .showHelpAfterError();

  program
    .command('validate')
    .description(
      'validate alertbase documents and Prometheus rule files (JSON or YAML files, or folders)',
    )
    .argument('<paths...>', 'files or folders')
    .addOption(
      new Option('--format <format>', 'report format')
        .choices(['text', 'json', 'sarif'])
        .default('text'),
    )
    .option(
      '--kind <kind>',
      'the model of every document (default: each document\'s "kind" field; prometheus-rules for rule files)',
    )
    .addOption(
      new Option('--from <format>', 'input format (default: by extension)').choices([
        'json',
        'yaml',
      ]),
    )
    .addOption(new Option('--level <level>', 'run the levels up to this one').choices([...LEVELS]))
    .option('--strict', 'security and performance warnings are errors')
    .option('--max-errors <n>', 'findings kept per severity and document', parseCount)
    .option('--config <file>', 'configuration file')
    .action(async (paths: string[], opts: ValidateCommandOptions) => {
      const { runValidate } = await import('./commands/validate.js');
      exitCode = await runValidate(
        paths,
        {
          format: opts.format,
          ...(opts.kind === undefined ? {} : { kind: opts.kind }),
          ...(opts.from === undefined ? {} : { from: opts.from }),
          ...(opts.level === undefined ? {} : { level: opts.level }),
          ...(opts.strict === undefined ? {} : { strict: opts.strict }),
          ...(opts.maxErrors === undefined ? {} : { maxErrors: opts.maxErrors }),
          ...(opts.config === undefined ? {} : { config: opts.config }),
        },
        io,
        VERSION,
      );
    });

  program
    .command('convert')
    .description('convert records between json, yaml, xml, protobuf and msgpack (- for stdin)')
    .argument('<input>', 'input file, or - for standard input')
    .requiredOption('--to <format>', 'output format')
    .option('--from <format>', 'input format (default: by extension)')
    .option(
      '--model <model>',
      'validate every record with this model and write it exactly (needed for protobuf)',
    )
    .option('-o, --output <file>', 'output file (default: standard output)')
    .action(async (input: string, opts: ConvertCommandOptions) => {
      const { runConvert } = await import('./commands/convert.js');
      exitCode = await runConvert(input, opts, {
        ...io,
        stdin: process.stdin,
        stdoutBytes: process.stdout,
      });
    });

  program
    .command('schema')
    .description(
      "print a model's JSON Schema, the .proto of the models, or an OpenAPI 3.1 components document",
    )
    .argument('[model]', 'model name (Alert, AlertRule, ...); all models for proto and openapi')
    .addOption(
      new Option('--format <format>', 'what to print')
        .choices(['json-schema', 'proto', 'openapi'])
        .default('json-schema'),
    )
    .addOption(
      new Option('--io <io>', 'JSON Schema of what the model accepts or produces')
        .choices(['input', 'output'])
        .default('input'),
    )
    .action(
      async (model: string | undefined, opts: { format: SchemaFormat; io: 'input' | 'output' }) => {
        const { runSchema } = await import('./commands/schema.js');
        exitCode = await runSchema(model, opts, io);
      },
    );

  program
    .command('config')
    .description(
      'print the effective configuration and where each value comes from (secrets masked)',
    )
    .option(
      '--config <file>',
      'configuration file (default: $ALERTBASE_CONFIG or ./alertbase.yaml)',
    )
    .action(async (opts: { config?: string }) => {
      const { runConfig } = await import('./commands/config.js');
      exitCode = await runConfig(opts.config === undefined ? {} : { config: opts.config }, io);
    });

  program
    .command('serve')
    .description('serve the HTTP API (PGlite in ./data, or DATABASE_URL) until SIGINT/SIGTERM')
    .option('--port <port>', 'TCP port (default: $PORT or 8080; 0 picks a free one)', (v) => {
      const port = Number(v);
      if (!Number.isInteger(port) || port < 0 || port > 65_535)
        throw new UsageError(`invalid port: ${v}`);
      return port;
    })
    .option('--host <host>', 'interface to listen on (default: $HOST or 127.0.0.1)')
    .option('--config <file>', 'configuration file')
    .action(async (opts: { port?: number; host?: string; config?: string }) => {
      const { runServe } = await import('../server/serve-command.js');
      await runServe(opts, io);
    });

  program
    .command('backup')
    .description(
      'back up the database while the service runs (PGlite: a tarball, through the running server when one holds the directory; PostgreSQL: pg_dump)',
    )
    .requiredOption('--out <file>', 'the backup file to write')
    .option('--config <file>', 'configuration file')
    .action(async (opts: { out: string; config?: string }) => {
      const { runBackup } = await import('../server/backup-commands.js');
      await runBackup(opts, io);
    });
  program
    .command('restore')
    .description(
      'restore a backup (PGlite: into an empty data directory, the server stopped; PostgreSQL: pg_restore into an empty database)',
    )
    .requiredOption('--from <file>', 'a file alertbase backup wrote')
    .option('--force', 'replace a PGlite data directory that holds data')
    .option('--config <file>', 'configuration file')
    .action(async (opts: { from: string; force?: boolean; config?: string }) => {
      const { runRestore } = await import('../server/backup-commands.js');
      await runRestore(opts, io);
    });

  const tenant = program
    .command('tenant')
    .description('move a tenant between deployments in a portable archive');
  tenant
    .command('export')
    .description(
      'write a tenant’s archive (every row of its tables, gzip-compressed newline-delimited JSON; through the running server when one holds the directory)',
    )
    .argument('<tenant>', 'the tenant id')
    .requiredOption('--out <file>', 'the archive to write')
    .option('--config <file>', 'configuration file')
    .action(async (id: string, opts: { out: string; config?: string }) => {
      const { runTenantExport } = await import('../server/tenant-archive-commands.js');
      await runTenantExport({ tenant: id, ...opts }, io);
    });
  tenant
    .command('import')
    .description(
      'read a tenant archive into this deployment, in one transaction (same schema version; the tenant must not exist here)',
    )
    .argument('<file>', 'an archive alertbase tenant export wrote')
    .option('--config <file>', 'configuration file')
    .action(async (file: string, opts: { config?: string }) => {
      const { runTenantImport } = await import('../server/tenant-archive-commands.js');
      await runTenantImport({ from: file, ...opts }, io);
    });

  const admin = program.command('admin').description('platform administration');
  admin
    .command('create-key')
    .description('create a platform administrator key (manages tenants); printed once')
    .option('--name <name>', 'name of the key', 'platform-admin')
    .option('--config <file>', 'configuration file')
    .action(async (opts: { name?: string; config?: string }) => {
      const { runCreateAdminKey } = await import('../server/commands.js');
      await runCreateAdminKey(opts, io);
    });
  admin
    .command('owner-key')
    .description(
      "break-glass: issue a new owner key to a tenant (audited as key.break_glass in the tenant's trail); printed once",
    )
    .requiredOption('--tenant <id>', 'the tenant')
    .option('--reason <text>', 'why (kept in the audit trail)')
    .option('--config <file>', 'configuration file')
    .action(async (opts: { tenant: string; reason?: string; config?: string }) => {
      const { runIssueOwnerKey } = await import('../server/commands.js');
      await runIssueOwnerKey(opts, io);
    });

  const keys = program
    .command('keys')
    .description('the key ring of encryption at rest (channel secrets)');
  keys
    .command('new')
    .description(
      'add a key to the ring: appended to the data directory key file, or printed for ALERTBASE_ENCRYPTION_KEYS',
    )
    .option('--id <id>', 'the key id (default: k and the next number)')
    .option('--config <file>', 'configuration file')
    .action(async (opts: { id?: string; config?: string }) => {
      const { runNewKey } = await import('../server/key-commands.js');
      await runNewKey(opts, io);
    });
  keys
    .command('rotate')
    .description(
      're-encrypt every stored secret under the newest key, in batches, while the service runs (audited)',
    )
    .option('--batch-size <n>', 'rows per transaction (default 100)', (v) => {
      const n = Number(v);
      if (!Number.isInteger(n) || n < 1 || n > 10_000)
        throw new UsageError(`invalid batch size: ${v} (1 to 10000)`);
      return n;
    })
    .option('--config <file>', 'configuration file')
    .action(async (opts: { batchSize?: number; config?: string }) => {
      const { runRotateKeys } = await import('../server/key-commands.js');
      await runRotateKeys(opts, io);
    });

  const audit = program.command('audit').description("a tenant's audit trail");
  audit
    .command('checkpoint')
    .description(
      'a signed checkpoint (length, head hash) of the audit chain, as JSON: keep it outside the database',
    )
    .requiredOption('--tenant <id>', 'the tenant')
    .option('-o, --output <file>', 'write it to a file (default: stdout)')
    .option('--config <file>', 'configuration file')
    .action(async (opts: { tenant: string; output?: string; config?: string }) => {
      const { runAuditCheckpoint } = await import('../server/key-commands.js');
      await runAuditCheckpoint(opts, io);
    });
  audit
    .command('verify')
    .description(
      'verify the audit chain, and against a checkpoint: not cut short, not rewritten up to it (exit 1 when not)',
    )
    .requiredOption('--tenant <id>', 'the tenant')
    .option('--checkpoint <file>', 'a checkpoint from alertbase audit checkpoint')
    .option('--config <file>', 'configuration file')
    .action(async (opts: { tenant: string; checkpoint?: string; config?: string }) => {
      const { runAuditVerify } = await import('../server/key-commands.js');
      if (!(await runAuditVerify(opts, io))) exitCode = EXIT.invalid;
    });

  try {
    await program.parseAsync([...argv], { from: 'user' });
    return exitCode;
  } catch (err) {
    if (err instanceof CommanderError) {
      // Help and version exit 0; commander already printed the reason of a usage error.
      return err.exitCode === 0 ? EXIT.ok : EXIT.usage;
    }
    if (err instanceof UsageError) {
      io.stderr.write(`alertbase: ${err.message}\n`);
      return EXIT.usage;
    }
    if (err instanceof AlertbaseError) {
      io.stderr.write(`alertbase: ${err.code}: ${err.message}\n`);
      return EXIT.usage;
    }
    throw err;
  }
}
