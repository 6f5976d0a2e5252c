/*
 * memtrace's native allocation tracker: a library that `memtrace run --native` loads with LD_PRELOAD
 * into the traced process and its children (Linux, glibc). It interposes malloc, calloc, realloc,
 * reallocarray, free, posix_memalign, aligned_alloc, memalign, valloc and pvalloc, samples them by
 * bytes and appends binary records to a file that memtrace turns into native-allocations.csv and
 * native-stacks.csv after the run (src/native/). The record layout is native/preload/records.h (generated from src/shared/layouts.spec.js), which
 * src/formats/native-raw.ts mirrors. This file: the hooks, the sampling, start, fork and exit, and the
 * calls memtrace's addon makes; output.c: the record buffer; tables.c: stacks and live blocks.
 *
 * Contracts:
 * - Not recording (MEMTRACE_NATIVE_DIR absent): every hook is the glibc function plus one load and
 *   one branch. The real functions are glibc's exported __libc_* entry points, so there is no dlsym
 *   (and no dlsym-calls-calloc bootstrap problem) at all.
 * - Sampling by bytes (tcmalloc's and V8's scheme): each thread counts down a random number of bytes
 *   drawn from an exponential distribution of mean `interval`; the allocation that crosses zero is
 *   sampled. An allocation of s bytes is then sampled with probability p = 1 - exp(-s/interval), and
 *   a sample stands for s/p bytes and 1/p allocations: unbiased estimates. Interval 0: every
 *   allocation, weight s.
 * - Sampled blocks live in a hash table (mmap'd, buckets of four with a lock each; lookups of blocks
 *   that were not sampled, nearly every free, take no lock), so a free or realloc of a sampled block
 *   is matched and live bytes are right. A block leaves the table before glibc frees it, so a
 *   reused address is never confused with the old block.
 * - Re-entrant: a thread-local guard; anything the hook itself calls (the unwinder, write) is never
 *   recorded. No malloc of its own: tables and the output buffer are mmap'd.
 * - Thread-safe: per-thread countdowns, bucket locks, one spinlock for the stack table and another
 *   for the output buffer.
 * - Fork-safe: the child of a fork starts its own file (native-<pid>.raw) with fresh tables.
 * - Output: whole records appended through a 1 MiB buffer, written with write(2) when full, at least
 *   every 100 ms of sampling, and at exit; a process killed mid-run keeps every record written before.
 * - Stacks: _Unwind_Backtrace from libgcc_s (DWARF CFI) for the innermost frames, until a frame
 *   that keeps a frame pointer, or the last one it reached; then the frame-pointer chain, through
 *   V8's JIT frames too. Symbols: dladdr at exit, outside any malloc, for every frame
 *   address seen.
 * - JS attribution: memtrace's addon hands the main thread's shadow stack (the probes' typed arrays)
 *   to memtrace_native_bind_js; a sample on that thread reads the running measured function's id. A
 *   sample on another thread reads the threadpool's owner (below), when there is one.
 */
#include "tracker.h"

/* ---- state ------------------------------------------------------------------------------------ */

/** Nonzero while recording: the one word a process that is not recorded reads per call. */
static int recording;
static double interval;          /* mean bytes between samples; 0: every allocation */
static char out_dir[3072];       /* MEMTRACE_NATIVE_DIR: where each process starts its file */
static char out_path[4096];      /* the file now (memtrace_native_attach moves it) */
static atomic_int exited;

__thread struct thread_state self __attribute__((tls_model("initial-exec")));

/* ---- sampling --------------------------------------------------------------------------------- */

static uint64_t next_random(struct thread_state* t) { /* xorshift64* */
  t->rng ^= t->rng >> 12;
  t->rng ^= t->rng << 25;
  t->rng ^= t->rng >> 27;
  return t->rng * 0x2545f4914f6cdd1dULL;
}

static int64_t draw_countdown(struct thread_state* t) {
  if (interval <= 0) return 0;
  double u = ((double)(next_random(t) >> 11) + 1.0) * (1.0 / 9007199254740993.0); /* in (0, 1] */
  return (int64_t)(-log(u) * interval) + 1;
}

static void find_stack(struct thread_state* t);

static void start_thread(struct thread_state* t) {
  t->started = 1;
  t->tid = (uint32_t)syscall(SYS_gettid);
  t->rng = mix((uint64_t)t->tid * 0x9e3779b97f4a7c15ULL ^ (uint64_t)now_ns() ^ (uint64_t)(uintptr_t)t);
  if (!t->rng) t->rng = 1;
  t->countdown = draw_countdown(t);
  find_stack(t);
}

