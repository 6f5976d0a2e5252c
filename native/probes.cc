// The measured path of the probes in C++: the entry of a measured call and the end of a running one,
// over the very typed arrays the JS probes use (src/shared/layouts.ts gives the layout, and
// src/runtime/probes.ts the same logic in JS, which stays the reference and serves the pure-JS
// counters, suspensions, resumptions and line events). Done here because in JS this bookkeeping cost
// more than the two readings themselves (~280 ns a measured call against ~30 ns here).
//
// enterMeasured(id) -> frame slot, -1 (disabled, bad id) or -2 (no free frame or stack room: JS grows
//   the arrays, binds them again and asks again; nothing was changed). The traced code calls it once
//   the function's countdown is down to 0 or below (counted calls never get here).
// finishCall(frame) -> 0, or -1 when the call is JS's to end (suspended, or it had line events).
// Either sets ints[int_slot::HANDOVER] when a row filled the event buffer's half.
//
// Hot path: speed beats clarity here; keep it small.

#include "counters.h"
#include "layouts.h"

#include <algorithm>
#include <limits>

namespace memtrace {

namespace {

// The arrays' layouts (frames, globals, ints, stats) and the event row, shared with probes.ts:
// native/layouts.h, generated from src/shared/layouts.spec.js.
namespace col = layout::event_column;
namespace frame_field = layout::frame;
namespace global = layout::global;
namespace int_slot = layout::int_slot;
namespace stat_field = layout::stat;

template <typename T>
struct View {
  T* data = nullptr;
  size_t length = 0;
  std::shared_ptr<BackingStore> store;  // keeps the memory alive while bound
};

}  // namespace

struct ProbeBinding {
  View<double> globals, frames, stats, events;
  View<int32_t> ints, free_slots, stack, event_position, countdowns;
  size_t capacity = 0;  // function ids the stats table has records for
  // The same bounds as doubles, so the checks on each call convert nothing (an unsigned 64-bit
  // integer becomes a double through a branchy sequence on x86-64).
  double id_limit = 0;
  double frame_limit = 0;
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
  double allocated = v[kUsedHeap] + v[kFreedByGc] + g[global::ALLOC_CORRECTION];
  if (b->ints.data[int_slot::MONOTONIC] != 0 && allocated < g[global::ALLOC_LAST]) g[global::ALLOC_CORRECTION] += g[global::ALLOC_LAST] - allocated;
  else g[global::ALLOC_LAST] = allocated;
}

void WriteRow(State* s, ProbeBinding* b, int kind, int32_t frame, double line, double d_heap, double d_alloc) {
  int32_t* position = b->event_position.data;  // [cursor, end of the half being filled]
  size_t at = size_t(position[0]) * col::COUNT;
  if (position[0] >= position[1] || at + col::COUNT > b->events.length) return;  // JS hands over first
  const double* f = b->frames.data + size_t(frame) * frame_field::SIZE;
  double* g = b->globals.data;
  double* v = s->values;
  double now = v[kTimeNs];
  double rss = std::numeric_limits<double>::quiet_NaN();
  double array_buffers = rss;
  if (now - g[global::LAST_RSS_NS] >= g[global::RSS_INTERVAL_NS]) {
    g[global::LAST_RSS_NS] = now;
    rss = ReadRssBytes();
    ReadExternalInto(s);
    array_buffers = v[kArrayBuffers];
  }
  double* d = b->events.data + at;
  d[col::TIME] = now - g[global::START_NS];
  d[col::KIND] = kind;
  d[col::FUNCTION_ID] = f[frame_field::FUNCTION_ID];
  d[col::LINE] = line;
  d[col::DEPTH] = f[frame_field::DEPTH];
  d[col::ASYNC_ID] = double(node::AsyncHooksGetExecutionAsyncId(s->isolate));
  d[col::HEAP] = v[kUsedHeap];
  d[col::D_HEAP] = d_heap;
  d[col::ALLOCATED] = g[global::ALLOC_LAST];
  d[col::D_ALLOCATED] = d_alloc;
  d[col::RSS] = rss;
  d[col::EXTERNAL] = v[kExternal];
  d[col::ARRAY_BUFFERS] = array_buffers;
  if (++position[0] == position[1]) b->ints.data[int_slot::HANDOVER] = 1;
}

// probes.ts's eventSinceLast and markEvent, for a return or throw.
void EndEvent(State* s, ProbeBinding* b, int kind, int32_t frame, double line) {
  double* f = b->frames.data + size_t(frame) * frame_field::SIZE;
  double* g = b->globals.data;
  double alloc = g[global::ALLOC_LAST];
  double heap = s->values[kUsedHeap];
  double nested = g[global::MEASURED] - f[frame_field::EVENT_MEASURED];
  double d_alloc = alloc - f[frame_field::EVENT_ALLOCATED] - nested * g[global::CAL_NESTED_B] - g[global::CAL_SELF_B];
  double d_heap = heap - f[frame_field::EVENT_HEAP];
  double trigger = g[global::TRIGGER];
  if (trigger == 0 || d_alloc >= trigger || d_heap >= trigger || d_heap <= -trigger) WriteRow(s, b, kind, frame, line, d_heap, d_alloc);
  f[frame_field::EVENT_CALLEES_ALLOCATED] = f[frame_field::CALLEES_ALLOCATED];
  f[frame_field::EVENT_ALLOCATED] = alloc;
  f[frame_field::EVENT_HEAP] = heap;
  f[frame_field::EVENT_MEASURED] = g[global::MEASURED];
}

// probes.ts's endSegment.
void EndSegment(ProbeBinding* b, int32_t frame, double now) {
  double* F = b->frames.data;
  double* f = F + size_t(frame) * frame_field::SIZE;
  double* g = b->globals.data;
  double alloc = g[global::ALLOC_LAST];
  double nested = g[global::MEASURED] - f[frame_field::SEGMENT_START_MEASURED];
  double counted = g[global::COUNTED] - f[frame_field::SEGMENT_START_COUNTED];
  double seg_alloc = alloc - f[frame_field::SEGMENT_START_ALLOCATED];
  double seg_time = now - f[frame_field::SEGMENT_START_NS];
  f[frame_field::SUM_ALLOCATED] += seg_alloc;
  f[frame_field::SUM_NS] += seg_time;
  f[frame_field::NESTED_MEASURED] += nested;
  f[frame_field::NESTED_COUNTED] += counted;
  double first = f[frame_field::FIRST_SEGMENT];
  f[frame_field::FIRST_SEGMENT] = 0;
  int32_t depth = b->ints.data[int_slot::DEPTH];
  const int32_t* stack = b->stack.data;
  int32_t below = -1;
  if (depth > 0) below = stack[depth - 1] == frame ? (depth > 1 ? stack[depth - 2] : -1) : stack[depth - 1];
  if (below >= 0) {
    double* p = F + size_t(below) * frame_field::SIZE;
    p[frame_field::CALLEES_ALLOCATED] += seg_alloc - nested * g[global::CAL_NESTED_B] - first * g[global::CAL_SELF_B];
    p[frame_field::CALLEES_NS] += seg_time - nested * g[global::CAL_NESTED_NS] - counted * g[global::CAL_COUNTED_NS] - first * g[global::CAL_SELF_NS];
    p[frame_field::MAX_HEAP] = std::max(p[frame_field::MAX_HEAP], f[frame_field::MAX_HEAP]);
  }
}

// probes.ts's pop.
void Pop(ProbeBinding* b, int32_t frame) {
  int32_t* ints = b->ints.data;
  int32_t* stack = b->stack.data;
  int32_t depth = ints[int_slot::DEPTH];
  if (depth > 0 && stack[depth - 1] == frame) {
    ints[int_slot::DEPTH] = depth - 1;
    return;
  }
  for (int32_t i = depth - 1; i >= 0; i--) {
    if (stack[i] == frame) {
      for (int32_t j = i; j + 1 < depth; j++) stack[j] = stack[j + 1];
      ints[int_slot::DEPTH] = depth - 1;
      return;
    }
  }
}

// function-stats.ts's observe, countFor and promote.
void ResetProbation(double* record) {
  record[stat_field::PROBATION_CALLS] = 0;
  record[stat_field::PROBATION_BYTES] = 0;
  record[stat_field::PROBATION_NS] = 0;
}

// The counted calls of the running stretch go into CALLS, and a stretch of `every` starts (0: measured).
void StartStretch(double* record, int32_t* countdown, double every) {
  double pending = record[stat_field::STRETCH] - double(*countdown);
  if (pending > 0) record[stat_field::CALLS] += pending;
  record[stat_field::STRETCH] = every;
  *countdown = int32_t(every);
}

void Observe(const double* g, double* record, int32_t* countdown, double bytes, double ns) {
  double calls = ++record[stat_field::PROBATION_CALLS];
  record[stat_field::PROBATION_BYTES] += bytes > 0 ? bytes : 0;
  record[stat_field::PROBATION_NS] += ns;
  if (calls < g[global::PROBATION]) return;
  // Means below the thresholds, without the two divisions (function-stats.ts's observe compares alike).
  if (record[stat_field::PROBATION_BYTES] < g[global::DEMOTE_BYTES] * calls && record[stat_field::PROBATION_NS] < g[global::DEMOTE_NS] * calls) {
    StartStretch(record, countdown, g[global::RESAMPLE_EVERY]);
  } else {
    ResetProbation(record);
  }
}

// The first argument as a number, -1 when there is none. The traced code passes small integers: a
// Smi is read in place, as V8's own inline accessors read values (v8-value.h); anything else goes
// through the API. Two out-of-line API calls each time cost ~35 instructions of a native's ~300.
inline double NumberArgument(const FunctionCallbackInfo<Value>& info) {
  if (info.Length() < 1) return -1;
  Local<Value> value = info[0];
  v8::internal::Address address = v8::internal::ValueHelper::ValueAsAddress(*value);
  if (!v8::internal::Internals::HasHeapObjectTag(address)) return v8::internal::Internals::SmiValue(address);
  return value->IsNumber() ? value.As<v8::Number>()->Value() : -1;
}

inline bool ValidId(ProbeBinding* b, double id) {
  // Not std::floor: a libm call on x86-64 before SSE4.1 (format.cc), 5-8 % of each probe.
  return id >= 0 && id < b->id_limit && double(int64_t(id)) == id;
}

void EnterMeasured(const FunctionCallbackInfo<Value>& info) {
  State* s = StateOf(info);
  ProbeBinding* b = s->probes;
  double id_number = NumberArgument(info);
  if (b == nullptr || !ValidId(b, id_number)) return info.GetReturnValue().Set(-1);
  size_t id = size_t(id_number);
  int32_t* ints = b->ints.data;
  double* g = b->globals.data;
  double* record = b->stats.data + id * stat_field::STRIDE;
  double stretch = record[stat_field::STRETCH];
  int32_t* countdown = b->countdowns.data + id;
  if (ints[int_slot::ENABLED] == 0) {
    *countdown = int32_t(stretch);
    return info.GetReturnValue().Set(-1);
  }
  int32_t depth = ints[int_slot::DEPTH];
  if (ints[int_slot::FREE_TOP] <= 0 || size_t(depth) >= b->stack.length) return info.GetReturnValue().Set(-2);
  // probes.ts's enterAny: the stretch that ends here (its counted calls, then this one); the next
  // starts where it did. None where the countdown was not counted down (a hoisted function's call
  // before its module's preamble).
  double counted = std::max(0.0, stretch - 1 - double(*countdown));
  *countdown = int32_t(stretch);
  record[stat_field::CALLS] += counted + 1;
  g[global::COUNTED] += counted;
  ReadCounters(s, b);
  double heap = s->values[kUsedHeap];
  double alloc = g[global::ALLOC_LAST];
  double now = s->values[kTimeNs];
  double* F = b->frames.data;
  if (depth > 0) {
    double* p = F + size_t(b->stack.data[depth - 1]) * frame_field::SIZE;
    p[frame_field::MAX_HEAP] = std::max(p[frame_field::MAX_HEAP], heap);
  }
  g[global::MEASURED]++;
  int32_t slot = b->free_slots.data[--ints[int_slot::FREE_TOP]];
  double* f = F + size_t(slot) * frame_field::SIZE;
  f[frame_field::FUNCTION_ID] = double(id);
  f[frame_field::SEGMENT_START_NS] = now;
  f[frame_field::SEGMENT_START_ALLOCATED] = alloc;
  f[frame_field::START_HEAP] = heap;
  f[frame_field::MAX_HEAP] = heap;
  f[frame_field::SUM_NS] = 0;
  f[frame_field::SUM_ALLOCATED] = 0;
  f[frame_field::CALLEES_ALLOCATED] = 0;
  f[frame_field::CALLEES_NS] = 0;
  f[frame_field::SEGMENT_START_MEASURED] = g[global::MEASURED];
  f[frame_field::SEGMENT_START_COUNTED] = g[global::COUNTED];
  f[frame_field::NESTED_MEASURED] = 0;
  f[frame_field::NESTED_COUNTED] = 0;
  f[frame_field::EVENT_ALLOCATED] = alloc;
  f[frame_field::EVENT_HEAP] = heap;
  f[frame_field::EVENT_MEASURED] = g[global::MEASURED];
  f[frame_field::STATE] = layout::frame_state::RUNNING;
  f[frame_field::DEPTH] = depth;
  f[frame_field::THREW] = 0;
  f[frame_field::FIRST_SEGMENT] = 1;
  f[frame_field::LINE] = 0;
  f[frame_field::EVENT_CALLEES_ALLOCATED] = 0;
  record[stat_field::ACTIVE]++;
  b->stack.data[depth] = slot;
  ints[int_slot::DEPTH] = depth + 1;
  if (g[global::TRIGGER] == 0) WriteRow(s, b, layout::event_kind::CALL, slot, record[stat_field::LINE], 0, 0);
  info.GetReturnValue().Set(slot);
}

void FinishCall(const FunctionCallbackInfo<Value>& info) {
  State* s = StateOf(info);
  ProbeBinding* b = s->probes;
  double frame_number = NumberArgument(info);
  if (b == nullptr || !(frame_number >= 0 && frame_number < b->frame_limit)) return info.GetReturnValue().Set(-1);
  int32_t frame = int32_t(frame_number);
  double* f = b->frames.data + size_t(frame) * frame_field::SIZE;
  if (f[frame_field::STATE] != layout::frame_state::RUNNING || f[frame_field::LINE] > 0 || !ValidId(b, f[frame_field::FUNCTION_ID])) return info.GetReturnValue().Set(-1);
  ReadCounters(s, b);
  double* g = b->globals.data;
  double heap = s->values[kUsedHeap];
  f[frame_field::MAX_HEAP] = std::max(f[frame_field::MAX_HEAP], heap);
  EndSegment(b, frame, s->values[kTimeNs]);
  double* record = b->stats.data + size_t(f[frame_field::FUNCTION_ID]) * stat_field::STRIDE;
  double nested = f[frame_field::NESTED_MEASURED];
  double total = f[frame_field::SUM_ALLOCATED] - g[global::CAL_SELF_B] - nested * g[global::CAL_NESTED_B];
  double time = f[frame_field::SUM_NS] - g[global::CAL_SELF_NS] - nested * g[global::CAL_NESTED_NS] - f[frame_field::NESTED_COUNTED] * g[global::CAL_COUNTED_NS];
  record[stat_field::MEASURED_CALLS]++;
  record[stat_field::SELF_ALLOC] += total - f[frame_field::CALLEES_ALLOCATED];
  record[stat_field::SELF_TIME] += time - f[frame_field::CALLEES_NS];
  if (--record[stat_field::ACTIVE] == 0) {  // recursion: only the outermost running activation adds to the totals (JS keeps suspended calls out of ACTIVE)
    record[stat_field::TOTAL_ALLOC] += total;
    record[stat_field::TOTAL_TIME] += time;
  }
  double growth = f[frame_field::MAX_HEAP] - f[frame_field::START_HEAP];
  if (growth > record[stat_field::MAX_HEAP_GROWTH]) record[stat_field::MAX_HEAP_GROWTH] = growth;
  bool exact = b->ints.data[int_slot::EXACT] != 0;
  int32_t* countdown = b->countdowns.data + size_t(f[frame_field::FUNCTION_ID]);
  if (!exact && record[stat_field::STRETCH] == 0) Observe(g, record, countdown, total, time);
  else if (!exact && total >= g[global::PROMOTE_BYTES]) {
    StartStretch(record, countdown, 0);
    ResetProbation(record);
  }
  Pop(b, frame);
  EndEvent(s, b, f[frame_field::THREW] == 1 ? layout::event_kind::THROW : layout::event_kind::RETURN, frame, record[stat_field::LINE]);
  f[frame_field::STATE] = layout::frame_state::FREE;
  int32_t* ints = b->ints.data;
  if (size_t(ints[int_slot::FREE_TOP]) < b->free_slots.length) b->free_slots.data[ints[int_slot::FREE_TOP]++] = frame;
  info.GetReturnValue().Set(0);
}

// bindProbes(layoutVersion, globals, ints, frames, freeSlots, stack, statsTable, events, eventPosition, countdowns)
//   -> whether the probes are bound. Called again whenever JS replaces one of the arrays (they grow).
void BindProbes(const FunctionCallbackInfo<Value>& info) {
  State* s = StateOf(info);
  auto b = std::make_unique<ProbeBinding>();
  int i = 0;
  auto next = [&]() { return i < info.Length() ? info[i++] : Local<Value>(v8::Undefined(info.GetIsolate())); };
  Local<Value> version = next();
  bool ok = version->IsNumber() && version.As<v8::Number>()->Value() == layout::kVersion;
  ok = ok && Take(next(), &b->globals, global::SIZE) && Take(next(), &b->ints, int_slot::SIZE);
  ok = ok && Take(next(), &b->frames, frame_field::SIZE) && b->frames.length % frame_field::SIZE == 0;
  ok = ok && Take(next(), &b->free_slots, 0) && Take(next(), &b->stack, 0);
  ok = ok && Take(next(), &b->stats, 0) && b->stats.length % stat_field::STRIDE == 0;
  b->capacity = b->stats.length / stat_field::STRIDE;
  b->id_limit = double(b->capacity);
  b->frame_limit = double(b->frames.length / frame_field::SIZE);
  ok = ok && Take(next(), &b->events, col::COUNT) && Take(next(), &b->event_position, 2);
  ok = ok && Take(next(), &b->countdowns, b->capacity);
  ok = ok && b->free_slots.length >= b->frames.length / frame_field::SIZE;
  if (!ok) {
    info.GetReturnValue().Set(false);
    return;
  }
  ReleaseProbes(s);
  static_assert(frame_field::FUNCTION_ID == 0, "the --native tracker reads a frame's function id at its start");
  BindNativeMemory(&b->ints.data[int_slot::DEPTH], b->stack.data, b->stack.length, b->frames.data, b->frames.length, frame_field::SIZE);
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
