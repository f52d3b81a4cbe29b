// The playground: a form that builds a Kirin request, checks it with the library's own
// validateRequest on every change, and runs it with the library's own client against the mock that
// serves this page. No rule is re-implemented here: the page only places each issue next to the
// field its JSON Pointer names.
import {
  createKirinClient,
  type ImageInfo,
  imageToBase64,
  inspectImage,
  KirinApiError,
  KirinConnectionError,
  KirinCreateOutcomeUnknownError,
  type KirinRequest,
  KirinTaskFailedError,
  KirinValidationError,
  type RetryEvent,
  type Task,
  type TaskProgress,
  taskCost,
  type ValidationIssue,
  type ValidationResult,
  validateRequest,
  videoUrls,
} from "../../src/index.js";

/** The contract's mock scenarios and answer shapes, put in by build.mjs. */
declare const KIRIN_MOCK_SCENARIOS: {
  header: string;
  shapes: { header: string; values: string[] };
  list: { name: string; description: string }[];
};

type Body = Record<string, unknown>;

/**
 * Where the mock answers: the server that serves this page (`npm start`), or, on the static site,
 * the mock core on MSW's worker under the URL worker.ts puts here before this module runs.
 */
const API_BASE = (globalThis as { KIRIN_API_BASE?: string }).KIRIN_API_BASE ?? location.origin;
type Field = HTMLInputElement | HTMLSelectElement | HTMLTextAreaElement;

const $ = <T extends Element = HTMLElement>(selector: string, root: ParentNode = document) => root.querySelector<T>(selector)!;

function h<K extends keyof HTMLElementTagNameMap>(
  tag: K,
  attributes: Record<string, string> = {},
  ...children: (Node | string)[]
): HTMLElementTagNameMap[K] {
  const element = document.createElement(tag);
  for (const [name, value] of Object.entries(attributes)) element.setAttribute(name, value);
  element.append(...children);
  return element;
}

let lastId = 0;
const newId = (prefix: string) => `${prefix}-${++lastId}`;

const form = $<HTMLFormElement>("#request");
const fields = {
  prompt: $<HTMLTextAreaElement>("#prompt"),
  negative: $<HTMLInputElement>("#negative"),
  elements: $<HTMLInputElement>("#elements"),
  multiShot: $<HTMLInputElement>("#multi-shot"),
  aspect: $<HTMLSelectElement>("#aspect"),
  duration: $<HTMLSelectElement>("#duration"),
  mode: $<HTMLSelectElement>("#mode"),
  sound: $<HTMLSelectElement>("#sound"),
  apiKey: $<HTMLInputElement>("#api-key"),
  scenario: $<HTMLSelectElement>("#scenario"),
  shapes: $<HTMLSelectElement>("#shapes"),
};
const lists = {
  images: $<HTMLOListElement>("#image-list"),
  videos: $<HTMLOListElement>("#video-list"),
  shots: $<HTMLOListElement>("#shots"),
};
const view = {
  submit: $<HTMLButtonElement>("#submit"),
  cancel: $<HTMLButtonElement>("#cancel"),
  finish: $<HTMLButtonElement>("#finish"),
  verdict: $("#verdict"),
  status: $("#status"),
  progress: $<HTMLProgressElement>("#progress"),
  progressAbout: $("#progress-about"),
  video: $<HTMLVideoElement>("#video"),
  outcome: $("#outcome"),
  log: $("#log"),
  preview: $("#body-preview"),
  shotSum: $("#shot-sum"),
};

// ---- Images: a file (sent as Base64) or a URL -----------------------------------------------------

/** The Base64 of the file chosen in each picker; while one is set, the picker's URL box is off. */
const uploads = new WeakMap<Element, string>();
/** Puts a file into a picker as if the user had chosen it. */
const preset = new WeakMap<Element, (file: File) => Promise<void>>();

