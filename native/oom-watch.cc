// The OOM watch (`memtrace run --oom-report`, src/oom/): tells JS, at a point where JS may run, that
// the process is about to die of memory, so that memtrace writes what it knows first.
//
// V8 calls a NearHeapLimitCallback when it would otherwise give up ("Reached heap limit"), after its
// last-resort GCs and outside of any GC. No JS may run there, so the callback raises the old
// generation's limit by `headroom` bytes (as Node's own --heapsnapshot-near-heap-limit does) and asks
// for an interrupt; V8 runs interrupts at the next stack check of running JS (a function entry or a
// loop's back edge), where the JS callback is called like any function. Once that callback has run,
// the next near-limit call gives no more room and V8 ends the process as it would have. Should the
// program use up the headroom before any stack check (one huge allocation in native code), or the
// report itself reach the limit, the limit is raised once more; a third time the process dies, with
// one line saying so where the report had not been written.
//
// The cgroup limit: a thread of the watch reads the process's RSS every 10 ms (a pread of a kept-open
// /proc/self/statm, ~1.5 us: 0.015 % of one core) and compares it with `rssLimit` (90 % of the
// cgroup's limit, found by JS); over it, the same interrupt runs. A check after each GC was not enough:
// Node 24's young generation (3 x 64 MiB) lets the RSS grow by tens of MiB between two GCs.
//
// One watched isolate per process (the main thread's), as the sampler's.

#include "counters.h"

#include <chrono>
#include <condition_variable>
#include <thread>

