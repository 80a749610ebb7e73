/**
 * Runs every benchmark suite in turn: `pnpm bench`. A single suite runs alone
 * with `node bench/dist/<suite>.js`.
 */
const suites: string[] = [];

for (const s of suites) {
  await import(`./${s}.js`);
}
if (suites.length === 0) console.log('no benchmark suites yet');
