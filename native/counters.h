// Shared by the counters (memtrace.cc) and the measured-call probes (probes.cc): the per-isolate
// state and the hot-path readers.
//
// read()      exact: isolate->GetHeapStatistics(), i.e. what v8.getHeapStatistics() reports, less
//             V8's compiled code (code space, code large-object space; trusted spaces on V8 >= 12).
// readFast()  the same figure, followed cheaply between exact readings:
//   - new space is a bump-pointer area whose {start, top, limit} V8 keeps in the isolate at the
//     public offset v8::internal::Internals::kNewAllocationInfoOffset. The bytes allocated there since
//     the last reading are the distance the top moved, while the area is the same one or a new one
//     that starts exactly where we last saw the top;
//   - the large-object spaces are read live, from the size fields space-fields.cc finds (one load
//     each) or with GetHeapSpaceStatistics;
//   - code space is not read: it holds V8's JIT code, which its compiler threads allocate whenever a
//     compile job ends, in whatever call is running then, so every figure leaves it out (exact
//     readings take it away, see ExactProgramHeap; reading it live had cost 40 % of a readFast,
//     44 of ~110 ns);
//   - old space: V8 11 (Node 20) counts a main-thread old-space area as used when it is handed out,
//     so the figure only moves when that area (kOldAllocationInfoOffset) is replaced, and that makes
//     readFast take an exact reading. V8 12 and 13 (Node 22, 24) first give the areas back in every
//     heap statistics call, so old space counts to its top: there the old-space area's top is
//     followed like the new space's (an API call in readFast would give the areas back each time,
//     and the program's next allocation would take V8's slow path);
//   - trusted space (V8 >= 12: bytecode, deoptimization data) is V8's own, left out like code space;
//   - anything else it cannot follow (a new page, a GC, an incremental-marking start) makes it take
//     an exact reading, which also restarts the tracking.
//   Not followed, so seen only at the next exact reading (the bytes move to a later reading, the
//   totals stay exact): on Node 20 old-space areas taken by background threads (32 KiB
//   each); code and bytecode objects over 128 KiB; on Node 24 new-space bytes allocated just before someone
//   else's heap statistics call (process.memoryUsage(), v8.getHeapStatistics()).
//
// Hot path (read, readFast, readTime): speed beats clarity here; keep it small.

#ifndef MEMTRACE_COUNTERS_H_
#define MEMTRACE_COUNTERS_H_

#include <node.h>
#include <uv.h>
#include <v8.h>

#include <fcntl.h>
#include <time.h>
#include <unistd.h>

#include <atomic>
#include <cstdint>
#include <cstdlib>
#include <cstring>
#include <memory>
#include <mutex>

#if defined(__x86_64__)
#include <x86intrin.h>
#endif

namespace memtrace {

using v8::ArrayBuffer;
using v8::BackingStore;
using v8::Context;
using v8::External;
using v8::FunctionCallbackInfo;
using v8::FunctionTemplate;
using v8::GCCallbackFlags;
using v8::GCType;
using v8::Global;
using v8::HandleScope;
using v8::HeapSpaceStatistics;
using v8::HeapStatistics;
using v8::Isolate;
using v8::Local;
using v8::Object;
using v8::String;
using v8::Value;

// Slots of the shared Float64Array.
enum Slot { kTimeNs = 0, kUsedHeap, kFreedByGc, kGcCount, kExternal, kArrayBuffers, kSlotCount };

inline uint64_t MonotonicNs() {
  timespec ts;
  clock_gettime(CLOCK_MONOTONIC, &ts);
  return uint64_t(ts.tv_sec) * 1000000000u + uint64_t(ts.tv_nsec);
}

// ---------------------------------------------------------------------------------------------
// Per-isolate state.

struct Lab {  // v8::internal::LinearAllocationArea
  uintptr_t start, top, limit;
};
static_assert(v8::internal::Internals::kOldAllocationInfoOffset ==
                  v8::internal::Internals::kNewAllocationInfoOffset + int(sizeof(Lab)),
              "unexpected IsolateData layout");

constexpr int kMaxLiveSpaces = 8;
constexpr GCType kCollections = GCType(v8::kGCTypeScavenge | (1 << 1) /* minor mark-sweep */ |
                                       v8::kGCTypeMarkSweepCompact);

struct State {
  Isolate* isolate = nullptr;
  Global<Object> buffer;                // keeps the shared ArrayBuffer alive
  std::shared_ptr<BackingStore> store;  // keeps its memory alive even if it gets detached
  double* values = nullptr;
  double scratch[kSlotCount] = {0};  // written before init(buffer) is called

