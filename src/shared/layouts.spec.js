// The one source of the layouts that TypeScript and C++ share: the event row of the ring buffer, the
// event kinds, and the probes' state in typed arrays (frames, globals, ints, the per-function stats).
// scripts/generate-layouts.js writes src/shared/layouts.ts and native/layouts.h from it; both are
// committed, and test/house/layouts.test.js fails when either is stale. Change a layout here, run
// `node scripts/generate-layouts.js`, and raise LAYOUT_VERSION when the probes' arrays change: the
// addon refuses to bind arrays of another version (an addon built from other sources than dist/).
//
// Each layout is a list of fields numbered from 0 in order, with a comment for each; `size` names a
// last member that counts them (the stride of a record).

export const LAYOUT_VERSION = 6;

/** Numbers the native and JS probes return, shared as constants. */
export const CONSTANTS = [
  {
    name: 'NEEDS_ROOM',
    value: -2,
    doc: 'What the native entry probe returns when the frames or the stack are full: JS grows them, asks again.',
  },
  { name: 'LEFT_TO_JS', value: -1, doc: 'What the native exit probe returns for a call it leaves to JS (suspended, or with line events).' },
];

export const LAYOUTS = [
  {
    name: 'EventColumn',
    cpp: 'event_column',
    doc: 'Columns of one event row in the ring buffer (a row is COUNT doubles), in order. events.csv adds seq, names, file and column when it formats a row.',
    size: 'COUNT',
    fields: [
      ['TIME', 'Nanoseconds since the trace started.'],
      ['KIND', 'A Kind.'],
      ['FUNCTION_ID', "The call's function id; a label row holds the label's id."],
      ['LINE', "The function's first line (call, return, throw, suspend, resume) or the statement's (line)."],
      ['DEPTH', 'Measured calls below this one on the shadow stack.'],
      ['ASYNC_ID', "async_hooks' execution id when the row was written."],
      ['HEAP', 'V8 heap used, bytes.'],
      ['D_HEAP', "Heap used since the call's previous row, bytes."],
      ['ALLOCATED', 'Bytes allocated since the trace started (GC-corrected, monotonic).'],
      ['D_ALLOCATED', "Bytes allocated since the call's previous row, calibrated."],
      ['RSS', 'Resident set size, bytes; NaN between readings (read at most every rssInterval).'],
      ['EXTERNAL', "V8's external memory, bytes."],
      ['ARRAY_BUFFERS', 'ArrayBuffer contents, bytes; NaN between readings.'],
    ],
  },
  {
    name: 'Kind',
    cpp: 'event_kind',
    doc: "What an event row records (EventColumn.KIND); the names are events.csv's `event` column, in this order.",
    names: 'EVENT_KINDS',
    fields: [
      ['Call', 'A measured call started.', 'call'],
      ['Return', 'A measured call returned.', 'return'],
      ['Throw', 'A measured call ended by throwing.', 'throw'],
      ['Suspend', 'An async function or generator paused (await, yield).', 'suspend'],
      ['Resume', 'It went on.', 'resume'],
      ['Line', 'A statement ran (line probes, --lines).', 'line'],
      ['Label', 'A label the program set (memtrace/trace), outside any call.', 'label'],
    ],
  },
  {
    name: 'Frame',
    cpp: 'frame',
    doc: [
      'Fields of one frame (stride SIZE in a Float64Array): one frame per measured call in progress.',
      'A call runs in segments: from its entry, or from a resumption after an await or yield, to its',
      "end or next suspension. The SEGMENT_* fields are the readings at the running segment's start;",
      "closing it adds its difference to the call's sums. The EVENT_* fields are the readings at the",
      "call's last event row: the next row's deltas start there.",
    ],
    size: 'SIZE',
    fields: [
      ['FUNCTION_ID', "The call's function id."],
      ['SEGMENT_START_NS', "Time at the running segment's start."],
      ['SEGMENT_START_ALLOCATED', "Allocated bytes (Global.ALLOC_LAST) at the running segment's start."],
      ['START_HEAP', 'Heap used when the call started: its peak growth is counted from here.'],
      ['MAX_HEAP', 'The highest heap used seen while the call or its measured callees ran.'],
      ['SUM_NS', 'Time of the closed segments, callees included.'],
      ['SUM_ALLOCATED', 'Bytes allocated in the closed segments, callees included.'],
      ['CALLEES_ALLOCATED', 'Bytes its measured callees allocated, calibrated: taken out of its self figure.'],
      ['CALLEES_NS', 'Time of its measured callees, calibrated.'],
      ['SEGMENT_START_MEASURED', "Global.MEASURED at the running segment's start (measured calls nested in it are a difference)."],
      ['SEGMENT_START_COUNTED', "Global.COUNTED at the running segment's start."],
      ['NESTED_MEASURED', 'Measured calls nested in the closed segments (each costs the calibrated nestedBytes and nestedNs).'],
      ['NESTED_COUNTED', 'Counted calls nested in the closed segments (each costs the calibrated countedNs).'],
      ['EVENT_ALLOCATED', "Allocated bytes at the call's last event row (or line)."],
      ['EVENT_HEAP', "Heap used at the call's last event row."],
      ['EVENT_MEASURED', "Global.MEASURED at the call's last event row."],
      ['STATE', 'A FrameState.'],
      ['DEPTH', 'Measured calls below it on the shadow stack when it started or resumed.'],
      ['THREW', '1 once the thrown probe ran: the call ends as a throw.'],
      ['FIRST_SEGMENT', "1 until its first segment closes: the entry's own calibrated cost is taken out once."],
      ['LINE', 'The statement running (line probes); 0 before the first, and outside statement sampling.'],
      ['EVENT_CALLEES_ALLOCATED', "CALLEES_ALLOCATED at the call's last event row."],
      ['LINE_ALLOCATED', 'Allocated bytes when the running statement started (per-line totals: runtime/line-totals.ts).'],
      ['LINE_MEASURED', 'Global.MEASURED when the running statement started.'],
      ['LINE_CALLEES_ALLOCATED', 'CALLEES_ALLOCATED when the running statement started (per-line totals leave callees out).'],
      ['LINE_WEIGHT', "What the running statement's bytes stand for: 1, or under statement sampling its window's weight."],
      ['LINE_COLUMN', "The running statement's column (1-based): with LINE, where its bytes go."],
    ],
  },
  {
    name: 'FrameState',
    cpp: 'frame_state',
    doc: 'Frame.STATE.',
    fields: [
      ['Free', 'Not in use: on the free list.'],
      ['Running', 'On the shadow stack.'],
      ['Suspended', 'Off the stack, waiting at an await or yield.'],
    ],
  },
  {
    name: 'Global',
    cpp: 'global',
    doc: 'Slots of the Float64Array of numbers (`globals`) the JS and native probes share.',
    size: 'SIZE',
    fields: [
      ['MEASURED', "Measured calls so far (a call's nested count is a difference of these)."],
      ['COUNTED', "Counted calls so far, added as each function's stretch of them ends (at its next measured call)."],
      ['ALLOC_LAST', 'Allocated bytes at the last reading (heap used + freed by GC + ALLOC_CORRECTION).'],
      [
        'ALLOC_CORRECTION',
        'Added so far to keep the allocated figure from going down where the counters ask for it (MemoryCounters.monotonic).',
      ],
      ['CAL_SELF_B', "Calibration (tracer/calibrate.ts): bytes a measured call's own probes allocate."],
      ['CAL_NESTED_B', 'Calibration: bytes a nested measured call adds to its caller.'],
      ['CAL_SELF_NS', "Calibration: a measured call's own probes' time."],
      ['CAL_NESTED_NS', 'Calibration: time a nested measured call adds to its caller.'],
      ['CAL_COUNTED_NS', 'Calibration: time a nested counted call adds to its caller.'],
      ['TRIGGER', "Bytes memory must move by since a call's last row for a new row (0: every event)."],
      ['START_NS', 'Time the trace started (rows hold times since).'],
      ['LAST_RSS_NS', 'Time RSS was last read.'],
      ['RSS_INTERVAL_NS', 'Least time between RSS readings.'],
      ['PROBATION', "The policy (function-stats.ts's Policy), for the native side: measured calls before a function is judged."],
      ['DEMOTE_BYTES', 'Policy: below these bytes per call (and DEMOTE_NS) a function is only counted.'],
      ['DEMOTE_NS', 'Policy: below this time per call (and DEMOTE_BYTES) a function is only counted.'],
      ['RESAMPLE_EVERY', 'Policy: a counted function has one call in this many measured (the end of its stretch; practically none).'],
      ['PROMOTE_BYTES', 'Policy: such a measured call allocating this much makes its function measured again.'],
    ],
  },
  {
    name: 'Int',
    cpp: 'int_slot',
    doc: 'Slots of the Int32Array of flags and counts (`ints`) the JS and native probes share.',
    size: 'SIZE',
    fields: [
      ['DEPTH', 'Measured calls on the shadow stack.'],
      ['FREE_TOP', 'Free frames left (the top of the free list).'],
      ['EXACT', '1: every call measured (--exact).'],
      ['ENABLED', '0: recording stopped; the probes still run, as cheaply as a counted call.'],
      ['MONOTONIC', '1: the allocated figure never goes down (MemoryCounters.monotonic).'],
      ['HANDOVER', "Set by the native probes when a row filled the event buffer's half: JS hands it over."],
    ],
  },
  {
    name: 'Stat',
    cpp: 'stat',
    doc: [
      "Fields of one function's record in FunctionStats.table (stride STRIDE doubles, 128 bytes: two",
      "cache lines). A probe touches one function's figures at a time, so they are kept together: a column",
      'per figure cost a cache miss per column in programs of thousands of functions. The first line holds',
      'what a measured call touches. A counted call touches none of it: the traced code counts it down in',
      'FunctionStats.countdowns (transforms/probe-text.ts).',
    ],
    size: 'STRIDE',
    stride: 16,
    fields: [
      [
        'STRETCH',
        "What a counted function's countdown (FunctionStats.countdowns) was set to when its stretch of counted calls began (Policy.ResampleEvery); 0 while it is measured.",
      ],
      ['CALLS', "Calls, measured or counted, before the running stretch's (FunctionStats.calls() adds those)."],
      ['MEASURED_CALLS', 'Calls whose memory was read.'],
      ['SELF_ALLOC', 'Bytes its measured calls allocated themselves (callees left out), calibrated.'],
      ['SELF_TIME', 'Time of its measured calls, callees left out, ns.'],
      ['TOTAL_ALLOC', 'Bytes its measured calls allocated with their callees (outermost activation only).'],
      ['TOTAL_TIME', 'Time of its measured calls with their callees, ns.'],
      [
        'ACTIVE',
        'Activations running, i.e. on the stack (recursion): a suspended async call or generator is not, so concurrent calls of one async function each add to the inclusive totals.',
      ],
      ['MAX_HEAP_GROWTH', 'The most the heap grew during one call, bytes.'],
      ['PROBATION_BYTES', 'Bytes seen during probation.'],
      ['PROBATION_NS', 'Time seen during probation.'],
      ['PROBATION_CALLS', 'Calls seen during probation.'],
      ['LINE', 'The line the function starts at, for its call/return rows.'],
    ],
  },
];