/** The main thread's id, and whether memtrace's probes have bound its shadow stack yet. */
static uint32_t main_tid;
static int js_bound;

/** The measured JS function running on this thread (its id in memtrace's function table), or
 * FUNCTION_NONE, or FUNCTION_START_UP on the main thread before memtrace's runtime bound. */
static int32_t js_function(const struct thread_state* t) {
  if (!t->js_depth) return t->tid == main_tid && !js_bound ? FUNCTION_START_UP : FUNCTION_NONE;
  int32_t depth = *t->js_depth;
  if (depth <= 0 || (uint32_t)depth > t->js_stack_length) return -1;
  int32_t slot = t->js_stack[depth - 1];
  uint64_t at = (uint64_t)slot * t->js_frame_stride;
  if (slot < 0 || at >= t->js_frames_length) return -1;
  return (int32_t)t->js_frames[at];
}

/*
 * The threadpool's owner. memtrace's runtime (src/runtime/native-pool.ts) reports each request of
 * Node's that JS queues for libuv's threadpool (async_hooks init: fs, dns, zlib, crypto jobs) and its
 * end (the request's first before, or its destroy): memtrace_native_pool_queued/_done. While every
 * request in flight was queued by one measured JS function, a sample on a thread other than the main
 * one carries that function; the conversion keeps it on libuv's pool threads only (by their name), and
 * not where the stack runs through an addon (an addon's async work is not reported), so V8's threads
 * and workers' allocations stay unattributed. Requests queued by a worker thread, or with no measured
 * function running, count as owners too (FUNCTION_NONE, FUNCTION_START_UP): then nothing is
 * attributed. A few owners at once at most, in a small table under one lock (a request costs
 * microseconds; this costs tens of nanoseconds).
 */
#define POOL_OWNERS 64
#define POOL_LOST INT32_MIN     /* the owners' table was full: this request's owner is unknown */
static struct {
  int32_t owner;
  uint32_t count;
} pool_owners[POOL_OWNERS];
static uint32_t pool_lost;
static atomic_uint pool_lock;
static _Atomic int32_t pool_sole = FUNCTION_NONE;

/** The one owner of every request in flight, when it is a measured JS function; else FUNCTION_NONE. */
static inline int32_t pool_owner(void) { return atomic_load_explicit(&pool_sole, memory_order_relaxed); }

/** Under pool_lock: who owns every request in flight now. */
static void pool_settle(void) {
  int32_t sole = FUNCTION_NONE;
  int owners = 0;
  for (int i = 0; i < POOL_OWNERS; i++) {
    if (!pool_owners[i].count) continue;
    owners++;
    sole = pool_owners[i].owner;
  }
  atomic_store_explicit(&pool_sole, owners == 1 && !pool_lost && sole >= 0 ? sole : FUNCTION_NONE, memory_order_relaxed);
}

/*
 * Stacks: libgcc's DWARF unwinder (_Unwind_Backtrace) for the innermost frames, which may keep no
 * frame pointer (glibc, libstdc++'s operator new), until two frames in a row agree with a frame record
 * (x86-64 and arm64 lay it out alike: [fp] = the caller's fp, [fp + 8] = the return address). From
 * there the frame-pointer chain is followed,
 * ~100 times cheaper a frame than interpreting CFI (node's own code, V8's and its JIT frames keep frame
 * pointers), reading only within this thread's stack and only upwards, so a broken chain ends the walk
 * instead of faulting. A function above that point that keeps no frame pointer is left out of the stack
 * (its caller's record follows on), which the DWARF unwinder would have shown.
 */
#if defined(__x86_64__)
#define FRAME_POINTER_REGISTER 6
#elif defined(__aarch64__)
#define FRAME_POINTER_REGISTER 29
#endif

/*
 * A return address as saved in a frame record. arm64 code built with return-address signing
 * (-mbranch-protection) saves it with a pointer authentication code in the bits above the virtual
 * address; those bits are cleared (user addresses on Linux fit in 48 bits).
 */
static inline uintptr_t saved_return_address(uintptr_t saved) {
#if defined(__aarch64__)
  return saved & (((uintptr_t)1 << 48) - 1);
#else
  return saved;
#endif
}

