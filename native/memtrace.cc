// memtrace native counters: clock, V8 used heap, bytes freed by GCs, GC count, RSS, external memory.
//
// Every read writes plain numbers into a Float64Array that JS created and handed over once with
// init(buffer) and returns undefined, so a read allocates nothing on the JS heap. State is per
// isolate (each worker thread loads its own), removed by an environment cleanup hook.
// How readFast() follows the used heap: counters.h.

#include "counters.h"

#include <algorithm>

#include <string>

#include <fcntl.h>
#include <time.h>
#include <unistd.h>

namespace memtrace {

// ---------------------------------------------------------------------------------------------
// Clock: CLOCK_MONOTONIC, or the TSC scaled to it where the kernel itself uses the TSC for
// CLOCK_MONOTONIC (then it is invariant and synchronised) and reading it is cheaper.

// The process's clock epoch: values[0] of every isolate (main thread and workers) counts from the
// first time the addon was initialised in the process, so their timelines line up.
struct ClockEpoch {
  bool use_tsc = false;
  double ns_per_tick = 0;
  uint64_t tsc0 = 0;
  uint64_t mono0 = 0;
};

#if defined(__x86_64__)
// One (tsc, monotonic ns) pair, taken where the two reads were closest together.
void TscPair(uint64_t* tsc, uint64_t* ns) {
  uint64_t best = UINT64_MAX;
  for (int i = 0; i < 8; i++) {
    uint64_t a = __rdtsc();
    uint64_t t = MonotonicNs();
    uint64_t b = __rdtsc();
    if (b - a < best) {
      best = b - a;
      *tsc = a + (b - a) / 2;
      *ns = t;
    }
  }
}

bool KernelClocksourceIsTsc() {
  int fd = open("/sys/devices/system/clocksource/clocksource0/current_clocksource", O_RDONLY);
  if (fd < 0) return false;
  char name[16] = {0};
  ssize_t n = read(fd, name, sizeof(name) - 1);
  close(fd);
  return n >= 3 && strncmp(name, "tsc", 3) == 0 && (name[3] == '\n' || name[3] == 0);
}
#endif

const ClockEpoch& Epoch() {
  static ClockEpoch epoch;
  static std::once_flag once;
  std::call_once(once, [] {
    epoch.mono0 = MonotonicNs();
#if defined(__x86_64__)
    const char* env = getenv("MEMTRACE_CLOCK");
    if ((env != nullptr && strcmp(env, "monotonic") == 0) || !KernelClocksourceIsTsc()) return;
    // Is rdtsc cheaper than clock_gettime here (it is not where a hypervisor traps it)? The best
    // of a few alternated trials each: one race of 2000 reads lost to an interrupt on a busy machine
    // (1 start in 40 with both cores busy), and the clock_gettime it then chose cost a measured
    // call ~25 ns more (handlebars: 0.03x of plain).
    const int kReads = 500;
    const int kTrials = 5;
    uint64_t best_tsc = UINT64_MAX, best_mono = UINT64_MAX;
    volatile uint64_t sink = 0;
    for (int trial = 0; trial < kTrials; trial++) {
      uint64_t t0 = MonotonicNs();
      for (int i = 0; i < kReads; i++) sink = sink + __rdtsc();
      uint64_t t1 = MonotonicNs();
      for (int i = 0; i < kReads; i++) sink = sink + MonotonicNs();
      uint64_t t2 = MonotonicNs();
      best_tsc = std::min(best_tsc, t1 - t0);
      best_mono = std::min(best_mono, t2 - t1);
    }
    if (best_tsc >= best_mono) return;
    // Calibrate over 2 ms; each pair is exact to a few ns, so the rate is exact to ~10 ppm (and
    // refined later, see RefineClock).
    uint64_t tsc_b, ns_b;
    TscPair(&epoch.tsc0, &epoch.mono0);
    do TscPair(&tsc_b, &ns_b);
    while (ns_b - epoch.mono0 < 2000000);
    if (tsc_b <= epoch.tsc0) return;
    epoch.ns_per_tick = double(ns_b - epoch.mono0) / double(tsc_b - epoch.tsc0);
    epoch.use_tsc = epoch.ns_per_tick > 0.01 && epoch.ns_per_tick < 100;
#endif
  });
  return epoch;
}

// ---------------------------------------------------------------------------------------------
// Resident set size from a kept-open /proc/self/statm (one fd for the process).

std::atomic<int> statm_fd{-2};

double ReadRssBytes() {
  int fd = statm_fd.load(std::memory_order_acquire);
  if (fd == -2) {
    int opened = open("/proc/self/statm", O_RDONLY | O_CLOEXEC);
    int expected = -2;
    if (!statm_fd.compare_exchange_strong(expected, opened)) {
      if (opened >= 0) close(opened);
    }
    fd = statm_fd.load(std::memory_order_acquire);
  }
  if (fd < 0) return -1;
  char text[128];
  ssize_t n = pread(fd, text, sizeof(text) - 1, 0);
  if (n <= 0) return -1;
  text[n] = 0;
  // "size resident shared text lib data dt", in pages.
  char* p = text;
  while (*p != 0 && *p != ' ') p++;
  long long pages = strtoll(p, nullptr, 10);
  static const long page_size = sysconf(_SC_PAGESIZE);
  return double(pages) * double(page_size);
}

void RecordGc(State* s, double after);

void RefineClock(State* s);

void StartClock(State* s) {
  const ClockEpoch& epoch = Epoch();
  s->mono_base = epoch.mono0;
  s->use_tsc = epoch.use_tsc;
  if (!s->use_tsc) return;
  s->ns_per_tick = epoch.ns_per_tick;
  s->tsc0 = s->tsc_base = epoch.tsc0;
  s->mono0 = epoch.mono0;
  s->offset_ns = 0;
  s->next_refine_ns = 0;
  RefineClock(s);
}

// Continuous (no jump) change of rate, so the clock stays monotonic.
void RefineClock(State* s) {
#if defined(__x86_64__)
  if (!s->use_tsc) return;
  uint64_t now_mono = MonotonicNs();
  if (now_mono < s->next_refine_ns) return;
  uint64_t tsc, mono;
  TscPair(&tsc, &mono);
  if (tsc <= s->tsc0 || mono <= s->mono0) return;
  double rate = double(mono - s->mono0) / double(tsc - s->tsc0);
  if (!(rate > 0.5 * s->ns_per_tick && rate < 2 * s->ns_per_tick)) return;
  s->offset_ns += double(tsc - s->tsc_base) * s->ns_per_tick;
  s->tsc_base = tsc;
  s->ns_per_tick = rate;
  s->next_refine_ns = s->mono0 + 4 * (mono - s->mono0) + 8000000;
#else
  (void)s;
#endif
}

// An exact read that also restarts the cheap tracking from this point.
double Resync(State* s) {
  const Lab* labs = Labs(s->isolate);
  // Both areas as they were before the statistics call (V8 >= 12 gives them back): the exact read
  // counts each space to that top, and the next area V8 hands out usually starts there (the young
  // space is linear; the old area's unused rest goes back to the free list and is taken again), which
  // the next fast read then follows as a continuation. Taking the old area after the call (gone: top
  // 0) made the next old-space area force an exact read again, and each exact read gave the areas
  // back once more: on Node 24, 0.5 M exact reads in marked's 2.4 M readings. (Before V8 12 the call
  // gives nothing back: the areas are the same after it.)
  const Lab young = labs[0];
  const Lab old = labs[1];
  double used = ExactProgramHeap(s);
  s->exact_reads++;
  s->fast_used = used;
  s->fast_new_top = young.top;  // 0: no area now; the next one starts where the exact read counted to
  s->fast_new_start = young.start;
  s->fast_old = old;
  // What space-fields.cc found must keep agreeing with the API, or the API it is again.
  bool direct = false;
  for (int i = 0; i < s->live_space_count; i++) direct = direct || s->live_direct[i] != nullptr;
  if (direct && !DirectSizesAgree(s)) {
    for (int i = 0; i < s->live_space_count; i++) s->live_direct[i] = nullptr;
    s->direct_turned_off = true;
  }
  s->fast_live = s->live_space_count ? LiveSpacesUsed(s) : 0;
  s->fast_valid = true;
  return used;
}

// ---------------------------------------------------------------------------------------------
// JS functions.

void Read(const FunctionCallbackInfo<Value>& info) {
  State* s = StateOf(info);
  double* v = s->values;
  v[kTimeNs] = NowNs(s);
  v[kUsedHeap] = ExactProgramHeap(s);
  v[kFreedByGc] = s->freed_by_gc;
  v[kGcCount] = s->gc_count;
}

void ReadFast(const FunctionCallbackInfo<Value>& info) {
  State* s = StateOf(info);
  double* v = s->values;
  v[kTimeNs] = NowNs(s);
  v[kUsedHeap] = UsedHeapFast(s);
  v[kFreedByGc] = s->freed_by_gc;
  v[kGcCount] = s->gc_count;
}

void ReadTime(const FunctionCallbackInfo<Value>& info) {
  State* s = StateOf(info);
  s->values[kTimeNs] = NowNs(s);
}

void ReadRss(const FunctionCallbackInfo<Value>& info) {
  info.GetReturnValue().Set(ReadRssBytes());
  RefineClock(StateOf(info));
}

void ReadExternalInto(State* s) {
  HeapStatistics stats;
  s->isolate->GetHeapStatistics(&stats);
  double external = double(stats.external_memory());
  s->values[kExternal] = external;
  s->values[kArrayBuffers] =
      s->array_buffer_bytes ? double(s->array_buffer_bytes->load(std::memory_order_relaxed)) : external;
  RefineClock(s);
}

void ReadExternal(const FunctionCallbackInfo<Value>& info) { ReadExternalInto(StateOf(info)); }

// init(buffer): buffer is an ArrayBuffer or SharedArrayBuffer of at least 6 doubles.
void Init(const FunctionCallbackInfo<Value>& info) {
  State* s = StateOf(info);
  Isolate* isolate = info.GetIsolate();
  std::shared_ptr<BackingStore> store;
  if (info.Length() > 0 && info[0]->IsArrayBuffer()) store = info[0].As<ArrayBuffer>()->GetBackingStore();
  else if (info.Length() > 0 && info[0]->IsSharedArrayBuffer()) store = info[0].As<v8::SharedArrayBuffer>()->GetBackingStore();
  if (!store || store->ByteLength() < kSlotCount * sizeof(double) ||
      reinterpret_cast<uintptr_t>(store->Data()) % alignof(double) != 0) {
    isolate->ThrowException(v8::Exception::TypeError(String::NewFromUtf8Literal(
        isolate, "memtrace: init() needs an ArrayBuffer of at least 6 float64 slots")));
    return;
  }
  s->buffer.Reset(isolate, info[0].As<Object>());
  s->store = std::move(store);
  s->values = static_cast<double*>(s->store->Data());
}

// findSpaceFields(): readFast reads the large-object spaces' sizes where V8 keeps them, once found
// (space-fields.cc); true if it found any. JS calls it unless told not to (MEMTRACE_SPACE_FIELDS=api).
void FindSpaceFields(const FunctionCallbackInfo<Value>& info) {
  State* s = StateOf(info);
  // Its two large objects (and what finding the fields allocates) are memtrace's, not the program's:
  // out of the allocation counter (used + freed), as if freed at once.
  double before = ExactProgramHeap(s) + s->freed_by_gc;
  if (s->fast_enabled) FindLargeObjectSizes(s);
  double own = ExactProgramHeap(s) + s->freed_by_gc - before;
  if (own > 0) s->freed_by_gc -= own;
  s->fast_valid = false;  // the next reading starts afresh
  bool any = false;
  for (int i = 0; i < s->live_space_count; i++) any = any || s->live_direct[i] != nullptr;
  info.GetReturnValue().Set(any);
}

// info(): how this isolate's counters work (for tests and diagnostics; allocates).
void Info(const FunctionCallbackInfo<Value>& info) {
  State* s = StateOf(info);
  Isolate* isolate = info.GetIsolate();
  Local<Context> context = isolate->GetCurrentContext();
  Local<Object> result = Object::New(isolate);
  auto set = [&](const char* key, Local<Value> value) {
    result->Set(context, String::NewFromUtf8(isolate, key).ToLocalChecked(), value).Check();
  };
  auto str = [&](const char* text) { return String::NewFromUtf8(isolate, text).ToLocalChecked(); };
  set("clock", str(s->use_tsc ? "tsc" : "monotonic"));
  set("fastPath", str(!s->fast_enabled ? "off (exact reads)"
                      : s->saw_minor_mark_sweep ? "off (minor mark-sweep young generation)"
                      : s->stats_free_labs ? "new-space and old-space tops + live spaces"
                      : "new-space top + old-space area check + live spaces"));
  set("arrayBuffers", str(s->array_buffer_bytes ? "node allocator counter" : "external memory"));
  std::string spaces;
  for (int i = 0; i < s->live_space_count; i++) {
    HeapSpaceStatistics stats;
    isolate->GetHeapSpaceStatistics(&stats, size_t(s->live_spaces[i]));
    spaces += std::string(spaces.empty() ? "" : ", ") + stats.space_name() + (s->live_direct[i] ? " (size field)" : " (api)");
  }
  if (s->direct_turned_off) spaces += "; size fields turned off: they stopped agreeing with the api";
  set("liveSpaces", str(spaces.c_str()));
  set("exactReads", v8::Number::New(isolate, s->exact_reads));
  set("fastReads", v8::Number::New(isolate, s->fast_reads));
  info.GetReturnValue().Set(result);
}

// ---------------------------------------------------------------------------------------------
// GC callbacks.

void BeforeGc(Isolate* isolate, GCType type, GCCallbackFlags, void* data) {
  State* s = static_cast<State*>(data);
  if (type == GCType(1 << 1)) s->saw_minor_mark_sweep = true;
  if (s->gc_depth++ == 0) {
    s->used_before_gc = ExactUsedHeap(isolate);
    s->code_before_gc = CodeUsed(s);
    s->gc_type = type;
    if (s->sampler_values != nullptr) s->gc_start_mono_ns = double(MonotonicNs());
  }
}

void AfterGc(Isolate* isolate, GCType, GCCallbackFlags, void* data) {
  State* s = static_cast<State*>(data);
  s->gc_count += 1;
  if (s->gc_depth == 0) {  // no prologue seen (cannot happen with paired callbacks)
    s->fast_valid = false;
    return;
  }
  if (--s->gc_depth > 0) return;  // the outer collection accounts for the nested one
  double after = ExactUsedHeap(isolate);
  // What it freed of JIT code is not counted: that code's allocation was not either.
  s->freed_by_gc += (s->used_before_gc - after) - (s->code_before_gc - CodeUsed(s));
  if (s->sampler_values != nullptr) RecordGc(s, after);
  s->fast_valid = false;
  RefineClock(s);
}

// Incremental marking starts and weak-callback passes may give the allocation areas back too.
void AfterOtherHeapEvent(Isolate* isolate, GCType, GCCallbackFlags, void* data) {
  static_cast<State*>(data)->fast_valid = false;
}

void StopSampling(State* s);

void Cleanup(void* data) {
  State* s = static_cast<State*>(data);
  StopSampling(s);
  ReleaseProbes(s);
  s->isolate->RemoveGCPrologueCallback(BeforeGc, s);
  s->isolate->RemoveGCEpilogueCallback(AfterGc, s);
  s->isolate->RemoveGCEpilogueCallback(AfterOtherHeapEvent, s);
  s->buffer.Reset();
  delete s;
}

// ---------------------------------------------------------------------------------------------
// Sampler: the in-process logger (src/process/) samples the main thread's V8 heap from a worker
// thread, which keeps running while the main thread is busy in a long synchronous loop (where no
// timer of its own fires). The main thread calls startSampler(sharedBuffer); the worker then calls
// requestSample(), which asks the sampled isolate for a reading twice over: Isolate::RequestInterrupt
// (runs at V8's next interrupt check, even inside a tight JS loop) and a uv_async on its event loop
// (runs when the loop is idle, where no JS runs to check interrupts). The first to run writes the
// reading into the shared buffer; the worker waits a little for it. GC callbacks append each
// collection to a ring in the same buffer. Times are CLOCK_MONOTONIC ns, the clock of
// process.hrtime.bigint() in every thread.

enum SamplerSlot {
  kRequested = 0, kDone, kSampleTimeNs, kHeapUsed, kHeapTotal, kHeapExternal, kHeapArrayBuffers,
  kGcWritten, kGcHeaderEnd = 16
};
constexpr int kGcFields = 5;  // kind (1 minor, 2 major), start ns, duration ns, used before, used after
constexpr int kGcRing = 1024;
constexpr size_t kSamplerSlots = kGcHeaderEnd + kGcFields * kGcRing;

std::mutex sampler_mutex;
State* sampled = nullptr;  // guarded by sampler_mutex

void RecordGc(State* s, double after) {
  double* v = s->sampler_values;
  uint64_t written = uint64_t(v[kGcWritten]);
  double* entry = v + kGcHeaderEnd + (written % kGcRing) * kGcFields;
  entry[0] = s->gc_type == v8::kGCTypeMarkSweepCompact ? 2 : 1;
  entry[1] = s->gc_start_mono_ns;
  entry[2] = double(MonotonicNs()) - s->gc_start_mono_ns;
  entry[3] = s->used_before_gc;
  entry[4] = after;
  std::atomic_thread_fence(std::memory_order_release);
  v[kGcWritten] = double(written + 1);
}

// On the sampled isolate's thread.
void TakeSample(Isolate* isolate) {
  std::lock_guard<std::mutex> lock(sampler_mutex);
  State* s = sampled;
  if (s == nullptr || s->isolate != isolate) return;
  s->interrupt_pending.store(false);
  double* v = s->sampler_values;
  if (v[kDone] >= v[kRequested]) return;  // the other route was first
  double requested = v[kRequested];
  HeapStatistics stats;
  isolate->GetHeapStatistics(&stats);
  // V8 13 gave the allocation areas back for that call: the tracer's next readFast starts afresh.
  if (s->stats_free_labs) s->fast_valid = false;
  v[kSampleTimeNs] = double(MonotonicNs());
  v[kHeapUsed] = double(stats.used_heap_size());
  v[kHeapTotal] = double(stats.total_heap_size());
  v[kHeapExternal] = double(stats.external_memory());
  v[kHeapArrayBuffers] = s->array_buffer_bytes ? double(s->array_buffer_bytes->load(std::memory_order_relaxed))
                                               : double(stats.external_memory());
  std::atomic_thread_fence(std::memory_order_release);
  v[kDone] = requested;
}

void OnInterrupt(Isolate* isolate, void*) { TakeSample(isolate); }

void OnAsync(uv_async_t* handle) { TakeSample(static_cast<Isolate*>(handle->data)); }

// startSampler(sharedArrayBuffer): this isolate becomes the sampled one (one per process).
void StartSampler(const FunctionCallbackInfo<Value>& info) {
  State* s = StateOf(info);
  Isolate* isolate = info.GetIsolate();
  if (info.Length() < 1 || !info[0]->IsSharedArrayBuffer()) {
    isolate->ThrowException(v8::Exception::TypeError(String::NewFromUtf8Literal(isolate, "memtrace: startSampler() needs a SharedArrayBuffer")));
    return;
  }
  std::shared_ptr<BackingStore> store = info[0].As<v8::SharedArrayBuffer>()->GetBackingStore();
  if (store->ByteLength() < kSamplerSlots * sizeof(double)) {
    isolate->ThrowException(v8::Exception::RangeError(String::NewFromUtf8Literal(isolate, "memtrace: the sampler buffer is too small")));
    return;
  }
  std::lock_guard<std::mutex> lock(sampler_mutex);
  if (sampled != nullptr) {
    info.GetReturnValue().Set(false);
    return;
  }
  uv_loop_t* loop = node::GetCurrentEventLoop(isolate);
  if (loop == nullptr) {
    info.GetReturnValue().Set(false);
    return;
  }
  s->sampler_async = new uv_async_t;
  uv_async_init(loop, s->sampler_async, OnAsync);
  s->sampler_async->data = isolate;
  uv_unref(reinterpret_cast<uv_handle_t*>(s->sampler_async));  // never keeps the program alive
  s->sampler_store = std::move(store);
  s->sampler_values = static_cast<double*>(s->sampler_store->Data());
  sampled = s;
  info.GetReturnValue().Set(true);
}

void StopSampling(State* s) {
  std::lock_guard<std::mutex> lock(sampler_mutex);
  if (sampled != s) return;
  sampled = nullptr;
  s->sampler_values = nullptr;
  s->sampler_store.reset();
  uv_close(reinterpret_cast<uv_handle_t*>(s->sampler_async), [](uv_handle_t* handle) { delete reinterpret_cast<uv_async_t*>(handle); });
  s->sampler_async = nullptr;
}

void StopSampler(const FunctionCallbackInfo<Value>& info) { StopSampling(StateOf(info)); }

// requestSample(): from any thread; false when no isolate is being sampled.
void RequestSample(const FunctionCallbackInfo<Value>& info) {
  std::lock_guard<std::mutex> lock(sampler_mutex);
  State* s = sampled;
  if (s == nullptr) {
    info.GetReturnValue().Set(false);
    return;
  }
  s->sampler_values[kRequested] += 1;
  // One queued interrupt at a time: a main thread stuck in native code must not pile them up.
  if (!s->interrupt_pending.exchange(true)) s->isolate->RequestInterrupt(OnInterrupt, nullptr);
  uv_async_send(s->sampler_async);
  info.GetReturnValue().Set(true);
}

// ---------------------------------------------------------------------------------------------
// Setup checks.

// The LAB offsets hold what we expect: ordered pointers, and the new-space top moves by the size
// of an array allocated now.
bool LabLayoutLooksRight(Isolate* isolate) {
  HandleScope scope(isolate);
  for (int i = 0; i < 2; i++) {
    const Lab lab = Labs(isolate)[i];
    if (!(lab.start <= lab.top && lab.top <= lab.limit)) return false;
    if (lab.limit - lab.start > (uintptr_t(1) << 24)) return false;
  }
  for (int attempt = 0; attempt < 4; attempt++) {
    Local<Object> warm = Object::New(isolate);  // makes sure a new-space area exists
    const Lab before = Labs(isolate)[0];
    Local<v8::Array> array = v8::Array::New(isolate, 4);
    const Lab after = Labs(isolate)[0];
    (void)warm;
    (void)array;
    if (after.start == before.start && before.top != 0) {
      uintptr_t moved = after.top - before.top;
      return moved >= 16 && moved <= 256;
    }
  }
  return false;
}

// Node's ArrayBuffer allocator (NodeArrayBufferAllocator) counts the bytes it hands out in an
// atomic size_t right after its vtable pointer and a 32-bit flag (offset 16, Node 20) or right
// after the vtable pointer (offset 8, Node 24). Accept an offset only if it moves by exactly the
// size of two ArrayBuffers allocated now.
const std::atomic<size_t>* FindArrayBufferCounter(Isolate* isolate) {
  const char* allocator = reinterpret_cast<const char*>(isolate->GetArrayBufferAllocator());
  if (allocator == nullptr) return nullptr;
  for (size_t offset : {size_t(16), size_t(8)}) {
    auto counter = reinterpret_cast<const std::atomic<size_t>*>(allocator + offset);
    HandleScope scope(isolate);
    size_t before = counter->load();
    Local<ArrayBuffer> a = ArrayBuffer::New(isolate, 4096);
    size_t middle = counter->load();
    Local<ArrayBuffer> b = ArrayBuffer::New(isolate, 3 * 4096);
    size_t after = counter->load();
    (void)a;
    (void)b;
    if (middle - before == 4096 && after - middle == 3 * 4096 && before < (size_t(1) << 48)) return counter;
  }
  return nullptr;
}

// The spaces of V8's compiled code, which every figure leaves out (counters.h, CodeUsed).
void FindCodeSpaces(State* s) {
  Isolate* isolate = s->isolate;
  for (const char* name : {"code_space", "code_large_object_space", "trusted_space", "trusted_large_object_space"}) {
    size_t n = isolate->NumberOfHeapSpaces();
    for (size_t i = 0; i < n && s->code_space_count < 4; i++) {
      HeapSpaceStatistics stats;
      if (isolate->GetHeapSpaceStatistics(&stats, i) && strcmp(stats.space_name(), name) == 0) s->code_spaces[s->code_space_count++] = int(i);
    }
  }
}

void SetUpFastPath(State* s) {
  Isolate* isolate = s->isolate;
  s->fast_enabled = LabLayoutLooksRight(isolate);
  if (!s->fast_enabled) return;
  // Does a statistics call give the allocation areas back?
  {
    HandleScope scope(isolate);
    Local<Object> warm = Object::New(isolate);
    (void)warm;
    const Lab before = Labs(isolate)[0];
    ExactUsedHeap(isolate);
    const Lab after = Labs(isolate)[0];
    s->stats_free_labs = before.top != 0 && (after.top != before.top || after.start != before.start);
  }
  const char* always[] = {"new_large_object_space", "large_object_space"};  // not code space: counters.h
  auto add = [&](const char* name) {
    size_t n = isolate->NumberOfHeapSpaces();
    for (size_t i = 0; i < n && s->live_space_count < kMaxLiveSpaces; i++) {
      HeapSpaceStatistics stats;
      if (isolate->GetHeapSpaceStatistics(&stats, i) && strcmp(stats.space_name(), name) == 0)
        s->live_spaces[s->live_space_count++] = int(i);
    }
  };
  for (const char* name : always) add(name);
}

Local<v8::Function> MakeFunction(Local<Context> context, v8::FunctionCallback callback, State* s) {
  Isolate* isolate = context->GetIsolate();
  return FunctionTemplate::New(isolate, callback, External::New(isolate, s), Local<v8::Signature>(), 0,
                               v8::ConstructorBehavior::kThrow)
      ->GetFunction(context)
      .ToLocalChecked();
}

}  // namespace memtrace

