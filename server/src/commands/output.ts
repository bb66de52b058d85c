export type Write = (s: string) => void;
