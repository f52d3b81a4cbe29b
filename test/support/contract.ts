// The bundled contract as JSON Schema validators (Ajv 2020), for tests that check bodies against
// the schema a response or a callback declares.
import { readFileSync } from "node:fs";
import { Ajv2020, type ValidateFunction } from "ajv/dist/2020.js";

export const bundle = JSON.parse(readFileSync(new URL("../../generated/openapi.json", import.meta.url), "utf8"));

const ajv = new Ajv2020({ strict: false, allErrors: true });
ajv.addSchema({ $id: "spec", components: bundle.components });

const cache = new Map<string, ValidateFunction>();

/** A validator for a schema of the contract by name (`WireTask`, `ErrorBody`, ...). */
export function schemaValidator(name: string): ValidateFunction {
  if (!bundle.components.schemas[name]) throw new Error(`no schema ${name} in the contract`);
  let validate = cache.get(name);
  if (!validate) cache.set(name, (validate = ajv.compile({ $ref: `spec#/components/schemas/${name}` })));
  return validate;
}

/** A validator for a schema object taken from the bundle (its `$ref`s point into the contract). */
export function inlineValidator(schema: object): ValidateFunction {
  const rewritten = JSON.parse(JSON.stringify(schema).replaceAll('"#/components/', '"spec#/components/'));
  return ajv.compile(rewritten);
}

/** The schema the contract gives a response of an operation, by path, method and status. */
export function responseSchema(path: string, method: string, status: string): object {
  const response = bundle.paths[path][method].responses[status];
  const resolved = response.$ref ? bundle.components.responses[response.$ref.split("/").pop()] : response;
  return resolved.content["application/json"].schema;
}
