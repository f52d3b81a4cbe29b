// Single-shot / multi-shot rules the schema cannot state: fields the API ignores (warnings), and
// shot durations measured against the task's total duration. The schema already requires
// `prompt`, `shot_type` and `multi_prompt` where needed and checks each shot's own fields.
import { editsVideo, isObject, list, type Params, type Rule, seconds, totalSeconds } from "./shared.js";

const multiShot = (p: Params) => p.multi_shot === true;

/**
 * The shots whose durations count: only with `multi_shot` true (otherwise they are ignored), and
 * not when editing a video, whose own length is the total and cannot be known here.
 */
function shots(p: Params) {
  if (!multiShot(p) || editsVideo(p)) return undefined;
  const total = totalSeconds(p);
  if (total === undefined) return undefined; // a broken `duration` is the schema's issue
  const items = list(p.multi_prompt).map((shot, i) => ({ i, shot: isObject(shot) ? shot : {} }));
  return { total, items };
}

export const multiShotRules: Rule[] = [
  {
    id: "multi-shot-ignores-prompt",
    severity: "warning",
    check({ params: p, report }) {
      if (multiShot(p) && p.prompt !== undefined) {
        report("/prompt", "`prompt` is ignored when `multi_shot` is true: each shot's `prompt` in `multi_prompt` is used instead.");
      }
    },
  },
  {
    id: "single-shot-ignores-shots",
    severity: "warning",
    check({ params: p, report }) {
      if (p.multi_shot !== undefined && p.multi_shot !== false) return;
      for (const key of ["shot_type", "multi_prompt"]) {
        if (p[key] !== undefined) {
          report(`/${key}`, `\`${key}\` is ignored unless \`multi_shot\` is true (it is ${p.multi_shot ?? "absent, so false"}).`);
        }
      }
    },
  },
  {
    id: "shot-duration-within-total",
    severity: "error",
    check({ params: p, report }) {
      const s = shots(p);
      for (const { i, shot } of s?.items ?? []) {
        const d = seconds(shot.duration);
        if (d !== undefined && d > s!.total) {
          report(
            `/multi_prompt/${i}/duration`,
            `\`multi_prompt[${i}].duration\` is "${d}" seconds; a shot lasts at most the task's total \`duration\` of ${s!.total} seconds.`,
          );
        }
      }
    },
  },
  {
    id: "shot-durations-sum",
    severity: "error",
    check({ params: p, report }) {
      const s = shots(p);
      if (!s?.items.length) return;
      const durations = s.items.map(({ shot }) => seconds(shot.duration));
      if (durations.some((d) => d === undefined)) return; // a broken shot duration is the schema's issue
      const sum = durations.reduce((a, d) => a! + d!, 0)!;
      if (sum !== s.total) {
        report(
          `/multi_prompt/${s.items.length - 1}/duration`,
          `The shot durations add up to ${sum} seconds; they must add up to the total \`duration\` of ${s.total} seconds` +
            (p.duration === undefined ? ' (the default, "5").' : "."),
        );
      }
    },
  },
  {
    id: "shot-index-unique",
    severity: "error",
    check({ params: p, report }) {
      if (!multiShot(p)) return;
      const seen = new Map<unknown, number>();
      list(p.multi_prompt).forEach((shot, i) => {
        if (!isObject(shot) || !Number.isInteger(shot.index)) return;
        const first = seen.get(shot.index);
        if (first === undefined) seen.set(shot.index, i);
        else {
          report(
            `/multi_prompt/${i}/index`,
            `\`multi_prompt[${i}].index\` is ${shot.index}, the same as \`multi_prompt[${first}].index\`; each shot needs its own index.`,
          );
        }
      });
    },
  },
];