/**
 * A start frame drawn here (a 640x360 PNG: a sky, a hill, a sun), so that the page opens with a
 * valid request and "Create task" works at once; any file or URL the user gives replaces it.
 */
async function sampleFrame(): Promise<File | undefined> {
  const canvas = document.createElement("canvas");
  canvas.width = 640;
  canvas.height = 360;
  const g = canvas.getContext("2d");
  if (!g) return undefined;
  const sky = g.createLinearGradient(0, 0, 0, 360);
  sky.addColorStop(0, "#8ec5ff");
  sky.addColorStop(1, "#fde2c4");
  g.fillStyle = sky;
  g.fillRect(0, 0, 640, 360);
  g.fillStyle = "#ffb347";
  g.beginPath();
  g.arc(470, 120, 46, 0, Math.PI * 2);
  g.fill();
  g.fillStyle = "#3f8f5a";
  g.beginPath();
  g.ellipse(260, 380, 420, 140, 0, 0, Math.PI * 2);
  g.fill();
  const blob = await new Promise<Blob | null>((resolve) => canvas.toBlob(resolve, "image/png"));
  return blob ? new File([blob], "sample-start.png", { type: "image/png" }) : undefined;
}

function imagePicker(host: HTMLElement, idPrefix: string, name: string): void {
  host.setAttribute("role", "group");
  const file = h("input", {
    type: "file",
    id: `${idPrefix}-file`,
    accept: "image/png,image/jpeg",
    "aria-label": `${name}: upload a PNG or JPEG`,
  });
  const url = h("input", {
    type: "url",
    id: `${idPrefix}-url`,
    placeholder: "https://…",
    autocomplete: "off",
    "aria-label": `${name}: image URL`,
  });
  const thumb = h("img", { alt: "" });
  const about = h("span", { class: "hint" });
  const remove = h("button", { type: "button", class: "link", "aria-label": `Remove this ${name.toLowerCase()} file` }, "Remove");
  const chosen = h("div", { class: "chosen" }, thumb, about, remove);
  chosen.hidden = true;
  host.append(file, h("span", { class: "or" }, "or"), url, chosen);

  const clear = () => {
    uploads.delete(host);
    if (thumb.src) URL.revokeObjectURL(thumb.src);
    thumb.removeAttribute("src");
    chosen.hidden = true;
    url.disabled = false;
  };
  const use = async (chosenFile: File | undefined, current: () => File | undefined) => {
    clear();
    if (chosenFile) {
      const base64 = await imageToBase64(chosenFile);
      if (current() !== chosenFile) return; // another file was chosen while this one was read
      uploads.set(host, base64);
      thumb.src = URL.createObjectURL(chosenFile);
      about.textContent = `${chosenFile.name}: ${describeImage(inspectImage(base64))}`;
      chosen.hidden = false;
      url.value = "";
      url.disabled = true;
    }
    check();
  };
  file.addEventListener("change", () => void use(file.files?.[0], () => file.files?.[0]));
  // A file put in by the page (the prefilled sample frame) until the user picks one.
  preset.set(host, (f) => use(f, () => (file.files?.[0] ? undefined : f)));
  remove.addEventListener("click", () => {
    file.value = "";
    clear();
    check();
    file.focus();
  });
}

const pickerValue = (host: Element): string | undefined =>
  uploads.get(host) ?? ($<HTMLInputElement>("input[type=url]", host).value.trim() || undefined);

function describeImage(info: ImageInfo): string {
  if (info.kind === "invalid") return `not readable (${info.problem})`;
  const size = info.bytes === undefined ? "" : `, ${(info.bytes / 1024).toFixed(info.bytes < 10_240 ? 1 : 0)} KB`;
  const dimensions = info.width ? ` ${info.width} × ${info.height}` : "";
  return `${(info.format ?? "unknown").toUpperCase()}${dimensions}${size}`;
}

// ---- Lists: omni images and videos, shots --------------------------------------------------------

