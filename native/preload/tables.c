/*
 * The tracker's tables, mmap'd and touched as used (nothing here calls malloc):
 * - stacks: each distinct native stack gets an id and is written out once (a spinlock; new stacks are
 *   rare at any interval but 0), and every frame address seen is kept for the symbols at exit;
 * - live sampled blocks, by address, so a free or realloc of a sampled block is matched: buckets of
 *   four entries with a lock each; a lookup that finds nothing (nearly every free) takes no lock; a
 *   full bucket sets its overflow flag and the entry goes to the next one;
 * - a counting filter in front of the blocks: nearly every free is of a block that was not sampled, and
 *   the buckets (6 MiB at the default interval) would cost it a cache miss; the filter (128 KiB, in L2)
 *   answers "not sampled" for most of them without touching a bucket.
 */
#include "tracker.h"
struct stack_slot {
  uint64_t hash; /* 0: empty */
  uint32_t id;
};
static struct stack_slot* stacks;
static uint64_t stack_mask;
static uint32_t next_stack_id = 1; /* 0: "no stack" */
static atomic_uint stack_lock;
/* Every frame address seen, for the symbols at exit. */
static uint64_t* frame_set;
static uint64_t frame_mask;

static void remember_frame(uint64_t address) {
  for (uint64_t i = mix(address) & frame_mask, n = 0; n <= frame_mask; i = (i + 1) & frame_mask, n++) {
    if (frame_set[i] == address) return;
    if (frame_set[i] == 0) {
      frame_set[i] = address;
      return;
    }
  }
}

uint32_t intern_stack(const uint64_t* frames, int count) {
  uint64_t hash = 0xcbf29ce484222325ULL;
  for (int i = 0; i < count; i++) hash = mix(hash ^ frames[i]);
  if (hash == 0) hash = 1;
  uint32_t id = 0;
  lock(&stack_lock);
  for (uint64_t i = hash & stack_mask, n = 0; n <= stack_mask; i = (i + 1) & stack_mask, n++) {
    if (stacks[i].hash == hash) {
      id = stacks[i].id;
      break;
    }
    if (stacks[i].hash == 0) {
      if (n > stack_mask / 2) break; /* past half full: new stacks go to "unknown" */
      stacks[i].hash = hash;
      id = stacks[i].id = next_stack_id++;
      for (int f = 0; f < count; f++) remember_frame(frames[f]);
      struct stack_record record = {id, (uint32_t)count};
      emit(RECORD_STACK, &record, sizeof record, frames, (uint32_t)(count * sizeof(uint64_t)));
      break;
    }
  }
  unlock(&stack_lock);
  return id;
}

/* Live sampled blocks. */

#define SLOTS 4
struct bucket {
  atomic_uint lock;
  atomic_uint overflow; /* a block that hashed here went to a later bucket: lookups go on */
  _Atomic uint64_t address[SLOTS];
  double weight[SLOTS];
  uint64_t size[SLOTS];
  uint32_t stack[SLOTS];
  int32_t function[SLOTS];
  uint32_t tid[SLOTS];
} __attribute__((aligned(64)));
static struct bucket* buckets;
static uint64_t bucket_mask;
#define MAX_PROBE 64

/*
 * How many live sampled blocks hash to each slot (another slice of the same hash as the buckets use). A
 * slot is raised before its block enters the table and lowered after it left, so a block in the table
 * always has a nonzero slot: a zero means "not sampled" for sure. Relaxed atomics are enough: a thread
 * frees a block only after the program handed it the pointer, which orders the allocating thread's
 * raise before the free.
 */
static _Atomic uint32_t* filter;
static uint64_t filter_mask;
static inline _Atomic uint32_t* filter_slot(uint64_t address) { return &filter[(mix(address) >> 40) & filter_mask]; }


int insert_block(uint64_t address, const struct block* b) {
  atomic_fetch_add_explicit(filter_slot(address), 1, memory_order_relaxed);
  uint64_t home = mix(address) & bucket_mask;
  for (uint64_t n = 0; n < MAX_PROBE; n++) {
    struct bucket* k = &buckets[(home + n) & bucket_mask];
    lock(&k->lock);
    for (int s = 0; s < SLOTS; s++) {
      if (atomic_load_explicit(&k->address[s], memory_order_relaxed) == 0) {
        k->weight[s] = b->weight;
        k->size[s] = b->size;
        k->stack[s] = b->stack;
        k->function[s] = b->function;
        k->tid[s] = b->tid;
        atomic_store_explicit(&k->address[s], address, memory_order_release);
        unlock(&k->lock);
        return 1;
      }
    }
    atomic_store_explicit(&k->overflow, 1, memory_order_relaxed);
    unlock(&k->lock);
  }
  atomic_fetch_sub_explicit(filter_slot(address), 1, memory_order_relaxed);
  return 0;
}