struct unwind_state {
  uint64_t* frames;
  int count;
  int skip;
  uintptr_t stack_low, stack_high; /* where a frame pointer may point: this thread's stack */
  uintptr_t previous_fp;           /* the frame pointer register in the frame before */
  uintptr_t frame_pointer;         /* where the frame-pointer walk starts (0: none) */
};

static _Unwind_Reason_Code unwind_step(struct _Unwind_Context* context, void* arg) {
  struct unwind_state* s = arg;
  uintptr_t ip = _Unwind_GetIP(context);
  if (!ip) return _URC_END_OF_STACK;
  if (s->skip > 0) {
    s->skip--;
#ifdef FRAME_POINTER_REGISTER
    s->previous_fp = _Unwind_GetGR(context, FRAME_POINTER_REGISTER);
#endif
    return _URC_NO_REASON;
  }
  s->frames[s->count++] = ip;
  if (s->count == MAX_FRAMES) return _URC_END_OF_STACK;
#ifdef FRAME_POINTER_REGISTER
  /* The frame before kept a frame record ([fp] = this frame's fp, [fp + 8] = this frame's return
   * address) when both agree with what the unwinder found: from here on, the chain is followed. */
  uintptr_t fp = _Unwind_GetGR(context, FRAME_POINTER_REGISTER);
  uintptr_t before = s->previous_fp;
  s->previous_fp = fp;
  if (before >= s->stack_low && before + 16 <= s->stack_high && (before & 7) == 0) {
    const uintptr_t* record = (const uintptr_t*)before;
    if (saved_return_address(record[1]) == ip && record[0] == fp && fp > before) {
      s->frame_pointer = fp;
      return _URC_END_OF_STACK;
    }
  }
#endif
  return _URC_NO_REASON;
}

/** This thread's stack, [low, high): where a frame pointer may point. */
static void find_stack(struct thread_state* t) {
  pthread_attr_t attributes;
  void* low;
  size_t size;
  t->stack_high = 0;
  if (pthread_getattr_np(pthread_self(), &attributes) != 0) return;
  if (pthread_attr_getstack(&attributes, &low, &size) == 0) t->stack_high = (uintptr_t)low + size;
  pthread_attr_destroy(&attributes);
}

/** Follows the frame-pointer chain from `fp` (the frame whose return address is the last one taken). */
static void walk_frame_pointers(struct unwind_state* s, uintptr_t fp) {
  while (s->count < MAX_FRAMES && fp >= s->stack_low && fp + 16 <= s->stack_high && (fp & 7) == 0) {
    const uintptr_t* record = (const uintptr_t*)fp;
    uintptr_t next = record[0], ret = saved_return_address(record[1]);
    if (!ret) break;
    s->frames[s->count++] = ret;
    if (next <= fp) break;
    fp = next;
  }
}

/** Called when this thread's countdown reached zero within an allocation of `size` bytes at `p`. */
__attribute__((noinline)) static void sample(void* p, size_t size) {
  struct thread_state* t = &self;
  t->guard = 1;
  if (!t->started) {
    /* A thread's first allocation only starts its countdown (and is sampled if it crosses it). */
    start_thread(t);
    if ((t->countdown -= (int64_t)size) > 0) {
      t->guard = 0;
      return;
    }
  }
  struct block b;
  if (interval > 0) {
    double p_sampled = -expm1(-(double)size / interval);
    b.weight = p_sampled > 0 ? (double)size / p_sampled : interval;
  } else {
    b.weight = (double)size;
  }
  t->countdown = draw_countdown(t);
  uint64_t frames[MAX_FRAMES];
  /* Skip sample() and the hook; no frame-pointer walk where the stack's bounds are unknown. */
  struct unwind_state unwind = {frames, 0, 2, (uintptr_t)__builtin_frame_address(0), t->stack_high, 0, 0};
  _Unwind_Backtrace(unwind_step, &unwind);
  /* Where the DWARF unwinder stopped before a frame record agreed (in Node's official arm64
   * binary), the chain goes on from the last frame's frame pointer: its record holds the next return
   * address. */
  uintptr_t chain = unwind.frame_pointer ? unwind.frame_pointer : unwind.previous_fp;
  if (chain) walk_frame_pointers(&unwind, chain);
  b.size = size;
  b.stack = intern_stack(frames, unwind.count);
  b.function = t->tid == main_tid ? js_function(t) : pool_owner();
  b.tid = t->tid;
  uint32_t flags = insert_block((uint64_t)(uintptr_t)p, &b) ? 0 : ALLOC_UNTRACKED;
  struct block_record record = {b.stack, b.function, b.tid, flags, b.size, b.weight};
  emit(RECORD_ALLOC, &record, sizeof record, NULL, 0);
  t->guard = 0;
}

