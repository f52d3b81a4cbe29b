export interface ScenarioContract {
  header: string;
  shapes: { header: string; values: string[] };
  list: { name: string; description: string }[];
  names: string[];
}
export declare function scenariosOf(spec: unknown): ScenarioContract;
