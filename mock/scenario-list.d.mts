export declare function scenariosOf(spec: unknown): {
  header: string;
  shapes: { header: string; values: string[] };
  list: { name: string; description: string }[];
};
