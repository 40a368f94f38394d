/**
 * When models compile their parsers (see `docs/validation.md`, "Compiled parsers").
 *
 * - `lazy` (default): on a model's first parse.
 * - `eager`: when the model is defined.
 * - `off`: never; every model uses the regular parser (Zod's), as a Content
 *   Security Policy without `unsafe-eval` requires. Models also fall back to
 *   it on their own when code generation is refused or Zod is `jitless`.
 */
export type ModelCompilation = 'lazy' | 'eager' | 'off';

let mode: ModelCompilation = 'lazy';

/**
 * Sets when models compile their parsers. Takes effect for models not yet
 * compiled (a model compiled already keeps its parser; `off` stops its use).
 *
 * @example
 * ```ts
 * setModelCompilation('off'); // a CSP without 'unsafe-eval'
 * ```
 */
export function setModelCompilation(next: ModelCompilation): void {
  mode = next;
}

/** When models compile their parsers. */
export function getModelCompilation(): ModelCompilation {
  return mode;
}
