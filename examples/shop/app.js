// A small shop backend: builds a catalogue, renders pages, and keeps a cache that grows with every
// request (the leak a memory tracer should point at). Run: npm run example
import { buildCatalogue } from './catalogue.js';
import { renderPage } from './render.js';

const cache = new Map();

function handleRequest(catalogue, page) {
  const key = `page-${page}`;
  const html = renderPage(catalogue, page);
  // The leak: every rendered page is kept, keyed uniquely, never evicted.
  cache.set(`${key}-${cache.size}`, html);
  return html.length;
}

async function serve(requests) {
  const catalogue = buildCatalogue(5000);
  let bytes = 0;
  for (let i = 0; i < requests; i++) {
    bytes += handleRequest(catalogue, i % 50);
    if (i % 100 === 0) await new Promise((resolve) => setImmediate(resolve));
  }
  return bytes;
}

const bytes = await serve(2000);
console.log(`served 2000 pages, ${bytes} bytes of HTML, ${cache.size} cached`);