/** A labelled control inside a list item; `sub` is its key in the item, for issue paths. */
function subField(sub: string, label: string, control: Field | HTMLElement): HTMLDivElement {
  const id = control.id || (control.id = newId(sub));
  return h("div", { class: "field", "data-sub": sub }, h("label", { for: id }, label), control);
}

function select(options: [value: string, text: string][]): HTMLSelectElement {
  return h("select", {}, ...options.map(([value, text]) => h("option", { value }, text)));
}

function addItem(list: HTMLOListElement, ...content: HTMLElement[]): HTMLLIElement {
  const remove = h("button", { type: "button", class: "link" }, "Remove");
  const item = h(
    "li",
    { class: "item" },
    h("div", { class: "item-head" }, h("span", { class: "item-title", id: newId("title") }), remove),
    ...content,
  );
  remove.addEventListener("click", () => {
    item.remove();
    renumber(list);
    check();
    (list.nextElementSibling as HTMLElement | null)?.focus(); // the list's Add button, not the void
  });
  list.append(item);
  renumber(list);
  return item;
}

/** Titles and issue paths follow an item's position, so they are set again after every change. */
function renumber(list: HTMLOListElement): void {
  const base = list.closest<HTMLElement>("[data-path]")!.dataset.path!;
  [...list.children].forEach((item, i) => {
    (item as HTMLElement).dataset.path = `${base}/${i}`;
    const title = `${list.dataset.title} ${i + 1}`;
    $(".item-title", item).textContent = title;
    $(".item-head button", item).setAttribute("aria-label", `Remove ${title.toLowerCase()}`);
    for (const field of item.querySelectorAll<HTMLElement>("[data-sub]")) field.dataset.path = `${base}/${i}/${field.dataset.sub}`;
  });
  $<HTMLButtonElement>("#add-shot").disabled = lists.shots.children.length >= 6;
}

function addImage(): void {
  const picker = h("div", { class: "picker" });
  const id = newId("image");
  const item = addItem(
    lists.images,
    h("div", { class: "field", "data-sub": "image_url" }, picker),
    subField(
      "type",
      "Used as",
      select([
        ["", "reference (no type)"],
        ["first_frame", "first_frame"],
        ["end_frame", "end_frame"],
      ]),
    ),
  );
  // Labelled by the item's title, which follows the item's position.
  picker.setAttribute("aria-labelledby", $(".item-title", item).id);
  imagePicker(picker, id, "Image");
}

function addVideo(): void {
  addItem(
    lists.videos,
    subField("video_url", "Video URL", h("input", { type: "url", placeholder: "https://…/clip.mp4", autocomplete: "off" })),
    h(
      "div",
      { class: "row" },
      subField(
        "refer_type",
        "refer_type",
        select([
          ["base", "base: edit this video"],
          ["feature", "feature: reference"],
        ]),
      ),
      subField(
        "keep_original_sound",
        "keep_original_sound",
        select([
          ["", "not set"],
          ["yes", "yes"],
          ["no", "no"],
        ]),
      ),
    ),
  );
}

function addShot(seconds = "1", prompt = ""): void {
  const duration = h("input", { type: "number", min: "1", max: "15", step: "1", value: seconds, inputmode: "numeric" });
  addItem(
    lists.shots,
    h(
      "div",
      { class: "row" },
      subField(
        "prompt",
        "Prompt",
        h("input", { type: "text", autocomplete: "off", placeholder: "What happens in this shot", value: prompt }),
      ),
      subField("duration", "Seconds", duration),
    ),
  );
}

// ---- The request body, as a user of the library would write it -----------------------------------

const model = () => $<HTMLInputElement>("input[name=model]:checked").value as KirinRequest["model"];
const fieldValue = (item: Element, sub: string) => $<Field>(`[data-sub=${sub}] :is(input, select)`, item).value;

