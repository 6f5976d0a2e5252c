// The addon's side of `memtrace run --native`: the allocation tracker (native/preload/, loaded with
// LD_PRELOAD) exports a few functions, found here with dlsym; where it is not loaded every call is a
// no-op. The runtime (src/runtime/native-memory.ts) uses them to move the tracker's file into the
// trace directory, name JS function ids, mark the end of the program and keep memtrace's own writer
// thread out of the record; BindProbes hands the tracker the main thread's shadow stack.
//
//   nativeMemoryRecording() -> whether the tracker records this process
//   nativeMemoryAttach(path) -> 0, or the errno of moving the tracker's file to `path`
//   nativeMemoryFunction(id, name, file, line, column)
//   nativeMemoryExit()          what the tracker holds now is live at exit
//   nativeMemoryFlush()         write out the tracker's buffer
//   nativeMemoryIgnoreThread(ignore = true)  whether this thread's allocations are memtrace's own
//   nativeMemoryPoolQueued() -> token   a threadpool request was queued now, on this thread
//   nativeMemoryPoolDone(token)         that request has ended

#include "counters.h"

#include <dlfcn.h>

namespace memtrace {

namespace {

struct Tracker {
  int (*recording)() = nullptr;
  int (*attach)(const char*) = nullptr;
  void (*function)(int32_t, const char*, uint32_t, const char*, uint32_t, uint32_t, uint32_t) = nullptr;
  void (*exit)() = nullptr;
  void (*flush)() = nullptr;
  void (*ignore_thread)(int) = nullptr;
  void (*bind_js)(const int32_t*, const int32_t*, uint32_t, const double*, uint32_t, uint32_t) = nullptr;
  int32_t (*pool_queued)() = nullptr;
  void (*pool_done)(int32_t) = nullptr;
};

const Tracker& TheTracker() {
  static const Tracker tracker = [] {
    Tracker t;
    t.recording = reinterpret_cast<int (*)()>(dlsym(RTLD_DEFAULT, "memtrace_native_recording"));
    t.attach = reinterpret_cast<int (*)(const char*)>(dlsym(RTLD_DEFAULT, "memtrace_native_attach"));
    t.function = reinterpret_cast<decltype(t.function)>(dlsym(RTLD_DEFAULT, "memtrace_native_function"));
    t.exit = reinterpret_cast<void (*)()>(dlsym(RTLD_DEFAULT, "memtrace_native_exit"));
    t.flush = reinterpret_cast<void (*)()>(dlsym(RTLD_DEFAULT, "memtrace_native_flush"));
    t.ignore_thread = reinterpret_cast<void (*)(int)>(dlsym(RTLD_DEFAULT, "memtrace_native_ignore_thread"));
    t.bind_js = reinterpret_cast<decltype(t.bind_js)>(dlsym(RTLD_DEFAULT, "memtrace_native_bind_js"));
    t.pool_queued = reinterpret_cast<int32_t (*)()>(dlsym(RTLD_DEFAULT, "memtrace_native_pool_queued"));
    t.pool_done = reinterpret_cast<void (*)(int32_t)>(dlsym(RTLD_DEFAULT, "memtrace_native_pool_done"));
    if (!t.recording || !t.attach || !t.function || !t.exit || !t.flush || !t.ignore_thread || !t.bind_js || !t.pool_queued ||
        !t.pool_done)
      return Tracker();
    return t;
  }();
  return tracker;
}

bool Recording() {
  const Tracker& t = TheTracker();
  return t.recording && t.recording();
}

void NativeMemoryRecording(const FunctionCallbackInfo<Value>& info) { info.GetReturnValue().Set(Recording()); }

void NativeMemoryAttach(const FunctionCallbackInfo<Value>& info) {
  if (!Recording() || info.Length() < 1 || !info[0]->IsString()) {
    info.GetReturnValue().Set(-1);
    return;
  }
  char path[4096];
  Local<String> text = info[0].As<String>();
  if (text->Utf8Length(info.GetIsolate()) >= int(sizeof path)) {
    info.GetReturnValue().Set(-1);
    return;
  }
  text->WriteUtf8(info.GetIsolate(), path, sizeof path);
  info.GetReturnValue().Set(TheTracker().attach(path));
}

// Strings are copied into stack buffers: nothing here goes through malloc, so nothing is recorded.
void NativeMemoryFunction(const FunctionCallbackInfo<Value>& info) {
  if (!Recording() || info.Length() < 5 || !info[1]->IsString() || !info[2]->IsString()) return;
  Isolate* isolate = info.GetIsolate();
  Local<Context> context = isolate->GetCurrentContext();
  char name[1024];
  char file[3072];
  int name_bytes = info[1].As<String>()->WriteUtf8(isolate, name, sizeof name, nullptr, String::NO_NULL_TERMINATION | String::REPLACE_INVALID_UTF8);
  int file_bytes = info[2].As<String>()->WriteUtf8(isolate, file, sizeof file, nullptr, String::NO_NULL_TERMINATION | String::REPLACE_INVALID_UTF8);
  int32_t id = info[0]->Int32Value(context).FromMaybe(-1);
  uint32_t line = info[3]->Uint32Value(context).FromMaybe(0);
  uint32_t column = info[4]->Uint32Value(context).FromMaybe(0);
  TheTracker().function(id, name, uint32_t(name_bytes), file, uint32_t(file_bytes), line, column);
}

void NativeMemoryExit(const FunctionCallbackInfo<Value>& info) {
  if (TheTracker().exit) TheTracker().exit();
}

void NativeMemoryFlush(const FunctionCallbackInfo<Value>& info) {
  if (TheTracker().flush) TheTracker().flush();
}

void NativeMemoryIgnoreThread(const FunctionCallbackInfo<Value>& info) {
  if (TheTracker().ignore_thread) TheTracker().ignore_thread(info.Length() < 1 || info[0]->BooleanValue(info.GetIsolate()));
}

void NativeMemoryPoolQueued(const FunctionCallbackInfo<Value>& info) {
  if (TheTracker().pool_queued) info.GetReturnValue().Set(TheTracker().pool_queued());
}

void NativeMemoryPoolDone(const FunctionCallbackInfo<Value>& info) {
  if (!TheTracker().pool_done || info.Length() < 1 || !info[0]->IsInt32()) return;
  TheTracker().pool_done(info[0].As<v8::Int32>()->Value());
}

}  // namespace

void BindNativeMemory(const int32_t* depth, const int32_t* stack, size_t stack_length, const double* frames, size_t frames_length,
                      size_t frame_stride) {
  const Tracker& t = TheTracker();
  if (t.bind_js) t.bind_js(depth, stack, uint32_t(stack_length), frames, uint32_t(frames_length), uint32_t(frame_stride));
}

void AddNativeMemoryFunctions(Local<Context> context, Local<Object> exports, State* s) {
  Isolate* isolate = context->GetIsolate();
  struct Entry {
    const char* name;
    v8::FunctionCallback callback;
  };
  const Entry entries[] = {{"nativeMemoryRecording", NativeMemoryRecording}, {"nativeMemoryAttach", NativeMemoryAttach},
                           {"nativeMemoryFunction", NativeMemoryFunction},   {"nativeMemoryExit", NativeMemoryExit},
                           {"nativeMemoryFlush", NativeMemoryFlush},
                           {"nativeMemoryIgnoreThread", NativeMemoryIgnoreThread},
                           {"nativeMemoryPoolQueued", NativeMemoryPoolQueued},
                           {"nativeMemoryPoolDone", NativeMemoryPoolDone}};
  for (const Entry& entry : entries) {
    exports->Set(context, String::NewFromUtf8(isolate, entry.name).ToLocalChecked(), MakeFunction(context, entry.callback, s))
        .Check();
  }
}

}  // namespace memtrace