NODE_MODULE_INIT(/* exports, module, context */) {
  using namespace memtrace;
  Isolate* isolate = context->GetIsolate();
  State* s = new State();
  s->isolate = isolate;
  s->values = s->scratch;
  StartClock(s);
  FindCodeSpaces(s);
  SetUpFastPath(s);
  s->array_buffer_bytes = FindArrayBufferCounter(isolate);
  isolate->AddGCPrologueCallback(BeforeGc, s, kCollections);
  isolate->AddGCEpilogueCallback(AfterGc, s, kCollections);
  isolate->AddGCEpilogueCallback(AfterOtherHeapEvent, s,
                                 GCType(v8::kGCTypeIncrementalMarking | v8::kGCTypeProcessWeakCallbacks));
  node::AddEnvironmentCleanupHook(isolate, Cleanup, s);

  struct Entry {
    const char* name;
    v8::FunctionCallback callback;
  };
  const Entry entries[] = {{"init", Init},         {"read", Read},       {"readFast", ReadFast},
                           {"readTime", ReadTime}, {"readRss", ReadRss}, {"readExternal", ReadExternal},
                           {"info", Info},           {"findSpaceFields", FindSpaceFields},
                           {"startSampler", StartSampler}, {"stopSampler", StopSampler},
                           {"requestSample", RequestSample}};
  for (const Entry& entry : entries) {
    exports->Set(context, String::NewFromUtf8(isolate, entry.name).ToLocalChecked(), MakeFunction(context, entry.callback, s))
        .Check();
  }
  AddProbeFunctions(context, exports, s);
  AddNativeMemoryFunctions(context, exports, s);
  AddFormatFunctions(context, exports, s);
  AddOomWatchFunctions(context, exports, s);
}
