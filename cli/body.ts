// The request `kirin generate` sends, from its flags: --model, --prompt, --image (a URL, or a file
// sent as Base64), and --set key=value for any other parameter of the model.
import { readFile } from "node:fs/promises";
import { imageToBase64, validateRequest } from "../src/index.js";
import { UsageError } from "./context.js";

export interface BodyFlags {
  model: string;
  prompt?: string | undefined;
  image?: string | undefined;
  set: string[];
}

/**
 * The flat request `{ model, ...params }`. A --set value is read as JSON when it parses as JSON
 * (`5`, `true`, `[...]`, `{...}`), else as text; a value the contract wants as a string stays the
 * text typed (`duration=5` gives "5"), so nobody has to quote numbers in the shell.
 */
export async function requestFromFlags(flags: BodyFlags): Promise<Record<string, unknown>> {
  const body: Record<string, unknown> = { model: flags.model };
  if (flags.prompt !== undefined) body.prompt = flags.prompt;
  if (flags.image !== undefined) {
    const image = await imageValue(flags.image);
    // The start frame: i2v's `image`, omni's first frame in `image_list`.
    if (flags.model === "kirin_v3_omni_video") body.image_list = [{ image_url: image, type: "first_frame" }];
    else body.image = image;
  }
  const typed = new Map<string, string>();
  for (const pair of flags.set) {
    const eq = pair.indexOf("=");
    if (eq <= 0) throw new UsageError(`--set takes key=value (got ${JSON.stringify(pair)})`);
    const key = pair.slice(0, eq);
    const text = pair.slice(eq + 1);
    const value = parseValue(text);
    body[key] = value;
    if (typeof value !== "string") typed.set(key, text);
  }
  // Values the contract wants as text go back to the text that was typed.
  for (const issue of validateRequest(body).issues) {
    const key = issue.rule === "type" ? issue.path.slice(1) : "";
    const text = typed.get(key);
    if (text !== undefined && /expected a string/.test(issue.message)) body[key] = text;
  }
  return body;
}

function parseValue(text: string): unknown {
  try {
    return JSON.parse(text);
  } catch {
    return text;
  }
}

/** A URL as it is; anything else is a file, read and sent as raw Base64. */
async function imageValue(value: string): Promise<string> {
  if (/^https?:\/\//i.test(value)) return value;
  try {
    return await imageToBase64(await readFile(value));
  } catch (error) {
    throw new UsageError(
      `--image ${value}: not a URL, and the file cannot be read (${(error as NodeJS.ErrnoException).code ?? (error as Error).message})`,
    );
  }
}
