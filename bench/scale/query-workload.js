/**
 * marked, acorn and js-yaml in one process, one after the other: the program bench/scale/query.js traces
 * (every function, trigger 0) to make an events.csv of a given size. `node query-workload.js SCALE`:
 * SCALE is passed to each workload as its scale argument (about 1.2 GB of events.csv per unit of scale).
 */
await import('../workloads/marked.js');
await import('../workloads/acorn.js');
await import('../workloads/js-yaml.js');
