// The measured path of the probes in C++: the entry of a measured call and the end of a running one,
// over the very typed arrays the JS probes use (src/runtime/probe-layout.ts gives the layout, and
// src/runtime/probes.ts the same logic in JS, which stays the reference and serves the pure-JS
// counters, suspensions, resumptions and line events). Done here because in JS this bookkeeping cost
// more than the two readings themselves (~280 ns a measured call against ~30 ns here).
//
// enterMeasured(id) -> frame slot, -1 (counted, disabled, bad id) or -2 (no free frame or stack room:
//   JS grows the arrays, binds them again and asks again; nothing was changed).
// finishCall(frame) -> 0, or -1 when the call is JS's to end (suspended, or it had line events).
// Either sets ints[HANDOVER] when a row filled the event buffer's half.
//
// Hot path: speed beats clarity here; keep it small.

#include "counters.h"

#include <cmath>
#include <limits>

namespace memtrace {

namespace {

// Mirrors src/runtime/probe-layout.ts (LAYOUT_VERSION 2).
constexpr int kLayoutVersion = 2;
enum FrameField {
  FN = 0, T0, A0, H0, HMAX, ACC_T, ACC_A, CHILD_A, CHILD_T, SEG_M0, SEG_C0, ACC_M, ACC_C, LAST_A, LAST_H,
  LAST_M, STATE, DEPTH, THREW, FIRST_SEG, LINE_NO, LAST_CA, FRAME
};
enum FrameState { kFree = 0, kRunning = 1, kSuspended = 2 };
enum GlobalSlot {
  MEASURED = 0, COUNTED, ALLOC_LAST, ALLOC_CORRECTION, CAL_SELF_B, CAL_NESTED_B, CAL_SELF_NS, CAL_NESTED_NS,
  CAL_COUNTED_NS, TRIGGER, START_NS, LAST_RSS_NS, RSS_INTERVAL_NS, PROBATION, DEMOTE_BYTES, DEMOTE_NS,
  RESAMPLE_EVERY, PROMOTE_BYTES, GLOBAL_SLOTS
};
enum IntSlot { I_DEPTH = 0, FREE_TOP, EXACT, ENABLED, MONOTONIC, HANDOVER, INT_SLOTS };
// One record per function id in the stats table (FunctionStats.table).
enum StatField {
  COUNTDOWN = 0, CALLS, MEASURED_CALLS, SELF_ALLOC, SELF_TIME, TOTAL_ALLOC, TOTAL_TIME, ACTIVE, MAX_HEAP_GROWTH,
  PROBATION_BYTES, PROBATION_NS, PROBATION_CALLS, LINE, STRIDE = 16
};
// src/formats/events-csv.ts's Kind and src/buffer/event-buffer.ts's columns.
enum Kind { kCall = 0, kReturn = 1, kThrow = 2 };
enum Column {
  C_TIME = 0, C_KIND, C_FUNCTION_ID, C_LINE, C_DEPTH, C_ASYNC_ID, C_HEAP, C_D_HEAP, C_ALLOCATED,
  C_D_ALLOCATED, C_RSS, C_EXTERNAL, C_ARRAY_BUFFERS, COLUMNS
};

template <typename T>
struct View {
  T* data = nullptr;
  size_t length = 0;
  std::shared_ptr<BackingStore> store;  // keeps the memory alive while bound
};

}  // namespace

struct ProbeBinding {
  View<double> globals, frames, stats, events;
  View<int32_t> ints, free_slots, stack, event_position;
  size_t capacity = 0;  // function ids the stats table has records for
};

namespace {

template <typename T>
bool Take(Local<Value> value, View<T>* view, size_t min_length) {
  bool right_type = sizeof(T) == 8 ? value->IsFloat64Array() : value->IsInt32Array();
  if (!right_type) return false;
  Local<v8::TypedArray> array = value.As<v8::TypedArray>();
  view->store = array->Buffer()->GetBackingStore();
  view->length = array->Length();
  view->data = reinterpret_cast<T*>(static_cast<char*>(view->store->Data()) + array->ByteOffset());
  return view->length >= min_length;
}

// The monotonic rule of probes.ts's read(): a call never shows as freeing what it did not allocate.
inline void ReadCounters(State* s, ProbeBinding* b) {
  double* v = s->values;
  v[kTimeNs] = NowNs(s);
  v[kUsedHeap] = UsedHeapFast(s);
  v[kFreedByGc] = s->freed_by_gc;
  v[kGcCount] = s->gc_count;
  double* g = b->globals.data;
  double allocated = v[kUsedHeap] + v[kFreedByGc] + g[ALLOC_CORRECTION];
  if (b->ints.data[MONOTONIC] != 0 && allocated < g[ALLOC_LAST]) g[ALLOC_CORRECTION] += g[ALLOC_LAST] - allocated;
  else g[ALLOC_LAST] = allocated;
}

void WriteRow(State* s, ProbeBinding* b, int kind, int32_t frame, double line, double d_heap, double d_alloc) {
  int32_t* position = b->event_position.data;  // [cursor, end of the half being filled]
  size_t at = size_t(position[0]) * COLUMNS;
  if (position[0] >= position[1] || at + COLUMNS > b->events.length) return;  // JS hands over first
  const double* f = b->frames.data + size_t(frame) * FRAME;
  double* g = b->globals.data;
  double* v = s->values;
  double now = v[kTimeNs];
  double rss = std::numeric_limits<double>::quiet_NaN();
  double array_buffers = rss;
  if (now - g[LAST_RSS_NS] >= g[RSS_INTERVAL_NS]) {
    g[LAST_RSS_NS] = now;
    rss = ReadRssBytes();
    ReadExternalInto(s);
    array_buffers = v[kArrayBuffers];
  }
  double* d = b->events.data + at;
  d[C_TIME] = now - g[START_NS];
  d[C_KIND] = kind;
  d[C_FUNCTION_ID] = f[FN];
  d[C_LINE] = line;
  d[C_DEPTH] = f[DEPTH];
  d[C_ASYNC_ID] = double(node::AsyncHooksGetExecutionAsyncId(s->isolate));
  d[C_HEAP] = v[kUsedHeap];
  d[C_D_HEAP] = d_heap;
  d[C_ALLOCATED] = g[ALLOC_LAST];
  d[C_D_ALLOCATED] = d_alloc;
  d[C_RSS] = rss;
  d[C_EXTERNAL] = v[kExternal];
  d[C_ARRAY_BUFFERS] = array_buffers;
  if (++position[0] == position[1]) b->ints.data[HANDOVER] = 1;
}

// probes.ts's eventSinceLast and markEvent, for a return or throw.
void EndEvent(State* s, ProbeBinding* b, int kind, int32_t frame, double line) {
  double* f = b->frames.data + size_t(frame) * FRAME;
  double* g = b->globals.data;
  double alloc = g[ALLOC_LAST];
  double heap = s->values[kUsedHeap];
  double nested = g[MEASURED] - f[LAST_M];
  double d_alloc = alloc - f[LAST_A] - nested * g[CAL_NESTED_B] - g[CAL_SELF_B];
  double d_heap = heap - f[LAST_H];
  double trigger = g[TRIGGER];
  if (trigger == 0 || d_alloc >= trigger || d_heap >= trigger || d_heap <= -trigger) WriteRow(s, b, kind, frame, line, d_heap, d_alloc);
  f[LAST_CA] = f[CHILD_A];
  f[LAST_A] = alloc;
  f[LAST_H] = heap;
  f[LAST_M] = g[MEASURED];
}

// probes.ts's endSegment.
void EndSegment(ProbeBinding* b, int32_t frame, double now) {
  double* F = b->frames.data;
  double* f = F + size_t(frame) * FRAME;
  double* g = b->globals.data;
  double alloc = g[ALLOC_LAST];
  double nested = g[MEASURED] - f[SEG_M0];
  double counted = g[COUNTED] - f[SEG_C0];
  double seg_alloc = alloc - f[A0];
  double seg_time = now - f[T0];
  f[ACC_A] += seg_alloc;
  f[ACC_T] += seg_time;
  f[ACC_M] += nested;
  f[ACC_C] += counted;
  double first = f[FIRST_SEG];
  f[FIRST_SEG] = 0;
  int32_t depth = b->ints.data[I_DEPTH];
  const int32_t* stack = b->stack.data;
  int32_t below = -1;
  if (depth > 0) below = stack[depth - 1] == frame ? (depth > 1 ? stack[depth - 2] : -1) : stack[depth - 1];
  if (below >= 0) {
    double* p = F + size_t(below) * FRAME;
    p[CHILD_A] += seg_alloc - nested * g[CAL_NESTED_B] - first * g[CAL_SELF_B];
    p[CHILD_T] += seg_time - nested * g[CAL_NESTED_NS] - counted * g[CAL_COUNTED_NS] - first * g[CAL_SELF_NS];
    if (f[HMAX] > p[HMAX]) p[HMAX] = f[HMAX];
  }
}

// probes.ts's pop.
void Pop(ProbeBinding* b, int32_t frame) {
  int32_t* ints = b->ints.data;
  int32_t* stack = b->stack.data;
  int32_t depth = ints[I_DEPTH];
  if (depth > 0 && stack[depth - 1] == frame) {
    ints[I_DEPTH] = depth - 1;
    return;
  }
  for (int32_t i = depth - 1; i >= 0; i--) {
    if (stack[i] == frame) {
      for (int32_t j = i; j + 1 < depth; j++) stack[j] = stack[j + 1];
      ints[I_DEPTH] = depth - 1;
      return;
    }
  }
}

// function-stats.ts's observe and promote.
void ResetProbation(double* record) {
  record[PROBATION_CALLS] = 0;
  record[PROBATION_BYTES] = 0;
  record[PROBATION_NS] = 0;
}

void Observe(const double* g, double* record, double bytes, double ns) {
  double calls = ++record[PROBATION_CALLS];
  record[PROBATION_BYTES] += bytes > 0 ? bytes : 0;
  record[PROBATION_NS] += ns;
  if (calls < g[PROBATION]) return;
  if (record[PROBATION_BYTES] / calls < g[DEMOTE_BYTES] && record[PROBATION_NS] / calls < g[DEMOTE_NS]) {
    record[COUNTDOWN] = g[RESAMPLE_EVERY];
  } else {
    ResetProbation(record);
  }
}

inline bool ValidId(ProbeBinding* b, double id) {
  return id >= 0 && id < double(b->capacity) && id == std::floor(id);
}

void EnterMeasured(const FunctionCallbackInfo<Value>& info) {
  State* s = StateOf(info);
  ProbeBinding* b = s->probes;
  double id_number = info.Length() > 0 && info[0]->IsNumber() ? info[0].As<v8::Number>()->Value() : -1;
  if (b == nullptr || !ValidId(b, id_number)) return info.GetReturnValue().Set(-1);
  size_t id = size_t(id_number);
  int32_t* ints = b->ints.data;
  double* g = b->globals.data;
  double* record = b->stats.data + id * STRIDE;
  double left = record[COUNTDOWN];
  if (left > 1) {  // a counted call (enter() inlined in JS normally takes these)
    record[COUNTDOWN] = left - 1;
    record[CALLS]++;
    g[COUNTED]++;
    return info.GetReturnValue().Set(-1);
  }
  if (ints[ENABLED] == 0) return info.GetReturnValue().Set(-1);
  int32_t depth = ints[I_DEPTH];
  if (ints[FREE_TOP] <= 0 || size_t(depth) >= b->stack.length) return info.GetReturnValue().Set(-2);
  record[CALLS]++;
  if (left == 1) record[COUNTDOWN] = g[RESAMPLE_EVERY];
  ReadCounters(s, b);
  double heap = s->values[kUsedHeap];
  double alloc = g[ALLOC_LAST];
  double now = s->values[kTimeNs];
  double* F = b->frames.data;
  if (depth > 0) {
    double* p = F + size_t(b->stack.data[depth - 1]) * FRAME;
    if (heap > p[HMAX]) p[HMAX] = heap;
  }
  g[MEASURED]++;
  int32_t slot = b->free_slots.data[--ints[FREE_TOP]];
  double* f = F + size_t(slot) * FRAME;
  f[FN] = double(id);
  f[T0] = now;
  f[A0] = alloc;
  f[H0] = heap;
  f[HMAX] = heap;
  f[ACC_T] = 0;
  f[ACC_A] = 0;
  f[CHILD_A] = 0;
  f[CHILD_T] = 0;
  f[SEG_M0] = g[MEASURED];
  f[SEG_C0] = g[COUNTED];
  f[ACC_M] = 0;
  f[ACC_C] = 0;
  f[LAST_A] = alloc;
  f[LAST_H] = heap;
  f[LAST_M] = g[MEASURED];
  f[STATE] = kRunning;
  f[DEPTH] = depth;
  f[THREW] = 0;
  f[FIRST_SEG] = 1;
  f[LINE_NO] = 0;
  f[LAST_CA] = 0;
  record[ACTIVE]++;
  b->stack.data[depth] = slot;
  ints[I_DEPTH] = depth + 1;
  if (g[TRIGGER] == 0) WriteRow(s, b, kCall, slot, record[LINE], 0, 0);
  info.GetReturnValue().Set(slot);
}

void FinishCall(const FunctionCallbackInfo<Value>& info) {
  State* s = StateOf(info);
  ProbeBinding* b = s->probes;
  double frame_number = info.Length() > 0 && info[0]->IsNumber() ? info[0].As<v8::Number>()->Value() : -1;
  if (b == nullptr || !(frame_number >= 0 && frame_number < double(b->frames.length / FRAME))) return info.GetReturnValue().Set(-1);
  int32_t frame = int32_t(frame_number);
  double* f = b->frames.data + size_t(frame) * FRAME;
  if (f[STATE] != kRunning || f[LINE_NO] > 0 || !ValidId(b, f[FN])) return info.GetReturnValue().Set(-1);
  ReadCounters(s, b);
  double* g = b->globals.data;
  double heap = s->values[kUsedHeap];
  if (heap > f[HMAX]) f[HMAX] = heap;
  EndSegment(b, frame, s->values[kTimeNs]);
  double* record = b->stats.data + size_t(f[FN]) * STRIDE;
  double nested = f[ACC_M];
  double total = f[ACC_A] - g[CAL_SELF_B] - nested * g[CAL_NESTED_B];
  double time = f[ACC_T] - g[CAL_SELF_NS] - nested * g[CAL_NESTED_NS] - f[ACC_C] * g[CAL_COUNTED_NS];
  record[MEASURED_CALLS]++;
  record[SELF_ALLOC] += total - f[CHILD_A];
  record[SELF_TIME] += time - f[CHILD_T];
  if (--record[ACTIVE] == 0) {  // recursion: only the outermost running activation adds to the totals (JS keeps suspended calls out of ACTIVE)
    record[TOTAL_ALLOC] += total;
    record[TOTAL_TIME] += time;
  }
  double growth = f[HMAX] - f[H0];
  if (growth > record[MAX_HEAP_GROWTH]) record[MAX_HEAP_GROWTH] = growth;
  bool exact = b->ints.data[EXACT] != 0;
  if (!exact && record[COUNTDOWN] == 0) Observe(g, record, total, time);
  else if (!exact && total >= g[PROMOTE_BYTES]) {
    record[COUNTDOWN] = 0;
    ResetProbation(record);
  }
  Pop(b, frame);
  EndEvent(s, b, f[THREW] == 1 ? kThrow : kReturn, frame, record[LINE]);
  f[STATE] = kFree;
  int32_t* ints = b->ints.data;
  if (size_t(ints[FREE_TOP]) < b->free_slots.length) b->free_slots.data[ints[FREE_TOP]++] = frame;
  info.GetReturnValue().Set(0);
}

// bindProbes(layoutVersion, globals, ints, frames, freeSlots, stack, statsTable, events, eventPosition)
//   -> whether the probes are bound. Called again whenever JS replaces one of the arrays (they grow).
void BindProbes(const FunctionCallbackInfo<Value>& info) {
  State* s = StateOf(info);
  auto b = std::make_unique<ProbeBinding>();
  int i = 0;
  auto next = [&]() { return i < info.Length() ? info[i++] : Local<Value>(v8::Undefined(info.GetIsolate())); };
  Local<Value> version = next();
  bool ok = version->IsNumber() && version.As<v8::Number>()->Value() == kLayoutVersion;
  ok = ok && Take(next(), &b->globals, GLOBAL_SLOTS) && Take(next(), &b->ints, INT_SLOTS);
  ok = ok && Take(next(), &b->frames, FRAME) && b->frames.length % FRAME == 0;
  ok = ok && Take(next(), &b->free_slots, 0) && Take(next(), &b->stack, 0);
  ok = ok && Take(next(), &b->stats, 0) && b->stats.length % STRIDE == 0;
  b->capacity = b->stats.length / STRIDE;
  ok = ok && Take(next(), &b->events, COLUMNS) && Take(next(), &b->event_position, 2);
  ok = ok && b->free_slots.length >= b->frames.length / FRAME;
  if (!ok) {
    info.GetReturnValue().Set(false);
    return;
  }
  ReleaseProbes(s);
  BindNativeMemory(&b->ints.data[I_DEPTH], b->stack.data, b->stack.length, b->frames.data, b->frames.length, FRAME);
  s->probes = b.release();
  info.GetReturnValue().Set(true);
}

void UnbindProbes(const FunctionCallbackInfo<Value>& info) { ReleaseProbes(StateOf(info)); }

}  // namespace

void ReleaseProbes(State* s) {
  if (s->probes) BindNativeMemory(nullptr, nullptr, 0, nullptr, 0, 0);
  delete s->probes;
  s->probes = nullptr;
}

void AddProbeFunctions(Local<Context> context, Local<Object> exports, State* s) {
  Isolate* isolate = context->GetIsolate();
  struct Entry {
    const char* name;
    v8::FunctionCallback callback;
  };
  const Entry entries[] = {{"bindProbes", BindProbes}, {"unbindProbes", UnbindProbes},
                           {"enterMeasured", EnterMeasured}, {"finishCall", FinishCall}};
  for (const Entry& entry : entries) {
    exports->Set(context, String::NewFromUtf8(isolate, entry.name).ToLocalChecked(), MakeFunction(context, entry.callback, s))
        .Check();
  }
}

}  // namespace memtrace