function readBody(): Body {
  const body: Body = { model: model() };
  const set = (key: string, value: unknown) => {
    if (value !== undefined && value !== "") body[key] = value;
  };
  if (body.model === "kirin_v3_i2v") {
    set("image", pickerValue($("[data-picker=image]")));
    set("image_tail", pickerValue($("[data-picker=image_tail]")));
  } else {
    const images = [...lists.images.children].map((item) => {
      const type = fieldValue(item, "type");
      return { image_url: pickerValue($(".picker", item)) ?? "", ...(type && { type }) };
    });
    const videos = [...lists.videos.children].map((item) => {
      const keep = fieldValue(item, "keep_original_sound");
      return {
        video_url: fieldValue(item, "video_url").trim(),
        refer_type: fieldValue(item, "refer_type"),
        ...(keep && { keep_original_sound: keep }),
      };
    });
    if (images.length) body.image_list = images;
    if (videos.length) body.video_list = videos;
    set("aspect_ratio", fields.aspect.value);
  }
  // Numbers become ids; anything else goes as typed, so the validator can say what is wrong with it.
  const ids = fields.elements.value.split(/[\s,]+/).filter(Boolean);
  if (ids.length) body.element_list = ids.map((id) => ({ element_id: /^\d+$/.test(id) ? Number(id) : id }));
  if (fields.multiShot.checked) {
    body.multi_shot = true;
    body.shot_type = "customize";
    body.multi_prompt = [...lists.shots.children].map((item, i) => ({
      index: i + 1,
      prompt: fieldValue(item, "prompt"),
      duration: fieldValue(item, "duration").trim(),
    }));
  } else set("prompt", fields.prompt.value);
  set("negative_prompt", fields.negative.value);
  set("duration", fields.duration.value);
  set("mode", fields.mode.value);
  set("sound", fields.sound.value);
  return body;
}

// ---- Validation as you type -----------------------------------------------------------------------

function check(): { body: Body; verdict: ValidationResult } {
  const body = readBody();
  const verdict = validateRequest(body);
  showIssues(verdict.issues);
  const errors = verdict.issues.filter((i) => i.severity === "error").length;
  const warnings = verdict.issues.length - errors;
  view.verdict.className = errors ? "bad" : "ok";
  view.verdict.textContent = errors
    ? `${plural(errors, "error")}${warnings ? `, ${plural(warnings, "warning")}` : ""}: fix ${errors === 1 ? "it" : "them"} to send`
    : `Valid${warnings ? ` (${plural(warnings, "warning")})` : ""}: ready to send`;
  view.preview.textContent = codeFor(body);
  const shots = [...lists.shots.children].reduce((sum, item) => sum + (Number(fieldValue(item, "duration")) || 0), 0);
  view.shotSum.textContent = `${shots} s of ${fields.duration.value || "5"} s`;
  return { body, verdict };
}

/** The code that sends this request with the library, for a reader to copy. */
function codeFor(body: Body): string {
  let shortened = false;
  // Base64 images are megabytes of noise in a preview; show their start and length.
  const json = JSON.stringify(
    body,
    (_key, v) => {
      if (typeof v !== "string" || v.length <= 120) return v;
      shortened = true;
      return `${v.slice(0, 40)}… (${v.length} characters)`;
    },
    2,
  );
  return `import { createKirinClient } from "kirin-api";

const client = createKirinClient({ apiKey: ${JSON.stringify(fields.apiKey.value)}, baseUrl: ${JSON.stringify(API_BASE)} });
const bar = document.querySelector("progress")!;
${shortened ? "// Base64 shortened here: put the whole string back, e.g. from imageToBase64(file).\n" : ""}const task = await client.generate(${json}, {
  // A few times a second: a smooth estimate (0-1), the phase (queued, running, finalizing), an ETA.
  onProgress: (task, progress) => void (bar.value = progress.estimate),
  onRetry: (retry) => console.log(retry.operation, "again in", retry.delayMs, "ms after", retry.reason),
});`;
}

