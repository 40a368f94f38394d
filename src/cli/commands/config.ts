import { formatConfig, liveSummary, loadConfig } from '../../config/index.js';
import { type CliIo, EXIT } from '../io.js';

/**
 * `alertbase config`: prints the effective configuration and where each
 * value came from, then what it sets in motion (store, caches, limits).
 */
export async function runConfig(options: { readonly config?: string }, io: CliIo): Promise<number> {
  const loaded = await loadConfig({ env: io.env, cwd: io.cwd, configFile: options.config });
  io.stdout.write(
    `${formatConfig(loaded)}\nIn effect:\n${liveSummary(loaded.config)
      .map((l) => `  ${l}\n`)
      .join('')}`,
  );
  return EXIT.ok;
}
