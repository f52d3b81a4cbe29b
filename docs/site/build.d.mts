/** Writes site/ (the docs as a static site) and returns its folder, ending in "/". */
export declare function buildSite(): Promise<string>;
export declare function page(options: { title: string; body: string; nav?: string; depth?: number; head?: string }): string;
