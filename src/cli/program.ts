import { Command, CommanderError, Option } from 'commander';
import { AlertbaseError } from '../base/exceptions/index.js';
import { runConfig } from './commands/config.js';
import { runValidate, type ValidateOptions } from './commands/validate.js';
import { type CliIo, EXIT, UsageError } from './io.js';

const VERSION = '0.1.0';

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
    .description('validate alertbase documents (JSON or YAML files, or folders of them)')
    .argument('<paths...>', 'files or folders')
    .addOption(
      new Option('--format <format>', 'report format').choices(['text', 'json']).default('text'),
    )
    .option('--kind <kind>', 'the model of every document (default: each document\'s "kind" field)')
    .addOption(
      new Option('--from <format>', 'input format (default: by extension)').choices([
        'json',
        'yaml',
      ]),
    )
    .action(
      async (
        paths: string[],
        opts: { format: ValidateOptions['format']; kind?: string; from?: 'json' | 'yaml' },
      ) => {
        exitCode = await runValidate(
          paths,
          {
            format: opts.format,
            ...(opts.kind === undefined ? {} : { kind: opts.kind }),
            ...(opts.from === undefined ? {} : { from: opts.from }),
          },
          io,
        );
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
      exitCode = await runConfig(opts.config === undefined ? {} : { config: opts.config }, io);
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
