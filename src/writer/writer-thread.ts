/**
 * The writer thread: formats the event buffer's full halves into events.csv while the program runs,
 * so formatting and file writes stay off the traced thread and its heap.
 */
import { openSync } from 'node:fs';
import { receiveMessageOnPort, workerData, type MessagePort } from 'node:worker_threads';
import { Control, type EventBufferShared } from '../buffer/event-buffer.js';
import type { FunctionInfo } from '../runtime/function-table.js';
import { HalfWriter } from './half-writer.js';

export interface WriterThreadData {
  shared: EventBufferShared;
  eventsPath: string;
  functions: FunctionInfo[];
  labels: string[];
  port: MessagePort;
}

/** Messages from the traced thread: functions as modules register, label texts. */
export type WriterMessage =
  | { kind: 'functions'; first: number; added: FunctionInfo[] }
  | { kind: 'label'; id: number; text: string };

const { shared, eventsPath, functions, labels, port } = workerData as WriterThreadData;
const writer = new HalfWriter(shared, openSync(eventsPath, 'a'), functions, labels);

function apply(m: WriterMessage): void {
  if (m.kind === 'functions') {
    m.added.forEach((info, i) => {
      functions[m.first + i] = info;
      writer.formatter.invalidate(m.first + i);
    });
  } else {
    labels[m.id] = m.text;
  }
}

/** Messages sent before a hand-over are taken synchronously, so a half never names an unknown function. */
function drainMessages(): void {
  for (let message = receiveMessageOnPort(port); message; message = receiveMessageOnPort(port)) apply(message.message as WriterMessage);
}

// Listening keeps this thread alive while it waits (a pending Atomics.waitAsync alone does not); the
// traced thread unrefs the worker, so the process still exits when the program is done.
port.on('message', apply);

async function run(): Promise<void> {
  const control = writer.control;
  Atomics.store(control, Control.WriterReady, 1);
  for (;;) {
    const seen = Atomics.load(control, Control.Signal);
    drainMessages();
    for (const half of writer.pending()) {
      if (!writer.tryWrite(half)) break;
    }
    if (Atomics.load(control, Control.Stop) === 1) {
      port.close();
      return;
    }
    const wait = Atomics.waitAsync(control, Control.Signal, seen);
    if (wait.async) await wait.value;
  }
}

void run();
