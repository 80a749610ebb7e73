/** Custom application data attached to any object (`appData`), as in mediasoup. */
export type AppData = {
  [key: string]: unknown;
};

/** Exactly one of two shapes (mediasoup's `Either` helper for mutually exclusive options). */
export type Either<T, U> = Only<T, U> | Only<U, T>;

type Only<T, U> = {
  [P in keyof T]: T[P];
} & {
  [P in keyof U]?: never;
};