int take_block(uint64_t address, struct block* b) {
  _Atomic uint32_t* slot = filter_slot(address);
  if (atomic_load_explicit(slot, memory_order_relaxed) == 0) return 0;
  uint64_t home = mix(address) & bucket_mask;
  for (uint64_t n = 0; n < MAX_PROBE; n++) {
    struct bucket* k = &buckets[(home + n) & bucket_mask];
    for (int s = 0; s < SLOTS; s++) {
      if (atomic_load_explicit(&k->address[s], memory_order_acquire) != address) continue;
      lock(&k->lock);
      int found = atomic_load_explicit(&k->address[s], memory_order_relaxed) == address;
      if (found) {
        b->weight = k->weight[s];
        b->size = k->size[s];
        b->stack = k->stack[s];
        b->function = k->function[s];
        b->tid = k->tid[s];
        atomic_store_explicit(&k->address[s], 0, memory_order_relaxed);
      }
      unlock(&k->lock);
      if (found) {
        atomic_fetch_sub_explicit(slot, 1, memory_order_relaxed);
        return 1;
      }
    }
    if (!atomic_load_explicit(&k->overflow, memory_order_relaxed)) return 0;
  }
  return 0;
}

void write_symbols(void) {
  char name[4096];
  /* libstdc++'s demangler where the process has it (Node does); it mallocs, which is fine here. */
  char* (*demangle)(const char*, char*, size_t*, int*) = (char* (*)(const char*, char*, size_t*, int*))dlsym(RTLD_DEFAULT, "__cxa_demangle");
  for (uint64_t i = 0; i <= frame_mask; i++) {
    uint64_t address = frame_set[i];
    if (!address) continue;
    Dl_info info;
    /* A return address: the call is the byte before it. */
    if (!dladdr((void*)(uintptr_t)(address - 1), &info)) continue;
    const char* symbol = info.dli_sname ? info.dli_sname : "";
    char* demangled = NULL;
    int status = -1;
    if (demangle && symbol[0] == '_' && symbol[1] == 'Z') demangled = demangle(symbol, NULL, NULL, &status);
    if (demangled && status == 0) symbol = demangled;
    const char* object = info.dli_fname ? info.dli_fname : "";
    size_t symbol_bytes = strlen(symbol), object_bytes = strlen(object);
    if (symbol_bytes > sizeof name / 2) symbol_bytes = sizeof name / 2; /* templates can be very long */
    if (object_bytes > sizeof name / 2) object_bytes = sizeof name / 2;
    memcpy(name, symbol, symbol_bytes);
    memcpy(name + symbol_bytes, object, object_bytes);
    struct symbol_record record = {
        address,
        info.dli_saddr ? address - (uint64_t)(uintptr_t)info.dli_saddr : 0,
        address - (uint64_t)(uintptr_t)info.dli_fbase,
        (uint32_t)symbol_bytes,
        (uint32_t)object_bytes,
    };
    emit(RECORD_SYMBOL, &record, sizeof record, name, (uint32_t)(symbol_bytes + object_bytes));
    __libc_free(demangled);
  }
}


int tables_init(int every_allocation) {
  /* Every allocation: room for ~2M live blocks (64 MiB of address space, touched as used). */
  bucket_mask = (every_allocation ? (1u << 19) : (1u << 15)) - 1;
  stack_mask = (every_allocation ? (1u << 20) : (1u << 16)) - 1;
  frame_mask = (every_allocation ? (1u << 20) : (1u << 17)) - 1;
  filter_mask = (1u << 15) - 1;
  filter = map_zeroed((filter_mask + 1) * sizeof *filter);
  buckets = map_zeroed((bucket_mask + 1) * sizeof(struct bucket));
  stacks = map_zeroed((stack_mask + 1) * sizeof(struct stack_slot));
  frame_set = map_zeroed((frame_mask + 1) * sizeof(uint64_t));
  return filter && buckets && stacks && frame_set;
}

void tables_forget(void) {
  atomic_store(&stack_lock, 0);
  madvise(filter, (filter_mask + 1) * sizeof *filter, MADV_DONTNEED);
  madvise(buckets, (bucket_mask + 1) * sizeof(struct bucket), MADV_DONTNEED);
  madvise(stacks, (stack_mask + 1) * sizeof(struct stack_slot), MADV_DONTNEED);
  madvise(frame_set, (frame_mask + 1) * sizeof(uint64_t), MADV_DONTNEED);
  next_stack_id = 1;
}