/**
 * The records of native-<pid>.raw, the file the native allocation tracker (native/preload/
 * memtrace-native.c) appends to and src/formats/native-raw.ts reads: generated into
 * native/preload/records.h (C structs, their offsets checked at compile time) and
 * src/shared/native-records.ts (byte offsets). Little-endian; each record is a record_header, then
 * the record's struct, then its variable part; a record's length is a multiple of 8. Raise
 * RAW_VERSION when a record changes. Field types: uint32, int32, uint64, double.
 */
export const NATIVE_RECORDS = {
  constants: [
    { name: 'RAW_MAGIC', value: 0x4e54524d, c: '0x4e54524dU', doc: 'The first field of every file: "MRTN" as a little-endian uint32.' },
    { name: 'RAW_VERSION', value: 2, doc: 'The record format; raised whenever a record changes.' },
    { name: 'ALLOC_UNTRACKED', value: 1, doc: "block_record.flags: the live table was full, this block's free cannot be matched." },
    {
      name: 'FUNCTION_NONE',
      value: -1,
      doc: "block_record.function: no measured JS function (outside any measured call; on another thread, no one owner of the threadpool's work).",
    },
    {
      name: 'FUNCTION_START_UP',
      value: -2,
      doc: "block_record.function: the main thread before memtrace's runtime started (Node's start-up).",
    },
  ],
  kinds: [
    ['START', 1, 'start_record: first in every file.'],
    ['STACK', 2, 'stack_record, then `count` uint64 return addresses, innermost first.'],
    ['ALLOC', 3, 'block_record: a sampled allocation.'],
    ['FREE', 4, 'block_record: a sampled block freed (or moved by realloc).'],
    ['FUNCTION', 5, 'function_record, then the name and file bytes (UTF-8).'],
    ['SYMBOL', 6, 'symbol_record, then the symbol and object bytes.'],
    ['EXIT', 7, 'exit_record: the process reached its end; the table is live at exit.'],
    ['THREAD', 8, 'thread_record, then the name bytes: a thread still running at exit.'],
  ],
  records: [
    {
      name: 'record_header',
      doc: 'Before every record.',
      fields: [
        ['kind', 'uint32', 'A record kind.'],
        ['length', 'uint32', 'Of the whole record, header included.'],
      ],
    },
    {
      name: 'start_record',
      doc: 'First in every file.',
      fields: [
        ['magic', 'uint32', 'RAW_MAGIC.'],
        ['version', 'uint32', 'RAW_VERSION.'],
        ['pid', 'uint32', 'The process.'],
        ['ppid', 'uint32', 'Its parent.'],
        ['reserved', 'uint64', '0.'],
        ['interval', 'double', 'Mean bytes between samples; 0: every allocation.'],
      ],
    },
    {
      name: 'stack_record',
      doc: 'A native stack, stored once: its return addresses follow.',
      fields: [
        ['id', 'uint32', 'What block records name it by.'],
        ['count', 'uint32', 'Return addresses that follow.'],
      ],
    },
    {
      name: 'block_record',
      doc: 'A sampled block, allocated or freed.',
      fields: [
        ['stack', 'uint32', 'Its native stack.'],
        [
          'function',
          'int32',
          "memtrace's JS function id (on a thread other than the main one: the function that queued every threadpool request then in flight), or FUNCTION_NONE, FUNCTION_START_UP.",
        ],
        ['tid', 'uint32', 'The thread.'],
        ['flags', 'uint32', 'ALLOC_UNTRACKED or 0.'],
        ['size', 'uint64', 'Requested bytes.'],
        ['weight', 'double', 'Bytes this sample stands for.'],
      ],
    },
    {
      name: 'function_record',
      doc: 'A JS function block records name: its name and file follow.',
      fields: [
        ['id', 'int32', "memtrace's function id."],
        ['line', 'uint32', 'Where it starts.'],
        ['column', 'uint32', 'Where it starts.'],
        ['name_bytes', 'uint32', 'UTF-8 bytes of the name that follows.'],
        ['file_bytes', 'uint32', 'UTF-8 bytes of the file after the name.'],
        ['reserved', 'uint32', '0.'],
      ],
    },
    {
      name: 'symbol_record',
      doc: "A return address resolved at the end: the symbol's and the object's names follow.",
      fields: [
        ['address', 'uint64', 'As in the stacks.'],
        ['symbol_offset', 'uint64', "From the symbol's start (0 with no symbol)."],
        ['object_offset', 'uint64', "From the object's load address."],
        ['symbol_bytes', 'uint32', 'UTF-8 bytes of the symbol name.'],
        ['object_bytes', 'uint32', 'UTF-8 bytes of the object path after it.'],
      ],
    },
    {
      name: 'exit_record',
      doc: 'The process reached its end.',
      fields: [['time_ns', 'uint64', 'Monotonic clock, ns.']],
    },
    {
      name: 'thread_record',
      doc: 'A thread still running at exit: its name follows.',
      fields: [
        ['tid', 'uint32', 'The thread.'],
        ['name_bytes', 'uint32', "UTF-8 bytes of its name (/proc's comm)."],
      ],
    },
  ],
};
