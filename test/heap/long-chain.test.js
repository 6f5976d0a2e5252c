// A linked list of a million objects: dominators, retained sizes and paths without running out of stack.
import test from 'ava';
import { readSnapshot, formatPath } from '../../dist/src/index.js';
import { snapshotsOf } from './helpers.js';

const LENGTH = 1_000_000;

test('a linked list of a million nodes', async (t) => {
  const [file] = snapshotsOf('linked-list.mjs', ['list.heapsnapshot'], [String(LENGTH)]);
  const snapshot = await readSnapshot(file);
  const links = snapshot.summary().find((row) => row.name === 'Link');
  t.is(links.count, LENGTH);
  // The head retains the whole list: a million links, each dominated by the one before it.
  let head;
  for (let node = 0; node < snapshot.nodeCount; node++) {
    if (snapshot.className(node) === 'Link' && (head === undefined || snapshot.retainedSize(node) > snapshot.retainedSize(head)))
      head = node;
  }
  // Plus the few things only links hold (their hidden class, once the constructor has moved on).
  t.true(snapshot.retainedSize(head) >= links.selfSize);
  t.true(snapshot.retainedSize(head) < links.selfSize + 64 * 1024);
  t.is(links.retainedSize, snapshot.retainedSize(head));
  // Each link is dominated by the one before it.
  t.is(snapshot.dominatorOf(snapshot.edgeTarget(nextEdge(snapshot, head))), head);
  t.regex(formatPath(snapshot.pathTo(head)), /\.listHead → Link @\d+$/);
  const [top] = snapshot.top({ limit: 1 });
  t.true(top.retainedSize >= links.selfSize);
  const deepest = snapshot.paths({ className: 'Link', max: 1 })[0];
  t.is(deepest.node, head);
});

function nextEdge(snapshot, node) {
  const [first, end] = snapshot.edgeRange(node);
  for (let e = first; e < end; e++) if (snapshot.edgeName(e) === 'next') return e;
  throw new Error('no next edge');
}