  // Clock: ns since the process's epoch. With the TSC: offset + (tsc - tsc_base) * ns_per_tick, its
  // rate re-measured against CLOCK_MONOTONIC from the epoch whenever the time since the epoch has
  // grown 4-fold (off the hot path: at GCs and RSS/external reads).
  bool use_tsc = false;
  double ns_per_tick = 0;
  double offset_ns = 0;
  uint64_t tsc_base = 0;
  uint64_t mono_base = 0;
  uint64_t tsc0 = 0, mono0 = 0, next_refine_ns = 0;

  // Garbage collections.
  int gc_depth = 0;
  double used_before_gc = 0;
  // V8's compiled code (code space, code large-object space, and on V8 >= 12 the trusted spaces
  // with bytecode and deoptimization data) is left out of every figure: values[1] is the used heap
  // less it, and freed_by_gc what GCs freed elsewhere. It is V8's compiler's, allocated in whatever
  // call runs when a compile job ends, not that call's.
  double freed_by_gc = 0;
  double code_before_gc = 0;
  int code_spaces[4];
  int code_space_count = 0;
  double gc_count = 0;
  bool saw_minor_mark_sweep = false;

  // readFast.
  bool fast_enabled = false;    // the layout checks passed
  bool stats_free_labs = false; // V8 >= 12: heap statistics calls give the LABs back
  bool fast_valid = false;
  double fast_used = 0;
  uintptr_t fast_new_top = 0;   // new-space top at the last read (0: unknown)
  uintptr_t fast_new_start = 0;
  Lab fast_old{0, 0, 0};
  double fast_live = 0;
  int live_spaces[kMaxLiveSpaces];
  int live_space_count = 0;
  // Where a live space's used size can be read directly (space-fields.cc), else null: the API.
  const std::atomic<size_t>* live_direct[kMaxLiveSpaces] = {};
  bool direct_turned_off = false;
  double exact_reads = 0, fast_reads = 0;

  // Array buffers: Node's allocator keeps a byte counter; found and checked at init.
  const std::atomic<size_t>* array_buffer_bytes = nullptr;

  // The process logger's shared buffer (see "Sampler" below), while this isolate is the sampled one.
  double* sampler_values = nullptr;
  std::shared_ptr<BackingStore> sampler_store;
  uv_async_t* sampler_async = nullptr;
  std::atomic<bool> interrupt_pending{false};
  double gc_start_mono_ns = 0;
  GCType gc_type = GCType(0);

