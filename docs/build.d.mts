export declare function buildReference(): void;
export declare function ensureReference(): void;
