import { test } from 'node:test';
import assert from 'node:assert/strict';
import { limitMemory, limitLeaks } from 'memtrace/test';

function renderTable(rows) {
  return `<table>${rows.map((r) => `<tr><td>${r.id}</td><td>${r.name}</td></tr>`).join('')}</table>`;
}
const rows = Array.from({ length: 20_000 }, (_, id) => ({ id, name: `item ${id}` }));

test('a table of 20 000 rows renders in under 32 MiB', async () => {
  const html = await limitMemory('32 MiB', () => renderTable(rows));
  assert.match(html, /^<table>/); // limitMemory returns what the block returned
});

class SessionStore {
  #byId = new Map();
  #nextId = 1;
  async open(user) {
    const session = { id: this.#nextId++, user, opened: Date.now() };
    this.#byId.set(session.id, session);
    return session;
  }
  async close(id) {
    this.#byId.delete(id);
  }
}

test('opening and closing a session keeps nothing', async () => {
  const store = new SessionStore();
  await limitLeaks(async () => {
    const session = await store.open('alice');
    await store.close(session.id);
  });
});
