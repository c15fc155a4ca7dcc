import { NODE_GROUPS, NODES, SECRET_PROMPTS } from '../../../lib/ussd/menu';

/** The menu's table is assembled from its domains by spreading: a node in two domains would silently be the last. */
describe('the table of nodes', () => {
  const entries = NODE_GROUPS.flatMap((group) => Object.keys(group.nodes));

  it('has every node exactly once, and nothing else', () => {
    for (const node of NODES) expect([node, entries.filter((entry) => entry === node).length]).toEqual([node, 1]);
    expect([...entries].sort()).toEqual([...NODES].sort());
  });

  it('answers every effect in one domain only', () => {
    const answered = NODE_GROUPS.flatMap((group) => Object.keys(group.answers));
    expect(new Set(answered).size).toBe(answered.length);
  });

  it('goes back only to nodes of the table', () => {
    for (const group of NODE_GROUPS) {
      for (const spec of Object.values(group.nodes)) {
        if (typeof spec.back === 'string') expect(NODES).toContain(spec.back);
      }
    }
  });

  it('has a secret prompt where a node takes a secret, and no text handler there', () => {
    for (const group of NODE_GROUPS) {
      for (const [node, spec] of Object.entries(group.nodes)) {
        expect([node, SECRET_PROMPTS[node as keyof typeof SECRET_PROMPTS]]).toEqual([node, spec.secret?.kind]);
        if (spec.secret) expect([node, spec.text]).toEqual([node, undefined]);
      }
    }
  });
});
