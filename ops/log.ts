/** Where an operation reports progress, one line at a time (no secrets: lines reach CI logs). */
export type Log = (line: string) => void;
