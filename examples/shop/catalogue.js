export function buildCatalogue(size) {
  const items = [];
  for (let i = 0; i < size; i++) items.push(makeItem(i));
  return items;
}

function makeItem(i) {
  return { id: i, name: `Item ${i}`, price: ((i * 37) % 1000) / 10, tags: ['new', i % 2 ? 'odd' : 'even'] };
}
