import { buildOpenApiComponents, generateProto } from '../../base/serializers/index.js';
import { listModels } from '../../base/types/model.js';
import { type CliIo, EXIT, UsageError } from '../io.js';
import { modelForKind } from '../models.js';

/** What `alertbase schema` prints. */
export type SchemaFormat = 'json-schema' | 'proto' | 'openapi';

/**
 * `alertbase schema [model] --format json-schema|proto|openapi`: a model's
 * JSON Schema (draft 2020-12), the `.proto` of one or all models, or an
 * OpenAPI 3.1 components document of all models.
 */
export async function runSchema(
  name: string | undefined,
  options: { readonly format: SchemaFormat; readonly io?: 'input' | 'output' },
  io: CliIo,
): Promise<number> {
  const model = name === undefined ? undefined : modelForKind(name);
  if (name !== undefined && model === undefined) {
    const known = listModels()
      .map((m) => m.name)
      .sort()
      .join(', ');
    throw new UsageError(`unknown model "${name}"; models: ${known}`);
  }
  const models = model === undefined ? listModels() : [model];
  let text: string;
  if (options.format === 'json-schema') {
    if (model === undefined)
      throw new UsageError('name a model for its JSON Schema, or use --format openapi');
    text = JSON.stringify(model.toJSONSchema({ io: options.io ?? 'input' }), null, 2);
  } else if (options.format === 'proto') {
    text = generateProto(models).proto;
  } else {
    text = JSON.stringify(buildOpenApiComponents(listModels()), null, 2);
  }
  io.stdout.write(text.endsWith('\n') ? text : `${text}\n`);
  return EXIT.ok;
}