static inline void note_alloc(void* p, size_t size) {
  struct thread_state* t = &self;
  if (t->guard || !p) return;
  if ((t->countdown -= (int64_t)size) > 0) return;
  sample(p, size);
}

static void record_free(uint64_t address) {
  struct block b;
  if (!take_block(address, &b)) return;
  struct block_record record = {b.stack, b.function, b.tid, 0, b.size, b.weight};
  emit(RECORD_FREE, &record, sizeof record, NULL, 0);
}

static inline void note_free(void* p) {
  if (!p || self.guard) return;
  self.guard = 1;
  record_free((uint64_t)(uintptr_t)p);
  self.guard = 0;
}

/* ---- the interposed functions ----------------------------------------------------------------- */

EXPORT void* malloc(size_t size) {
  void* p = __libc_malloc(size);
  if (UNLIKELY(recording)) note_alloc(p, size);
  return p;
}

EXPORT void free(void* p) {
  if (UNLIKELY(recording)) note_free(p);
  __libc_free(p);
}

EXPORT void* calloc(size_t count, size_t size) {
  void* p = __libc_calloc(count, size);
  if (UNLIKELY(recording)) note_alloc(p, count * size); /* no overflow: calloc returned null then */
  return p;
}

EXPORT void* realloc(void* old, size_t size) {
  if (LIKELY(!recording) || self.guard) return __libc_realloc(old, size);
  /* The old block leaves the table first: once glibc has it back, another thread may get its address. */
  struct block b;
  int had = 0;
  if (old) {
    self.guard = 1;
    had = take_block((uint64_t)(uintptr_t)old, &b);
    self.guard = 0;
  }
  void* p = __libc_realloc(old, size);
  if (!p && size != 0) {
    if (had) insert_block((uint64_t)(uintptr_t)old, &b); /* failed: the old block is still live */
    return p;
  }
  if (had) {
    self.guard = 1;
    struct block_record record = {b.stack, b.function, b.tid, 0, b.size, b.weight};
    emit(RECORD_FREE, &record, sizeof record, NULL, 0);
    self.guard = 0;
  }
  note_alloc(p, size);
  return p;
}

EXPORT void* reallocarray(void* old, size_t count, size_t size) {
  size_t bytes;
  if (__builtin_mul_overflow(count, size, &bytes)) {
    errno = ENOMEM;
    return NULL;
  }
  return realloc(old, bytes);
}

EXPORT void* memalign(size_t alignment, size_t size) {
  void* p = __libc_memalign(alignment, size);
  if (UNLIKELY(recording)) note_alloc(p, size);
  return p;
}

EXPORT void* aligned_alloc(size_t alignment, size_t size) {
  void* p = __libc_memalign(alignment, size);
  if (UNLIKELY(recording)) note_alloc(p, size);
  return p;
}

EXPORT int posix_memalign(void** result, size_t alignment, size_t size) {
  if (alignment % sizeof(void*) != 0 || (alignment & (alignment - 1)) != 0 || alignment == 0) return EINVAL;
  void* p = __libc_memalign(alignment, size);
  if (!p) return ENOMEM;
  if (UNLIKELY(recording)) note_alloc(p, size);
  *result = p;
  return 0;
}

EXPORT void* valloc(size_t size) {
  void* p = __libc_valloc(size);
  if (UNLIKELY(recording)) note_alloc(p, size);
  return p;
}

EXPORT void* pvalloc(size_t size) {
  void* p = __libc_pvalloc(size);
  if (UNLIKELY(recording)) note_alloc(p, size);
  return p;
}

/* ---- start, fork, exit ------------------------------------------------------------------------ */

static size_t format_path(char* into, size_t capacity, const char* dir, const char* name, long number, const char* suffix) {
  int n = snprintf(into, capacity, "%s/%s%ld%s", dir, name, number, suffix); /* snprintf of %s/%ld does not malloc */
  return n > 0 && (size_t)n < capacity ? (size_t)n : 0;
}