  // The measured-call probes (probes.cc), once JS bound its arrays.
  struct ProbeBinding* probes = nullptr;
};

inline State* StateOf(const FunctionCallbackInfo<Value>& info) {
  return static_cast<State*>(info.Data().As<External>()->Value());
}

inline double NowNs(const State* s) {
#if defined(__x86_64__)
  // Signed: a uint64_t converts to double through a branchy sequence; the ticks since the base fit.
  if (s->use_tsc) return s->offset_ns + double(int64_t(__rdtsc() - s->tsc_base)) * s->ns_per_tick;
#endif
  return double(MonotonicNs() - s->mono_base);
}

inline const Lab* Labs(Isolate* isolate) {
  return reinterpret_cast<const Lab*>(reinterpret_cast<const char*>(isolate) +
                                      v8::internal::Internals::kNewAllocationInfoOffset);
}

inline double ExactUsedHeap(Isolate* isolate) {
  HeapStatistics stats;
  isolate->GetHeapStatistics(&stats);
  return double(stats.used_heap_size());
}

inline double LiveSpacesUsed(State* s) {
  double total = 0;
  for (int i = 0; i < s->live_space_count; i++) {
    const std::atomic<size_t>* direct = s->live_direct[i];
    if (direct != nullptr) {
      total += double(direct->load(std::memory_order_relaxed));
      continue;
    }
    HeapSpaceStatistics stats;
    s->isolate->GetHeapSpaceStatistics(&stats, size_t(s->live_spaces[i]));
    total += double(stats.space_used_size());
  }
  return total;
}

// What V8's compiled code occupies (the spaces above), through the API.
inline double CodeUsed(State* s) {
  double total = 0;
  for (int i = 0; i < s->code_space_count; i++) {
    HeapSpaceStatistics stats;
    s->isolate->GetHeapSpaceStatistics(&stats, size_t(s->code_spaces[i]));
    total += double(stats.space_used_size());
  }
  return total;
}

// The used heap less V8's compiled code, exactly: values[1] of every reading.
inline double ExactProgramHeap(State* s) {
  double code = CodeUsed(s);
  return ExactUsedHeap(s->isolate) - code;
}

// An exact read that also restarts the cheap tracking from this point.
double Resync(State* s);

inline double FastUsedHeap(State* s) {
  if (!s->fast_valid) return Resync(s);
  const Lab* labs = Labs(s->isolate);
  const Lab young = labs[0];
  double grown = 0;
  if (young.top != 0) {
    // The same area (its top only moves up), or a new one that starts exactly where we last saw
    // the top. Anything else may have skipped bytes we cannot see: read exactly.
    bool same_area = young.start == s->fast_new_start && young.top >= s->fast_new_top;
    bool continues = young.start == s->fast_new_top;
    if (s->fast_new_top == 0 || !(same_area || continues)) return Resync(s);
    grown = double(young.top - s->fast_new_top);
  }
  const Lab old = labs[1];
  if (!s->stats_free_labs) {
    if (old.start != s->fast_old.start || old.limit != s->fast_old.limit) return Resync(s);
  } else if (old.top != 0) {
    // V8 >= 12 counts old space to its top: followed like the new space's area.
    bool same_area = old.start == s->fast_old.start && old.top >= s->fast_old.top;
    bool continues = old.start == s->fast_old.top;
    if (s->fast_old.top == 0 || !(same_area || continues)) return Resync(s);
    grown += double(old.top - s->fast_old.top);
  }
  double live = s->live_space_count ? LiveSpacesUsed(s) : 0;  // an API call gives the LABs back (V8 >= 12)
  s->fast_reads++;
  s->fast_used += grown + (live - s->fast_live);
  s->fast_live = live;
  if (young.top != 0) {
    s->fast_new_top = young.top;
    s->fast_new_start = young.start;
  }
  if (s->stats_free_labs && old.top != 0) s->fast_old = old;
  return s->fast_used;
}

// readFast()'s figure: the used heap, followed cheaply where the fast path is on.
inline double UsedHeapFast(State* s) {
  return s->fast_enabled && !s->saw_minor_mark_sweep ? FastUsedHeap(s) : ExactProgramHeap(s);
}

double ReadRssBytes();
void RefineClock(State* s);
// Fills values[kExternal] and values[kArrayBuffers].
void ReadExternalInto(State* s);

// space-fields.cc: finds the large-object spaces' size fields; whether they still agree with the API.
void FindLargeObjectSizes(State* s);
bool DirectSizesAgree(State* s);

// format.cc: the writer's row formatter and disk reservation.
void AddFormatFunctions(Local<Context> context, Local<Object> exports, State* s);

// oom-watch.cc: watchHeapLimit()/unwatchHeapLimit() (src/oom/).
void AddOomWatchFunctions(Local<Context> context, Local<Object> exports, State* s);
// native-memory.cc: the allocation tracker of --native, where it is loaded (else no-ops)
void AddNativeMemoryFunctions(Local<Context> context, Local<Object> exports, State* s);
// Hands the tracker the main thread's shadow stack (probe-layout.ts), or null pointers to unbind.
void BindNativeMemory(const int32_t* depth, const int32_t* stack, size_t stack_length, const double* frames, size_t frames_length,
                      size_t frame_stride);

// probes.cc
void AddProbeFunctions(Local<Context> context, Local<Object> exports, State* s);
void ReleaseProbes(State* s);
Local<v8::Function> MakeFunction(Local<Context> context, v8::FunctionCallback callback, State* s);

}  // namespace memtrace

#endif  // MEMTRACE_COUNTERS_H_
