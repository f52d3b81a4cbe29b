// The mock's scenarios as the contract states them (components/parameters/MockScenario.yaml):
// the header name, and each enum value with the description its bullet gives. Plain JavaScript so
// that both the mock and the playground's build read the contract the same way.

/** @param {any} spec the bundled contract (generated/openapi.json) */
export function scenariosOf(spec) {
  const parameter = spec.components.parameters.MockScenario;
  const shapes = spec.components.parameters.MockShapes;
  return {
    header: /** @type {string} */ (parameter.name),
    shapes: { header: /** @type {string} */ (shapes.name), values: /** @type {string[]} */ (shapes.schema.enum) },
    list: /** @type {string[]} */ (parameter.schema.enum).map((name) => ({
      name,
      description: new RegExp(`- \`${name}\`: (.*)`).exec(parameter.description)?.[1]?.replaceAll("`", "") ?? "",
    })),
  };
}
