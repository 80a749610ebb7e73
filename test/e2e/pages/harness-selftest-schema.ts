/** The self-test page's signalling schema and steps (see harness.test.ts). */

export interface SelftestSchema {
  pageRequests: {
    echo: { request: { text: string }; response: { text: string; peer: string } };
    fail: { request: null; response: null };
  };
  serverRequests: {
    add: { request: { a: number; b: number }; response: number };
  };
  pageNotifications: {
    hello: { from: string };
  };
  serverNotifications: {
    ping: { n: number };
  };
}

export interface SelftestPageApi {
  [step: string]: (arg: never) => unknown;
  /** Requests `echo` from the server and returns its answer. */
  echo(text: string): Promise<{ text: string; peer: string }>;
  /** Requests `fail` and returns the error message the page got. */
  fail(arg: null): Promise<string>;
  /** Sends a `hello` notification. */
  hello(arg: null): Promise<void>;
  /** The `ping` notifications received so far. */
  pings(arg: null): Promise<number[]>;
  /** The `candidate:` lines of a connection that gathers (and never connects). */
  gatherHostCandidates(arg: null): Promise<string[]>;
}
