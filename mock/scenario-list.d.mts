export declare function scenariosOf(spec: unknown): { header: string; list: { name: string; description: string }[] };