static int open_output(void) {
  if (!format_path(out_path, sizeof out_path, out_dir, "native-", (long)getpid(), ".raw")) return 0;
  output_fd = open(out_path, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);
  if (output_fd < 0) return 0;
  struct start_record start = {RAW_MAGIC, RAW_VERSION, (uint32_t)getpid(), (uint32_t)getppid(), 0, interval};
  emit(RECORD_START, &start, sizeof start, NULL, 0);
  struct stack_record none = {0, 0};
  emit(RECORD_STACK, &none, sizeof none, NULL, 0);
  return 1;
}

static void after_fork_in_child(void) {
  /* The parent's tables and unwritten records are the parent's: start afresh for this pid. */
  int was = recording;
  recording = 0;
  output_forget();
  if (output_fd >= 0) close(output_fd);
  output_fd = -1;
  tables_forget();
  main_tid = (uint32_t)getpid(); /* the forking thread is the child's only thread */
  js_bound = 0;
  memset(pool_owners, 0, sizeof pool_owners); /* the parent's requests are not the child's */
  pool_lost = 0;
  atomic_store(&pool_lock, 0);
  atomic_store(&pool_sole, FUNCTION_NONE);
  self.started = 0;
  self.js_depth = NULL;
  self.guard = 0;
  atomic_store(&exited, 0);
  if (was && open_output()) recording = 1;
}

static void before_fork(void) { output_lock(); }
static void after_fork_in_parent(void) { output_unlock(); }

static uint64_t parse_bytes(const char* text, uint64_t fallback) {
  if (!text || !*text) return fallback;
  uint64_t value = 0;
  for (const char* c = text; *c; c++) {
    if (*c < '0' || *c > '9') return fallback;
    value = value * 10 + (uint64_t)(*c - '0');
  }
  return value;
}

__attribute__((constructor)) static void start(void) {
  const char* dir = getenv("MEMTRACE_NATIVE_DIR");
  if (!dir || !*dir || strlen(dir) >= sizeof out_dir) return;
  strcpy(out_dir, dir);
  main_tid = (uint32_t)getpid();
  interval = (double)parse_bytes(getenv("MEMTRACE_NATIVE_INTERVAL"), 256 * 1024);
  self.guard = 1;
  if (tables_init(interval <= 0) && output_init() && open_output()) {
    pthread_atfork(before_fork, after_fork_in_parent, after_fork_in_child);
    recording = 1;
  } else {
    /* One line, so a run that records nothing says why (memtrace run creates the directory first). */
    char line[sizeof out_path + 128];
    int n = snprintf(line, sizeof line, "memtrace: --native: cannot record this process (pid %ld) into %s (errno %d)\n", (long)getpid(), out_dir, errno);
    if (n > 0) (void)!write(2, line, (size_t)n < sizeof line ? (size_t)n : sizeof line - 1);
  }
  self.guard = 0;
}

/** The names of the threads still running (/proc/self/task/TID/comm): libuv's, V8's, workers. */
static void write_threads(void) {
  DIR* tasks = opendir("/proc/self/task");
  if (!tasks) return;
  for (struct dirent* entry; (entry = readdir(tasks));) {
    long tid = strtol(entry->d_name, NULL, 10);
    if (tid <= 0) continue;
    char path[64], name[64];
    snprintf(path, sizeof path, "/proc/self/task/%ld/comm", tid);
    int fd = open(path, O_RDONLY | O_CLOEXEC);
    if (fd < 0) continue;
    ssize_t n = read(fd, name, sizeof name);
    close(fd);
    if (n <= 0) continue;
    if (name[n - 1] == '\n') n--;
    struct thread_record record = {(uint32_t)tid, (uint32_t)n};
    emit(RECORD_THREAD, &record, sizeof record, name, (uint32_t)n);
  }
  closedir(tasks);
}

/** The end of the record: what is still in the table now is live at exit. Once per process. */
EXPORT void memtrace_native_exit(void) {
  if (output_fd < 0 || atomic_exchange(&exited, 1)) return;
  int guard = self.guard;
  self.guard = 1;
  recording = 0;
  write_symbols();
  write_threads();
  struct exit_record record = {(uint64_t)now_ns()};
  emit(RECORD_EXIT, &record, sizeof record, NULL, 0);
  output_flush();
  self.guard = guard;
}

__attribute__((destructor)) static void stop(void) { memtrace_native_exit(); }

/* ---- calls from memtrace's addon -------------------------------------------------------------- */

/** Writes out what the buffer holds (memtrace's runtime calls it every second: a program that stops
 * allocating and is then killed keeps its last records). */
