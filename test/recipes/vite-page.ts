// The page the browser test serves around the Vite recipe (vite-mocks.ts, shown in docs/browser.md
// as it is): creates a task, waits for it, and plays its video.
import { videoUrls } from "kirin-api";
import { kirin } from "./vite-mocks.js";

const status = document.querySelector("#status")!;
const task = await kirin.generate(
  { model: "kirin_v3_omni_video", prompt: "A paper boat on a rainy street.", aspect_ratio: "9:16" },
  { onProgress: (t) => void (status.textContent = t.status) },
);
status.textContent = task.status;
const video = document.querySelector("video")!;
video.src = videoUrls(task)[0]!;
await video.play();
