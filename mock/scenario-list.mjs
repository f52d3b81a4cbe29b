// The mock's scenarios as the contract states them (components/parameters/MockScenario.yaml):
// the header name, and each enum value with the description its bullet gives. Plain JavaScript so
// that `npm run generate` (which writes it to generated/mock-scenarios.js for the mock) and the
// playground and site builds read the contract the same way.

/** @param {any} spec the bundled contract (generated/openapi.json) */
export function scenariosOf(spec) {
  const parameter = spec.components.parameters.MockScenario;
  const shapes = spec.components.parameters.MockShapes;
  return {
    header: /** @type {string} */ (parameter.name),
    shapes: { header: /** @type {string} */ (shapes.name), values: /** @type {string[]} */ (shapes.schema.enum) },
    // Every bullet of the description: the plain names (the schema's enum) and the forms that take
    // a number (`fail-at:P`), each with its text.
    list: [...parameter.description.matchAll(/^- `([a-z0-9:A-Z-]+)`: (.*)$/gm)].map(([, name, text]) => ({
      name,
      description: text.replaceAll("`", ""),
    })),
    /** The names that take no number: the schema's enum. */
    names: /** @type {string[]} */ (parameter.schema.anyOf[0].enum),
  };
}
