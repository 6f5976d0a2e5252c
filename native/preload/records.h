/*
 * The records of native-<pid>.raw, the file the native allocation tracker (memtrace-native.c) appends
 * to and src/formats/native-raw.ts reads. Little-endian, each record a header then its payload, its
 * length a multiple of 8. Change one side, change the other and RAW_VERSION.
 */
#ifndef MEMTRACE_NATIVE_RECORDS_H
#define MEMTRACE_NATIVE_RECORDS_H
#include <stdint.h>

#define RAW_MAGIC 0x4e54524dU /* "MRTN" */
#define RAW_VERSION 1

enum record_kind {
  RECORD_START = 1,    /* struct start_record: first in every file */
  RECORD_STACK = 2,    /* struct stack_record, then `count` uint64 return addresses, innermost first */
  RECORD_ALLOC = 3,    /* struct block_record: a sampled allocation */
  RECORD_FREE = 4,     /* struct block_record: a sampled block freed (or moved by realloc) */
  RECORD_FUNCTION = 5, /* struct function_record, then the name and file bytes (UTF-8) */
  RECORD_SYMBOL = 6,   /* struct symbol_record, then the symbol and object bytes */
  RECORD_EXIT = 7,     /* uint64 monotonic ns: the process reached its end; the table is live at exit */
  RECORD_THREAD = 8,   /* struct thread_record, then the name bytes: a thread still running at exit */
};

struct record_header {
  uint32_t kind;
  uint32_t length; /* of the whole record, header included */
};

struct start_record {
  uint32_t magic;
  uint32_t version;
  uint32_t pid;
  uint32_t ppid;
  uint64_t reserved;
  double interval; /* mean bytes between samples; 0: every allocation */
};

struct stack_record {
  uint32_t id;
  uint32_t count;
};

#define ALLOC_UNTRACKED 1 /* the live table was full: this block's free cannot be matched */

#define FUNCTION_NONE (-1)     /* no measured JS function (another thread, or outside any measured call) */
#define FUNCTION_START_UP (-2) /* the main thread before memtrace's runtime started: Node's start-up */

struct block_record {
  uint32_t stack;
  int32_t function; /* memtrace's JS function id, or FUNCTION_NONE, FUNCTION_START_UP */
  uint32_t tid;
  uint32_t flags;
  uint64_t size;   /* requested bytes */
  double weight;   /* bytes this sample stands for */
};

struct function_record {
  int32_t id;
  uint32_t line;
  uint32_t column;
  uint32_t name_bytes;
  uint32_t file_bytes;
  uint32_t reserved;
};

struct symbol_record {
  uint64_t address;       /* as in the stacks */
  uint64_t symbol_offset; /* from the symbol's start (0 with no symbol) */
  uint64_t object_offset; /* from the object's load address */
  uint32_t symbol_bytes;
  uint32_t object_bytes;
};

struct thread_record {
  uint32_t tid;
  uint32_t name_bytes;
};

#endif
