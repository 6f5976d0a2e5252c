/*
 * The tracker's output: whole records appended to an mmap'd buffer of 1 MiB under a spinlock, written
 * with write(2) when full and after 100 ms of records, so a process killed mid-run keeps every record
 * written before (a full disk drops records, never writes half of one).
 */
#include "tracker.h"

#define OUT_CAPACITY (1 << 20)
#define FLUSH_EVERY_NS 100000000LL
static char* out_buffer;
int output_fd = -1;
static size_t out_length;
static atomic_uint out_lock;
static int64_t last_flush_ns;

int64_t now_ns(void) {
  struct timespec t;
  clock_gettime(CLOCK_MONOTONIC_COARSE, &t);
  return (int64_t)t.tv_sec * 1000000000LL + t.tv_nsec;
}

static void flush_locked(void) {
  size_t done = 0;
  while (done < out_length && output_fd >= 0) {
    ssize_t n = write(output_fd, out_buffer + done, out_length - done);
    if (n < 0 && errno == EINTR) continue;
    if (n <= 0) break; /* a full disk: the records are dropped, never half-written over */
    done += (size_t)n;
  }
  out_length = 0;
  last_flush_ns = now_ns();
}

void emit(uint32_t kind, const void* payload, uint32_t payload_bytes, const void* tail, uint32_t tail_bytes) {
  uint32_t length = (uint32_t)((sizeof(struct record_header) + payload_bytes + tail_bytes + 7) & ~7u);
  if (!out_buffer || length > OUT_CAPACITY) return;
  lock(&out_lock);
  if (out_length + length > OUT_CAPACITY) flush_locked();
  struct record_header header = {kind, length};
  char* at = out_buffer + out_length;
  memcpy(at, &header, sizeof header);
  memcpy(at + sizeof header, payload, payload_bytes);
  if (tail_bytes) memcpy(at + sizeof header + payload_bytes, tail, tail_bytes);
  memset(at + sizeof header + payload_bytes + tail_bytes, 0, length - sizeof header - payload_bytes - tail_bytes);
  out_length += length;
  if (now_ns() - last_flush_ns > FLUSH_EVERY_NS) flush_locked();
  unlock(&out_lock);
}


int output_init(void) {
  out_buffer = map_zeroed(OUT_CAPACITY);
  return out_buffer != NULL;
}

void output_flush(void) {
  lock(&out_lock);
  flush_locked();
  unlock(&out_lock);
}

void output_lock(void) { lock(&out_lock); }
void output_unlock(void) { unlock(&out_lock); }

void output_forget(void) {
  atomic_store(&out_lock, 0);
  out_length = 0;
}
