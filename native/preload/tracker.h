/*
 * What the parts of the native allocation tracker share (memtrace-native.c: the hooks, sampling and
 * lifecycle; output.c: the record buffer; tables.c: the stack table and the table of live sampled
 * blocks). Everything here has hidden visibility: the library exports only the allocator functions and
 * the memtrace_native_* calls.
 */
#ifndef MEMTRACE_NATIVE_TRACKER_H
#define MEMTRACE_NATIVE_TRACKER_H
#define _GNU_SOURCE
#include <dirent.h>
#include <dlfcn.h>
#include <errno.h>
#include <fcntl.h>
#include <math.h>
#include <pthread.h>
#include <sched.h>
#include <stdatomic.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/syscall.h>
#include <time.h>
#include <unistd.h>
#include <unwind.h>

#include "records.h"

#define EXPORT __attribute__((visibility("default")))
#define LIKELY(x) __builtin_expect(!!(x), 1)
#define UNLIKELY(x) __builtin_expect(!!(x), 0)

extern void* __libc_malloc(size_t);
extern void* __libc_calloc(size_t, size_t);
extern void* __libc_realloc(void*, size_t);
extern void __libc_free(void*);
extern void* __libc_memalign(size_t, size_t);
extern void* __libc_valloc(size_t);
extern void* __libc_pvalloc(size_t);

struct thread_state {
  int64_t countdown;  /* bytes until the next sample */
  uint64_t rng;
  int guard;          /* inside the tracker (or told to ignore this thread) */
  int started;
  uint32_t tid;
  uintptr_t stack_high; /* the top of this thread's stack (0: unknown: no frame-pointer walk) */
  /* The shadow stack of memtrace's probes on this thread (main thread only), or null. */
  const int32_t* js_depth;
  const int32_t* js_stack;
  const double* js_frames;
  uint32_t js_stack_length, js_frames_length, js_frame_stride;
};
extern __thread struct thread_state self __attribute__((tls_model("initial-exec")));

/* Spinlocks: held for a few hundred ns (or one write(2)); never across a call that could take them again. */
static inline void lock(atomic_uint* l) {
  while (atomic_exchange_explicit(l, 1, memory_order_acquire)) {
    while (atomic_load_explicit(l, memory_order_relaxed)) sched_yield();
  }
}
static inline void unlock(atomic_uint* l) { atomic_store_explicit(l, 0, memory_order_release); }

static inline void* map_zeroed(size_t bytes) {
  void* p = mmap(NULL, bytes, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS | MAP_NORESERVE, -1, 0);
  return p == MAP_FAILED ? NULL : p;
}

static inline uint64_t mix(uint64_t x) { /* splitmix64's finaliser: addresses are aligned, spread them */
  x ^= x >> 30;
  x *= 0xbf58476d1ce4e5b9ULL;
  x ^= x >> 27;
  x *= 0x94d049bb133111ebULL;
  return x ^ (x >> 31);
}

int64_t now_ns(void);

/* output.c: whole records through an mmap'd buffer into the file `output_fd` (-1: none). */
extern int output_fd;
int output_init(void);
/** Appends one whole record (header + payload + tail, padded to 8 bytes). */
void emit(uint32_t kind, const void* payload, uint32_t payload_bytes, const void* tail, uint32_t tail_bytes);
/** Writes out what the buffer holds. */
void output_flush(void);
void output_lock(void);
void output_unlock(void);
/** After a fork, in the child: the buffer is the parent's; drop it (the lock too). */
void output_forget(void);

/* tables.c */
#define MAX_FRAMES 64
struct block {
  double weight;
  uint64_t size;
  uint32_t stack;
  int32_t function;
  uint32_t tid;
};
/** Reserves the tables: room for many more live blocks and stacks when every allocation is recorded. */
int tables_init(int every_allocation);
/** After a fork, in the child: empty tables. */
void tables_forget(void);
/** The id of this stack, written out the first time it is seen (0 when the table is full). */
uint32_t intern_stack(const uint64_t* frames, int count);
int insert_block(uint64_t address, const struct block* b);
/** Takes `address` out of the table into *b; 0 when it was not sampled (no lock taken then). */
int take_block(uint64_t address, struct block* b);
/** Symbols of every frame seen, while the process can still look them up. */
void write_symbols(void);

#endif
