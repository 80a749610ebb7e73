/** mediasoup 3.27's module-level types (from its indexTypes). */

/** Event listeners for the SFU's logs (`setLogEventListeners()`). */
export type LogEventListeners = {
  ondebug?: (namespace: string, log: string) => void;
  onwarn?: (namespace: string, log: string) => void;
  onerror?: (namespace: string, log: string, error?: Error) => void;
};