EXPORT void memtrace_native_flush(void) {
  if (output_fd < 0) return;
  int guard = self.guard;
  self.guard = 1;
  output_flush();
  self.guard = guard;
}

/** Whether this process records (the addon asks before doing anything else). */
EXPORT int memtrace_native_recording(void) { return recording && !atomic_load(&exited); }

/**
 * Moves this process's file to `path` (memtrace's trace directory of the process, once it exists).
 * Returns 0 on success, else errno.
 */
EXPORT int memtrace_native_attach(const char* path) {
  if (output_fd < 0 || strlen(path) >= sizeof out_path) return EINVAL;
  int guard = self.guard;
  self.guard = 1;
  output_lock();
  int error = rename(out_path, path) == 0 ? 0 : errno;
  if (!error) strcpy(out_path, path);
  output_unlock();
  self.guard = guard;
  return error;
}

/** Names a JS function id (memtrace's function table), so the record is whole in itself. */
EXPORT void memtrace_native_function(int32_t id, const char* name, uint32_t name_bytes, const char* file, uint32_t file_bytes,
                                     uint32_t line, uint32_t column) {
  if (!memtrace_native_recording()) return;
  char text[8192];
  if ((uint64_t)name_bytes + file_bytes > sizeof text) return;
  int guard = self.guard;
  self.guard = 1;
  memcpy(text, name, name_bytes);
  memcpy(text + name_bytes, file, file_bytes);
  struct function_record record = {id, line, column, name_bytes, file_bytes, 0};
  emit(RECORD_FUNCTION, &record, sizeof record, text, name_bytes + file_bytes);
  self.guard = guard;
}

/**
 * Binds this thread's samples to memtrace's shadow stack (probe-layout.ts): depth = ints[0], the
 * running measured call's frame slot = stack[depth - 1], its function id = frames[slot * stride].
 * Only the main thread binds (a worker's function ids are another table's); null unbinds.
 */
EXPORT void memtrace_native_bind_js(const int32_t* depth, const int32_t* stack, uint32_t stack_length, const double* frames,
                                    uint32_t frames_length, uint32_t frame_stride) {
  if ((pid_t)syscall(SYS_gettid) != getpid()) return;
  self.js_depth = NULL;
  self.js_stack = stack;
  self.js_stack_length = stack_length;
  self.js_frames = frames;
  self.js_frames_length = frames_length;
  self.js_frame_stride = frame_stride;
  self.js_depth = stack && frames ? depth : NULL;
  if (self.js_depth) js_bound = 1;
}

/**
 * A request for libuv's threadpool was queued on this thread: it is owned by the measured JS function
 * running now (the main thread's), or by nobody this process can name (another thread). Returns the
 * token to hand memtrace_native_pool_done when the request ends.
 */
EXPORT int32_t memtrace_native_pool_queued(void) {
  if (!memtrace_native_recording()) return POOL_LOST;
  /* Only the main thread binds a shadow stack: another thread's requests are FUNCTION_NONE's, an owner
   * that is nobody (no gettid here: a system call per request cost more than the rest). */
  int32_t owner = js_function(&self);
  lock(&pool_lock);
  int free_slot = -1, found = -1;
  for (int i = 0; i < POOL_OWNERS && found < 0; i++) {
    if (pool_owners[i].count && pool_owners[i].owner == owner) found = i;
    else if (!pool_owners[i].count && free_slot < 0) free_slot = i;
  }
  if (found < 0 && free_slot >= 0) {
    found = free_slot;
    pool_owners[found].owner = owner;
  }
  if (found >= 0) pool_owners[found].count++;
  else {
    pool_lost++;
    owner = POOL_LOST;
  }
  pool_settle();
  unlock(&pool_lock);
  return owner;
}

/** The request memtrace_native_pool_queued returned `token` for has ended. */
EXPORT void memtrace_native_pool_done(int32_t token) {
  lock(&pool_lock);
  if (token == POOL_LOST) {
    if (pool_lost) pool_lost--;
  } else {
    for (int i = 0; i < POOL_OWNERS; i++) {
      if (!pool_owners[i].count || pool_owners[i].owner != token) continue;
      pool_owners[i].count--;
      break;
    }
  }
  pool_settle();
  unlock(&pool_lock);
}

/** Whether this thread's allocations are memtrace's own (its writer thread, its calibration): not sampled. */
EXPORT void memtrace_native_ignore_thread(int ignore) { self.guard = ignore != 0; }
