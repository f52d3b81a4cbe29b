export interface Entry {
  subpath: string;
  name: string;
  source: string;
  browser: boolean;
}
export declare const ENTRIES: Entry[];
export declare const MIN_TYPESCRIPT: string;
export declare const TOO_OLD_TYPES: string;
export declare function packageFields(entries?: Entry[]): Record<string, unknown>;
export declare function packageFieldDrift(pkg: Record<string, unknown>, entries?: Entry[]): string[];
export declare function withPackageFields(pkg: Record<string, unknown>, entries?: Entry[]): Record<string, unknown>;