const plural = (n: number, word: string) => `${n} ${word}${n === 1 ? "" : "s"}`;

/** Puts each issue in the list of the visible field whose path is the longest prefix of the issue's. */
function showIssues(issues: ValidationIssue[]): void {
  for (const list of form.querySelectorAll(".issues")) list.replaceChildren();
  for (const control of form.querySelectorAll("[aria-invalid]")) {
    control.removeAttribute("aria-invalid");
    control.removeAttribute("aria-describedby");
  }
  const targets = [...form.querySelectorAll<HTMLElement>("[data-path]")].filter((el) => !el.closest("[hidden]"));
  const general = $("[data-path='']", form);
  for (const issue of issues) {
    // The shots' sum is about every shot, not the last one its path names: shown under the list.
    const sum = issue.rule === "shot-durations-sum" ? targets.find((el) => el.dataset.path === "/multi_prompt") : undefined;
    const target =
      sum ?? targets.reduce((best, el) => (covers(el, issue) && el.dataset.path!.length > best.dataset.path!.length ? el : best), general);
    const list = issueList(target);
    list.append(h("li", { class: `issue ${issue.severity}` }, h("code", { class: "rule" }, issue.rule), ...withCode(issue.message)));
    if (issue.severity === "error") {
      // A picker's file and URL boxes both stand for its one value.
      const controls = sum
        ? sum.querySelectorAll("[data-path$='/duration'] > input")
        : target.querySelectorAll(":scope > :is(input, select, textarea), :scope > .picker > input");
      for (const control of controls) {
        control.setAttribute("aria-invalid", "true");
        control.setAttribute("aria-describedby", list.id);
      }
    }
  }
}

/** Messages quote field names in `backticks`, as Markdown would: show those as code. */
const withCode = (message: string) => message.split("`").map((part, i) => (i % 2 ? h("code", {}, part) : part));

const covers = (el: HTMLElement, issue: ValidationIssue) => {
  const path = el.dataset.path!;
  return issue.path === path || issue.path.startsWith(`${path}/`);
};

function issueList(field: HTMLElement): HTMLUListElement {
  let list = field.querySelector<HTMLUListElement>(":scope > .issues");
  if (!list) field.append((list = h("ul", { class: "issues" })));
  list.id ||= newId("issues");
  return list;
}

// ---- Sending and following the task --------------------------------------------------------------

let running: AbortController | undefined;
/** The task being followed, so that its id stays on screen after a cancel. */
let currentTaskId: string | undefined;

async function send(): Promise<void> {
  const { body, verdict } = check();
  if (!verdict.valid) {
    view.verdict.textContent = `Not sent: ${view.verdict.textContent}. The messages are next to the fields.`;
    form.querySelector<HTMLElement>("[aria-invalid=true]")?.focus();
    return;
  }
  const controller = (running = new AbortController());
  const { signal } = controller;
  setRunning(true);
  view.outcome.hidden = true;
  view.video.hidden = true;
  view.video.removeAttribute("src");
  view.progress.value = 0;
  view.progressAbout.textContent = "";
  view.log.replaceChildren();
  currentTaskId = undefined;
  const mockHeaders = { [KIRIN_MOCK_SCENARIOS.header]: fields.scenario.value, [KIRIN_MOCK_SCENARIOS.shapes.header]: fields.shapes.value };
  let retries = 0;
  try {
    const client = createKirinClient({
      apiKey: fields.apiKey.value,
      baseUrl: API_BASE,
      fetch: (request) => logged(request, mockHeaders),
      hooks: { onRetry: (event) => void (retries++, logRetry(event)) },
    });
    setStatus("Creating the task…");
    const created = await client.createTask(body as KirinRequest, { signal });
    currentTaskId = created.id;
    view.finish.disabled = false;
    showTask(created);
    // The created task is the first answer: no status request the moment it was made.
    const task = await client.waitForTask(created.id, { signal, onProgress: showTask, initialTask: created });
    completed(task);
  } catch (error) {
    failed(error, signal, retries);
  } finally {
    if (running === controller) setRunning(false);
  }
}

