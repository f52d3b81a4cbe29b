// The registry of runtime rules: exactly the ids the contract lists under `x-kirin-rules` of each
// params schema (a test holds the two sets equal). Rules the schema states are not repeated here.
import { bodySizeRule } from "./body-size.js";
import { imageRefs, imageRules } from "./images.js";
import { mediaRules } from "./media.js";
import { multiShotRules } from "./multi-shot.js";
import { placeholderRules } from "./placeholders.js";
import { prototypeKeyRule } from "./prototype-keys.js";
import type { Model, Params, Rule } from "./shared.js";

export type { Model, Rule } from "./shared.js";

export const rules: readonly Rule[] = [
  ...multiShotRules,
  ...imageRules,
  ...mediaRules,
  ...placeholderRules,
  prototypeKeyRule,
  bodySizeRule,
];

/** Runs every rule of `model` over `params`; `report` receives each finding with its rule. */
export function runRules(model: Model, params: Params, report: (path: string, rule: Rule, message: string) => void) {
  let current = rules[0]!;
  // One context for all rules (a closure per rule per call showed up in profiles).
  const context = { params, images: imageRefs(model, params), report: (path: string, message: string) => report(path, current, message) };
  for (const rule of rules) {
    current = rule;
    if (!rule.only || rule.only === model) rule.check(context);
  }
}