namespace memtrace {

namespace {

struct OomWatch {
  Isolate* isolate = nullptr;
  Global<v8::Function> callback;
  Global<Context> context;
  size_t headroom = 0;
  double rss_limit = 0;  // bytes; 0: not watched
  std::thread rss_thread;
  std::mutex rss_mutex;
  std::condition_variable rss_stop;
  bool stopping = false;
  int raises = 0;
  std::atomic<bool> requested{false};  // the interrupt is asked for (once)
  bool started = false;                // the JS callback was called
  bool done = false;                   // and returned: the next near-limit call gives no more room
  // What fired it, for the callback's arguments.
  const char* trigger = "";
  double figure = 0;  // heap limit before the raise, or the RSS read
  double limit = 0;   // the raised heap limit, or the RSS limit
};

OomWatch* watched = nullptr;

void OnWatchInterrupt(Isolate* isolate, void* data) {
  OomWatch* w = static_cast<OomWatch*>(data);
  if (w != watched || w->started) return;
  w->started = true;
  HandleScope scope(isolate);
  Local<Context> context = w->context.Get(isolate);
  Context::Scope context_scope(context);
  v8::TryCatch try_catch(isolate);  // the JS side reports its own failures; nothing may escape here
  Local<Value> args[] = {String::NewFromUtf8(isolate, w->trigger).ToLocalChecked(),
                         v8::Number::New(isolate, w->figure), v8::Number::New(isolate, w->limit)};
  (void)w->callback.Get(isolate)->Call(context, v8::Undefined(isolate), 3, args);
  w->done = true;
}

void Fire(OomWatch* w, const char* trigger, double figure, double limit) {
  if (w->requested.exchange(true)) return;
  w->trigger = trigger;
  w->figure = figure;
  w->limit = limit;
  w->isolate->RequestInterrupt(OnWatchInterrupt, w);
}

size_t NearHeapLimit(void* data, size_t current_limit, size_t initial_limit) {
  OomWatch* w = static_cast<OomWatch*>(data);
  // While the report is being written (started, not done) the limit may be raised a second time.
  if (w != watched || w->done || w->raises >= 2) {
    if (w == watched && !w->done && w->raises >= 2) {
      static const char line[] = "memtrace: the heap ran out before the OOM report could be written\n";
      ssize_t written = write(2, line, sizeof(line) - 1);
      (void)written;
    }
    return current_limit;  // V8 ends the process, as it would have without memtrace
  }
  w->raises += 1;
  size_t raised = current_limit + w->headroom;
  Fire(w, "heap-limit", double(current_limit), double(raised));
  return raised;
}

constexpr auto kRssInterval = std::chrono::milliseconds(10);

void WatchRss(OomWatch* w) {
  std::unique_lock<std::mutex> lock(w->rss_mutex);
  while (!w->rss_stop.wait_for(lock, kRssInterval, [w] { return w->stopping; })) {
    if (w->requested.load()) return;
    double rss = ReadRssBytes();
    if (rss > w->rss_limit) Fire(w, "cgroup", rss, w->rss_limit);
  }
}

void StopWatch(Isolate* isolate) {
  OomWatch* w = watched;
  if (w == nullptr || w->isolate != isolate) return;
  watched = nullptr;
  isolate->RemoveNearHeapLimitCallback(NearHeapLimit, 0);
  if (w->rss_thread.joinable()) {
    {
      std::lock_guard<std::mutex> lock(w->rss_mutex);
      w->stopping = true;
    }
    w->rss_stop.notify_all();
    w->rss_thread.join();
  }
  w->callback.Reset();
  w->context.Reset();
  // An interrupt may still be queued with w: it is left allocated (one small struct per process).
}

void CleanupWatch(void* data) { StopWatch(static_cast<Isolate*>(data)); }

// watchHeapLimit(callback, headroomBytes, rssLimitBytes): callback(trigger, figure, limit) runs once,
// from an interrupt, when the heap nears V8's limit ('heap-limit': the limit before and after the
// raise) or the RSS passes rssLimitBytes ('cgroup': the RSS and the limit). False when
// another isolate of the process is watched already.
void WatchHeapLimit(const FunctionCallbackInfo<Value>& info) {
  Isolate* isolate = info.GetIsolate();
  if (info.Length() < 3 || !info[0]->IsFunction() || !info[1]->IsNumber() || !info[2]->IsNumber()) {
    isolate->ThrowException(v8::Exception::TypeError(String::NewFromUtf8Literal(
        isolate, "memtrace: watchHeapLimit(callback, headroomBytes, rssLimitBytes)")));
    return;
  }
  if (watched != nullptr) {
    info.GetReturnValue().Set(false);
    return;
  }
  OomWatch* w = new OomWatch();
  w->isolate = isolate;
  w->callback.Reset(isolate, info[0].As<v8::Function>());
  w->context.Reset(isolate, isolate->GetCurrentContext());
  w->headroom = size_t(info[1].As<v8::Number>()->Value());
  w->rss_limit = info[2].As<v8::Number>()->Value();
  watched = w;
  isolate->AddNearHeapLimitCallback(NearHeapLimit, w);
  if (w->rss_limit > 0) w->rss_thread = std::thread(WatchRss, w);
  node::AddEnvironmentCleanupHook(isolate, CleanupWatch, isolate);
  info.GetReturnValue().Set(true);
}

// unwatchHeapLimit(): stops watching this isolate.
void UnwatchHeapLimit(const FunctionCallbackInfo<Value>& info) {
  Isolate* isolate = info.GetIsolate();
  if (watched != nullptr && watched->isolate == isolate) node::RemoveEnvironmentCleanupHook(isolate, CleanupWatch, isolate);
  StopWatch(isolate);
}

}  // namespace

void AddOomWatchFunctions(Local<Context> context, Local<Object> exports, State* s) {
  Isolate* isolate = context->GetIsolate();
  exports->Set(context, String::NewFromUtf8Literal(isolate, "watchHeapLimit"), MakeFunction(context, WatchHeapLimit, s)).Check();
  exports->Set(context, String::NewFromUtf8Literal(isolate, "unwatchHeapLimit"), MakeFunction(context, UnwatchHeapLimit, s)).Check();
}

}  // namespace memtrace
