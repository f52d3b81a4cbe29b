// Entry of the Node bundle: the client sample against the mock at KIRIN_BASE_URL.
import { generateOne } from "./client.js";

generateOne(process.env.KIRIN_BASE_URL ?? "").then(
  ({ line }) => console.log(`ok bundle: ${line}`),
  (error: unknown) => {
    console.error(error);
    process.exitCode = 1;
  },
);
