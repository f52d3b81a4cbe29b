// `npm start`: serves the API reference on http://127.0.0.1:4010/docs.
import { execFileSync } from "node:child_process";
import { existsSync, readFileSync, statSync } from "node:fs";
import { createServer } from "node:http";

const PAGE = "docs/reference.html";
const SPEC = "generated/openapi.json";
if (!existsSync(PAGE) || statSync(PAGE).mtimeMs < statSync(SPEC).mtimeMs) {
  execFileSync("npm", ["run", "-s", "docs"], { stdio: "inherit" });
}
const host = process.env.HOST ?? "127.0.0.1";
const port = Number(process.env.PORT ?? 4010);
const page = readFileSync(PAGE);
const server = createServer((req, res) => {
  if (req.url === "/docs" || req.url === "/docs/") {
    res.writeHead(200, { "content-type": "text/html; charset=utf-8" }).end(page);
  } else if (req.url === "/openapi.json") {
    res.writeHead(200, { "content-type": "application/json" }).end(readFileSync(SPEC));
  } else {
    res.writeHead(302, { location: "/docs" }).end();
  }
});
server.listen(port, host, () => console.log(`Kirin API reference on http://${host}:${port}/docs`));
for (const signal of ["SIGINT", "SIGTERM"] as const) process.on(signal, () => server.close(() => process.exit(0)));