/** The injected fetch: adds the mock's headers and logs each request with the answer as it came. */
async function logged(request: Request, mockHeaders: Record<string, string>): Promise<Response> {
  const headers = new Headers(request.headers);
  for (const [name, value] of Object.entries(mockHeaders)) if (value) headers.set(name, value);
  const outgoing = new Request(request, { headers });
  // `/model/v1/generation/task/task_0123456789abcdef` reads as `/generation/task/…89abcdef`.
  const path = new URL(outgoing.url).pathname.replace(/^\/model\/v1/, "").replace(/[^/]{13,}$/, (id) => `…${id.slice(-8)}`);
  const what = `${outgoing.method} ${path}`;
  const line = h("li", {}, `${what} …`);
  view.log.append(line);
  const started = performance.now();
  const took = () => `${Math.round(performance.now() - started)} ms`;
  try {
    const response = await fetch(outgoing);
    const time = took();
    let about = "";
    if (!response.ok) line.className = "bad";
    else {
      const task = (await response
        .clone()
        .json()
        .catch(() => undefined)) as Partial<Task> | undefined;
      if (task?.status) about = ` ${task.status}${typeof task.progress === "number" ? ` ${Math.round(task.progress * 100)}%` : ""}`;
    }
    line.textContent = `${what} → ${response.status}${about} (${time})`;
    return response;
  } catch (error) {
    line.textContent = `${what} → no answer (${took()})`;
    line.className = "bad";
    throw error;
  } finally {
    view.log.scrollTop = view.log.scrollHeight; // the log's own scroll, never the page's
  }
}

/** What a retry is, in words: a status request that is tried again is not "the create again". */
const RETRIED: Record<RetryEvent["operation"], string> = {
  create: "Sending the create again",
  lookup: "Looking the create up by its external_task_id (it may have made a task)",
  get: "Asking for the task again",
  poll: "Asking for the task's status again",
};

/** A retry, in the log as it happens: what, when, and why. */
function logRetry(event: RetryEvent): void {
  const seconds = (event.delayMs / 1000).toFixed(1);
  const why = `${event.reason}${event.fromRetryAfter ? ", as its Retry-After asked" : ""}`;
  view.log.append(h("li", { class: "retry" }, `↻ ${RETRIED[event.operation]} in ${seconds} s (after ${why})`));
  view.log.scrollTop = view.log.scrollHeight;
}

/**
 * The bar follows the client's estimate (several times a second, between polls); the status line,
 * a live region, changes only with the task's status or phase, so a screen reader is not flooded.
 */
function showTask(task: Task, progress?: TaskProgress): void {
  const done = task.status === "completed";
  // Queued: an indeterminate bar says "waiting to start", where a bar held at 0 would look stuck.
  if (progress?.phase === "queued" && !done) view.progress.removeAttribute("value");
  else view.progress.value = done ? 1 : (progress?.estimate ?? 0);
  const about = describeProgress(task, progress);
  view.progress.setAttribute("aria-valuetext", about);
  view.progressAbout.textContent = about;
  setStatus(`Task ${task.id}: ${task.status}${progress && !done && task.status !== "failed" ? ` (${progress.phase})` : ""}`);
}

/** "42% running, about 3 s left", "queued for 12 s", "100%". */
function describeProgress(task: Task, progress: TaskProgress | undefined): string {
  if (task.status === "completed") return "100%";
  if (!progress || task.status === "failed") return "";
  if (progress.phase === "queued") return `queued for ${Math.round(progress.elapsedMs / 1000)} s`;
  const eta = progress.etaMs === undefined ? "" : `, about ${Math.ceil(progress.etaMs / 1000)} s left`;
  return `${Math.round(progress.estimate * 100)}% ${progress.phase}${eta}`;
}

