// Regenerates the typed API client from the FastAPI app:
//   1. scripts/openapi.py (repo root) writes the OpenAPI document -> frontend/openapi.json
//   2. openapi-typescript turns it into src/api/schema.d.ts (used by openapi-fetch)
// With --check nothing is written: both files are generated in memory and compared with
// the committed ones; the exit code is 1 if either is stale (CI runs `npm run check:api`).
import { execFileSync } from "node:child_process";
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { fileURLToPath } from "node:url";
import openapiTS, { astToString } from "openapi-typescript";

const frontend = path.resolve(path.dirname(fileURLToPath(import.meta.url)), "..");
const root = path.resolve(frontend, "..");
const specPath = path.join(frontend, "openapi.json");
const typesPath = path.join(frontend, "src", "api", "schema.d.ts");
const check = process.argv.includes("--check");

function python() {
  if (process.env.PYTHON) return [process.env.PYTHON];
  const venv = path.join(root, ".venv", "bin", "python");
  if (existsSync(venv)) return [venv];
  return ["uv", "run", "--frozen", "python"];
}

function generateSpec(target) {
  const [cmd, ...args] = python();
  execFileSync(cmd, [...args, path.join(root, "scripts", "openapi.py"), "-o", target], {
    cwd: root,
    stdio: ["ignore", "inherit", "inherit"],
  });
  return readFileSync(target, "utf8");
}

/** Names of the component schemas a node refers to, directly or through other components. */
function reachableSchemas(roots, schemas) {
  const found = new Set();
  const visit = (node) => {
    if (Array.isArray(node)) return node.forEach(visit);
    if (!node || typeof node !== "object") return;
    const ref = typeof node.$ref === "string" ? node.$ref.match(/^#\/components\/schemas\/(.+)$/) : null;
    if (ref && !found.has(ref[1])) {
      found.add(ref[1]);
      visit(schemas[ref[1]]);
    }
    Object.values(node).forEach(visit);
  };
  visit(roots);
  return found;
}

// A field with a default is optional in a request (the server fills it in) but always
// present in a response (pydantic serialises defaults). openapi-typescript's
// defaultNonNullable cannot tell the two apart once a body is a $ref to a component (it
// only exempts inline request bodies), so it made BatchCreate's defaulted fields
// required. Instead: defaults never imply "required", except in schemas that only
// responses use, where they are marked required here. Schemas used both ways keep the
// weaker, optional reading. Only the in-memory copy fed to openapi-typescript changes.
function markResponseDefaultsRequired(spec) {
  const schemas = spec.components?.schemas ?? {};
  const operations = Object.values(spec.paths ?? {}).flatMap((item) => Object.values(item));
  const requests = reachableSchemas(operations.map((op) => [op.requestBody, op.parameters]), schemas);
  const responses = reachableSchemas(operations.map((op) => op.responses), schemas);
  for (const name of responses) {
    const schema = schemas[name];
    if (requests.has(name) || !schema?.properties) continue;
    const defaulted = Object.keys(schema.properties).filter((key) => "default" in schema.properties[key]);
    schema.required = [...new Set([...(schema.required ?? []), ...defaulted])];
  }
  return spec;
}

async function generateTypes(specText) {
  const spec = markResponseDefaultsRequired(JSON.parse(specText));
  const ast = await openapiTS(spec, { alphabetize: true, defaultNonNullable: false });
  return (
    "// Generated from openapi.json by `npm run gen:api` (scripts/gen-api.mjs). Do not edit.\n" +
    astToString(ast)
  );
}

const scratch = mkdtempSync(path.join(tmpdir(), "renamer-openapi-"));
try {
  const spec = generateSpec(path.join(scratch, "openapi.json"));
  const types = await generateTypes(spec);
  if (check) {
    const stale = [
      [specPath, spec],
      [typesPath, types],
    ].filter(([file, fresh]) => !existsSync(file) || readFileSync(file, "utf8") !== fresh);
    for (const [file] of stale) {
      console.error(`${path.relative(root, file)} is out of date with the API: run \`make api-client\` and commit it.`);
    }
    process.exitCode = stale.length ? 1 : 0;
    if (!stale.length) console.log("API client is up to date.");
  } else {
    writeFileSync(specPath, spec);
    writeFileSync(typesPath, types);
    console.log(`wrote ${path.relative(root, specPath)} and ${path.relative(root, typesPath)}`);
  }
} finally {
  rmSync(scratch, { recursive: true, force: true });
}
