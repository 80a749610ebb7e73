import { describe, expect, it } from 'vitest';
import { COTURN_COMMANDS, ensureCoturnTools, missingCoturnTools } from '../e2e/harness/coturn-tools.js';

describe('coturn tools check', () => {
  it('reports each tool missing from a PATH without them', () => {
    expect(missingCoturnTools('/nonexistent')).toEqual([...COTURN_COMMANDS]);
  });

  it(
    'finds them after the setup (installed with apt-get when they were missing)',
    async () => {
      await ensureCoturnTools();
      expect(missingCoturnTools()).toEqual([]);
    },
    15 * 60_000,
  );
});