function completed(task: Task): void {
  showTask(task);
  const [url] = videoUrls(task);
  const content = task.output?.[0]?.content?.[0];
  if (url) {
    view.video.src = url;
    view.video.hidden = false;
  }
  const cost = taskCost(task);
  showOutcome("ok", "Completed", [
    ["task id", task.id],
    ["video", url ?? "none in the output"],
    ["duration", content?.duration === undefined ? "" : `${content.duration} s`],
    ["cost", cost === undefined ? "" : `${cost} USD`],
  ]);
}

function failed(error: unknown, signal: AbortSignal, retries: number): void {
  // The wait is over: no ETA to keep showing, and no bar left animating as "queued".
  view.progressAbout.textContent = "";
  if (!view.progress.hasAttribute("value")) view.progress.value = 0;
  if (signal.aborted) {
    setStatus(
      currentTaskId
        ? `Task ${currentTaskId}: cancelled here (no longer followed); it may still run on the server.`
        : "Cancelled. The task, if it was created, may still run on the server.",
    );
  } else if (error instanceof KirinTaskFailedError) {
    setStatus(`Task ${error.taskId}: failed`);
    showOutcome("error", "The task failed", [
      ["code", error.code],
      ["message", error.errorMessage],
      [
        "retryable",
        error.retryable
          ? "yes: a transient error, creating the task again may succeed"
          : "no: sending the same request again will fail again",
      ],
      ["task id", error.taskId],
    ]);
  } else if (error instanceof KirinValidationError) {
    showIssues(error.issues);
    setStatus("Not sent: the client's validation found errors.");
  } else if (error instanceof KirinCreateOutcomeUnknownError) {
    setStatus("The create's outcome is unknown");
    showOutcome("error", "A task may or may not exist", [
      ["message", error.message],
      ["external_task_id", error.externalTaskId],
      ["what now", "it was not sent again (that could bill twice); look the task up by this id later"],
    ]);
  } else if (error instanceof KirinApiError) {
    setStatus(`The API answered ${error.status} ${error.code}`);
    showOutcome("error", `HTTP ${error.status} ${error.code}`, [
      ["the server said", error.serverMessage ?? ""],
      ["kind", CATEGORY[error.category]],
      ["retried", `${retries} time(s); status requests are retried on 408, 429 and 5xx, a create only when nothing was made`],
      ["request id", error.requestId ?? ""],
      ...error.issues.map((i): [string, string] => [i.rule, `${i.path}: ${i.message}`]),
    ]);
  } else if (error instanceof KirinConnectionError) {
    setStatus("No answer from the mock");
    showOutcome("error", "Connection failed", [["message", error.message]]);
  } else {
    setStatus("Something went wrong");
    showOutcome("error", error instanceof Error ? error.name : "Error", [
      ["message", error instanceof Error ? error.message : String(error)],
    ]);
  }
}

const CATEGORY = {
  "retry-later": "transient: try again in a moment",
  "fix-request": "the request was refused: sending it again will not help",
  account: "the API key or the account (no credit, no permission)",
  "outcome-unknown": "a task may or may not have been made",
} as const;

function showOutcome(kind: "ok" | "error", title: string, rows: [string, string][]): void {
  const list = h("dl", {});
  for (const [name, value] of rows) if (value) list.append(h("dt", {}, name), h("dd", {}, value));
  view.outcome.className = `outcome ${kind}`;
  view.outcome.setAttribute("role", kind === "error" ? "alert" : "status");
  view.outcome.replaceChildren(h("strong", {}, title), list);
  view.outcome.hidden = false;
}

/** Writes the live status line; the same text again is not written (it would be announced again). */
const setStatus = (text: string) => {
  if (view.status.textContent !== text) view.status.textContent = text;
};

