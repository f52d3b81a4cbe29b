// Validation issues as lines a person can act on: where, which rule (its id finds it in the rules
// guide and the reference), and what is wrong.
import type { ValidationIssue } from "../src/index.js";

export function issueLines(issues: readonly ValidationIssue[], where = ""): string[] {
  return issues.map((i) => `${where}${i.severity === "warning" ? "warning " : ""}${i.path || "/"}  ${i.rule}  ${i.message}`);
}
