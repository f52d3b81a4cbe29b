// kirin_v3_omni_video media rules the schema cannot state: a count across two lists, a guess at a
// video's type from its URL, and `duration` being ignored when a video is edited.
import { editsVideo, isObject, list, type Rule } from "./shared.js";

const VIDEO_EXTENSIONS = ["mp4", "mov"];

export const mediaRules: Rule[] = [
  {
    id: "media-count",
    severity: "error",
    only: "kirin_v3_omni_video",
    check({ params: p, report }) {
      const images = list(p.image_list).length;
      const elements = list(p.element_list).length;
      const withVideo = list(p.video_list).length > 0;
      const limit = withVideo ? 4 : 7;
      if (images + elements > limit) {
        report(
          elements ? "/element_list" : "/image_list",
          `${images} images + ${elements} elements = ${images + elements}; at most ${limit} are allowed ${withVideo ? "with" : "without"} a reference video.`,
        );
      }
    },
  },
  {
    id: "video-url-extension",
    severity: "warning",
    only: "kirin_v3_omni_video",
    check({ params: p, report }) {
      list(p.video_list).forEach((video, i) => {
        if (!isObject(video) || typeof video.video_url !== "string") return;
        // The path alone: no scheme and host (example.com), no query or fragment.
        const path = video.video_url.replace(/^[a-z][a-z0-9+.-]*:\/\/[^/?#]*/i, "").replace(/[?#][\s\S]*$/, "");
        const extension = /\.([^./]+)$/.exec(path)?.[1];
        if (extension && !VIDEO_EXTENSIONS.includes(extension.toLowerCase())) {
          report(
            `/video_list/${i}/video_url`,
            `\`video_list[${i}].video_url\` ends in ".${extension}"; reference videos must be MP4 or MOV, so this one will probably be rejected.`,
          );
        }
      });
    },
  },
  {
    id: "video-edit-ignores-duration",
    severity: "warning",
    only: "kirin_v3_omni_video",
    check({ params: p, report }) {
      if (editsVideo(p) && p.duration !== undefined) {
        report(
          "/duration",
          "`duration` is ignored when editing a video (`refer_type` base, the default): the output lasts as long as the input video.",
        );
      }
    },
  },
];
