/**
 * The models a document's `kind` can name. Importing this module registers
 * every domain model: only the commands that read alertbase documents load it
 * (`alertbase validate` of rule files and Alertmanager configurations does not).
 */
import type { AnyModel } from '../base/types/model.js';
import { findModel, listModels } from '../base/types/model.js';
import { toCamelCase } from '../base/utils/case.js';
import '../domain/index.js';

/** The model a `kind` names: `AlertRule`, `alert-rule`, `alert_rule`, `alertrule`. */
export function modelForKind(kind: string): AnyModel | undefined {
  const pascal = toCamelCase(kind.replaceAll('-', '_'));
  const candidates = [kind, pascal.charAt(0).toUpperCase() + pascal.slice(1)];
  for (const name of candidates) {
    const model = findModel(name);
    if (model !== undefined) return model;
  }
  const flat = kind.replaceAll(/[-_]/g, '').toLowerCase();
  return listModels().find((m) => m.name.toLowerCase() === flat);
}
