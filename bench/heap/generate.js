/**
 * Writes a heap snapshot of a program that holds many objects of several kinds, for the heap bench:
 * `node --max-old-space-size=4096 bench/heap/generate.js --units N --out FILE`.
 *
 * One unit is a customer (a class instance with two unique strings, a Set of tags for some), three
 * orders (each with two to four line items, doubles, shared SKU strings and a Date), a closure over
 * the customer, an entry in a Map index and an array of numbers. The content is seeded, so a re-run
 * writes the same graph (object ids and addresses aside). Prints one JSON line: units, file bytes,
 * heap used, seconds to build and to write.
 */
import { statSync } from 'node:fs';
import { performance } from 'node:perf_hooks';
import { parseArgs } from 'node:util';
import v8 from 'node:v8';

const { values } = parseArgs({ options: { units: { type: 'string' }, out: { type: 'string' } } });
if (!values.units || !values.out) {
  process.stderr.write('usage: node bench/heap/generate.js --units N --out FILE\n');
  process.exit(2);
}
const units = Number(values.units);

// A small linear congruential generator: the same sequence on every run and Node version.
let seed = 12345;
const random = () => (seed = (seed * 1103515245 + 12345) % 2147483648) / 2147483648;

class Customer {
  constructor(id) {
    this.id = id;
    this.name = `customer-${id}-${Math.floor(random() * 1e9).toString(36)}`;
    this.email = `${this.name}@example.com`;
    this.orders = [];
    this.tags = random() < 0.3 ? new Set(['vip', `region-${id % 17}`]) : null;
  }
}

class Order {
  constructor(id, customer) {
    this.id = id;
    this.customer = customer;
    this.items = [];
    this.total = 0;
    this.placedAt = new Date(1_700_000_000_000 + id * 1000);
  }
}

class LineItem {
  constructor(sku, quantity, price) {
    this.sku = sku;
    this.quantity = quantity;
    this.price = price;
  }
}

const skus = Array.from({ length: 500 }, (_, i) => `SKU-${String(i).padStart(5, '0')}`);
const index = new Map();
const listeners = [];
const history = [];
let orderId = 0;

const started = performance.now();
for (let id = 0; id < units; id++) {
  const customer = new Customer(id);
  for (let o = 0; o < 3; o++) {
    const order = new Order(orderId++, customer);
    const itemCount = 2 + Math.floor(random() * 3);
    for (let i = 0; i < itemCount; i++) {
      const item = new LineItem(
        skus[Math.floor(random() * skus.length)],
        1 + Math.floor(random() * 5),
        Math.round(random() * 10000) / 100 + 0.01,
      );
      order.items.push(item);
      order.total += item.quantity * item.price;
    }
    customer.orders.push(order);
  }
  let notified = 0;
  listeners.push(() => `${customer.name} notified ${++notified} times`);
  index.set(customer.id, customer);
  history.push([random(), random(), random(), random()]);
}
const built = performance.now();
const file = v8.writeHeapSnapshot(values.out);
const written = performance.now();
process.stdout.write(
  `${JSON.stringify({
    units,
    file,
    bytes: statSync(file).size,
    heapUsed: process.memoryUsage().heapUsed,
    buildS: (built - started) / 1000,
    writeS: (written - built) / 1000,
    held: index.size + listeners.length + history.length,
  })}\n`,
);
