// kirin_v3_omni_video prompt placeholders: `<<<image_2>>>` must name an existing `image_list` item.
import { fieldName, isObject, list, type Rule } from "./shared.js";

const LISTS: Record<string, string> = { image: "image_list", element: "element_list", video: "video_list" };

export const placeholderRules: Rule[] = [
  {
    id: "prompt-placeholders",
    severity: "error",
    only: "kirin_v3_omni_video",
    check({ params: p, report }) {
      const texts: [string, unknown][] = [["/prompt", p.prompt]];
      list(p.multi_prompt).forEach((shot, i) => isObject(shot) && texts.push([`/multi_prompt/${i}/prompt`, shot.prompt]));
      for (const [path, text] of texts) {
        if (typeof text !== "string") continue;
        for (const [, inner] of text.matchAll(/<<<([^<>]*)>>>/g)) {
          const [, kind, n] = /^(image|element|video)_(\d+)$/.exec(inner!) ?? [];
          const listName = LISTS[kind!];
          if (!listName) {
            report(
              path,
              `${fieldName(path)} contains <<<${inner}>>>, which is not a placeholder; use <<<image_N>>>, <<<element_N>>> or <<<video_N>>>.`,
            );
          } else {
            const count = list(p[listName]).length;
            if (Number(n) < 1 || Number(n) > count) {
              report(
                path,
                `${fieldName(path)} refers to <<<${inner}>>> but \`${listName}\` has ${count} item${count === 1 ? "" : "s"} (N counts from 1).`,
              );
            }
          }
        }
      }
    },
  },
];
