/**
 * How a page offers its steps to the test: it exposes an object of async
 * functions as `window.e2e`; the test calls them with `callPage()` (Node
 * side, `e2e-session.ts`). Arguments and results must be JSON-like.
 */

/** A page's API: named steps taking one JSON-like argument. */
export type PageApi = Record<string, (arg: never) => unknown>;

/** The page global the API lives on. */
export const PAGE_API_GLOBAL = 'e2e';

export function exposePageApi<A extends PageApi>(api: A): void {
  (window as unknown as Record<string, unknown>)[PAGE_API_GLOBAL] = api;
}