function setRunning(on: boolean): void {
  view.submit.disabled = on;
  view.cancel.disabled = !on;
  if (!on) view.finish.disabled = true;
  if (!on) running = undefined;
}

// ---- Wiring ---------------------------------------------------------------------------------------

function showModel(): void {
  for (const el of document.querySelectorAll<HTMLElement>("[data-model]")) el.hidden = el.dataset.model !== model();
  $("#mode-default").textContent = `default (${model() === "kirin_v3_i2v" ? "std" : "pro"})`;
}

function showShots(): void {
  const multi = fields.multiShot.checked;
  $("#single-shot").hidden = multi;
  $("#shots-field").hidden = !multi;
  if (multi && lists.shots.children.length === 0) {
    // Two shots that already add up to the total, so turning multi-shot on starts valid.
    // Each with a prompt, so that the form is valid the moment multi-shot is on.
    const total = Number(fields.duration.value || "5");
    addShot(String(Math.floor(total / 2)), fields.prompt.value.trim() || "The scene opens.");
    addShot(String(total - Math.floor(total / 2)), "The camera slowly pulls back.");
  }
}

lists.images.dataset.title = "Image";
lists.videos.dataset.title = "Video";
lists.shots.dataset.title = "Shot";
imagePicker($("[data-picker=image]"), "image", "Start frame");
imagePicker($("[data-picker=image_tail]"), "image_tail", "End frame");
for (let s = 3; s <= 15; s++) fields.duration.append(h("option", {}, String(s)));
$("#scenario-header").textContent = KIRIN_MOCK_SCENARIOS.header;
// The forms that take a number (`fail-at:P`) are offered with one: 50 (percent).
const scenarioValue = (name: string) => name.replace(/:[A-Z]$/, ":50");
for (const { name } of KIRIN_MOCK_SCENARIOS.list) {
  fields.scenario.append(h("option", { value: scenarioValue(name) }, scenarioValue(name)));
}
const describeScenario = () => {
  const chosen = KIRIN_MOCK_SCENARIOS.list.find((s) => scenarioValue(s.name) === fields.scenario.value);
  $("#scenario-about").textContent = chosen
    ? `${chosen.description[0]!.toUpperCase()}${chosen.description.slice(1)}`
    : "The task runs and completes.";
};
fields.scenario.addEventListener("change", describeScenario);
$("#shapes-header").textContent = KIRIN_MOCK_SCENARIOS.shapes.header;
describeScenario();
fields.prompt.value = "A red fox trots across a snowy meadow at dawn, the camera tracking slowly beside it.";

$("#add-image").addEventListener("click", () => (addImage(), check()));
$("#add-video").addEventListener("click", () => (addVideo(), check()));
$("#add-shot").addEventListener("click", () => (addShot(), check()));
form.addEventListener("input", (event) => {
  if ((event.target as Element).matches("input[type=file]")) return; // read asynchronously, then checked
  check();
});
form.addEventListener("change", (event) => {
  const target = event.target as Element;
  if (target.matches("input[name=model]")) showModel();
  if (target === fields.multiShot) showShots();
  if (!target.matches("input[type=file]")) check();
});
form.addEventListener("submit", (event) => {
  event.preventDefault();
  void send();
});
view.cancel.addEventListener("click", () => running?.abort());
// The mock's admin surface: the task jumps to its end, and the next poll sees it there.
view.finish.addEventListener("click", () => {
  if (!currentTaskId) return;
  view.finish.disabled = true;
  void fetch(`${API_BASE}/__mock/tasks/${encodeURIComponent(currentTaskId)}/advance`, { method: "POST" });
});
view.video.addEventListener("error", () => setStatus("The browser could not play the video."));
showModel();
check();
void sampleFrame().then((file) => file && preset.get($("[data-picker=image]"))!(file));
