// events.csv rows formatted in C++ for the writer thread: src/formats/events-csv.ts's EventFormatter
// does the same in JS (and stays the reference: a test compares their bytes on the same rows). The
// names and files are quoted once each by csv-stringify in JS and handed over as bytes; here only
// numbers become digits. In JS this was the writer's limit (3-5 M rows/s here); here it is ~20 ns
// a row, and the write itself is what is left.
//
// formatEvents(data, endRow, sequence, out, progress, functionNames, functionIndex, columns,
//   labelNames, labelIndex) -> 0 when it formatted every row up to endRow, 1 when it stopped at a
//   row whose function or label has no quoted bytes yet (JS quotes them and calls again), 2 when out
//   is full (JS grows it and calls again). progress = [next row, bytes in out so far, highest heap
//   of the rows formatted], all advanced (the third where progress has it: the peak is taken here,
//   where each row is read anyway, not by a scan of its own); functionIndex/labelIndex hold
//   [start, end) of each id's quoted bytes in functionNames/labelNames (start -1: none yet);
//   sequence[0] is the next row's seq, advanced.
// preallocate(fd, offset, length): reserves disk blocks ahead of an append-only file without changing
//   its size (fallocate KEEP_SIZE; appending into fresh blocks cost 4x as much on ext4 here); false
//   where the file system cannot. An ftruncate to the file's size gives the rest back.

#include "counters.h"
#include "layouts.h"

#include <fcntl.h>


namespace memtrace {

namespace {

// The event row and the kinds' names: native/layouts.h, generated from src/shared/layouts.spec.js.
namespace col = layout::event_column;
namespace kinds = layout::event_kind;

// A row is at most 17 numbers of at most 21 characters, plus its quoted names.
constexpr size_t kRowBytes = 400;

struct Digits {
  char pairs[200];
  Digits() {
    for (int i = 0; i < 100; i++) {
      pairs[2 * i] = char('0' + i / 10);
      pairs[2 * i + 1] = char('0' + i % 10);
    }
  }
};
const Digits digits;

inline int DigitCount(uint32_t v) {
  return v < 10 ? 1 : v < 100 ? 2 : v < 1000 ? 3 : v < 10000 ? 4 : v < 100000 ? 5 : v < 1000000 ? 6 : v < 10000000 ? 7
       : v < 100000000 ? 8 : v < 1000000000 ? 9 : 10;
}

// v's `n` lowest digits, right to left from at + n, two at a time (32-bit arithmetic: what a row has).
inline void WriteDigits(char* at, uint32_t v, int n) {
  char* p = at + n;
  while (n >= 2) {
    uint32_t q = v / 100;
    unsigned pair = (v - q * 100) * 2;
    *--p = digits.pairs[pair + 1];
    *--p = digits.pairs[pair];
    v = q;
    n -= 2;
  }
  if (n == 1) *--p = char('0' + v % 10);
}

// A whole number (|n| < 2^53) in decimal, as events-csv.ts's writeInteger writes it: straight into
// the output, above 2^32 as a high part and nine zero-padded low digits.
inline char* WriteInteger(char* at, double n) {
  if (n < 0) {
    *at++ = '-';
    n = -n;
  }
  if (n < 4294967296.0) {
    uint32_t v = uint32_t(n);
    int count = DigitCount(v);
    WriteDigits(at, v, count);
    return at + count;
  }
  uint64_t v = uint64_t(n);
  uint32_t high = uint32_t(v / 1000000000u);  // below 2^53 / 1e9: fits
  uint32_t low = uint32_t(v - uint64_t(high) * 1000000000u);
  int count = DigitCount(high);
  WriteDigits(at, high, count);
  WriteDigits(at + count, low, 9);
  return at + count + 9;
}

// JS's Math.round for |x| < 2^53: halves go up (x + 0.5 would itself round above 2^52). Floor by
// truncation, as std::floor is a libm call on x86-64 before SSE4.1 (a third of the formatting time).
inline double Round(double x) {
  double r = double(int64_t(x));
  if (r > x) r -= 1;
  return x - r >= 0.5 ? r + 1 : r;
}

template <typename T>
bool View(Local<Value> value, T** data, size_t* length) {
  bool right = sizeof(T) == 8 ? value->IsFloat64Array() : sizeof(T) == 4 ? value->IsInt32Array() : value->IsUint8Array();
  if (!right) return false;
  Local<v8::TypedArray> array = value.As<v8::TypedArray>();
  *data = reinterpret_cast<T*>(static_cast<char*>(array->Buffer()->Data()) + array->ByteOffset());
  *length = array->Length();
  return true;
}

void FormatEvents(const FunctionCallbackInfo<Value>& info) {
  double* data;
  double* sequence;
  double* progress;
  uint8_t* out;
  uint8_t* function_names;
  uint8_t* label_names;
  int32_t* function_index;
  int32_t* columns;
  int32_t* label_index;
  size_t data_length, sequence_length, progress_length, out_length, function_names_length, label_names_length,
      function_index_length, columns_length, label_index_length;
  if (info.Length() < 10 || !info[1]->IsNumber() || !View(info[0], &data, &data_length) ||
      !View(info[2], &sequence, &sequence_length) || sequence_length < 1 || !View(info[3], &out, &out_length) ||
      !View(info[4], &progress, &progress_length) || progress_length < 2 ||
      !View(info[5], &function_names, &function_names_length) || !View(info[6], &function_index, &function_index_length) ||
      !View(info[7], &columns, &columns_length) || !View(info[8], &label_names, &label_names_length) ||
      !View(info[9], &label_index, &label_index_length)) {
    info.GetIsolate()->ThrowException(v8::Exception::TypeError(
        String::NewFromUtf8Literal(info.GetIsolate(), "memtrace: formatEvents() got arrays of the wrong kinds")));
    return;
  }
  size_t end_row = size_t(info[1].As<v8::Number>()->Value());
  if (end_row * col::COUNT > data_length) end_row = data_length / col::COUNT;
  char* const begin = reinterpret_cast<char*>(out);
  char* const limit = begin + out_length;
  size_t row = size_t(progress[0]);
  char* at = begin + size_t(progress[1]);
  double seq = sequence[0];
  double peak = progress_length > 2 ? progress[2] : 0;
  int result = 0;
  for (; row < end_row; row++) {
    const double* d = data + row * col::COUNT;
    int kind = int(d[col::KIND]);
    if (kind < 0 || kind >= kinds::kCount) kind = 0;
    double id = d[col::FUNCTION_ID];
    bool label = kind == kinds::LABEL;
    // The quoted "name,file" of the row's function (or its label's text).
    const int32_t* index = label ? label_index : function_index;
    size_t index_length = label ? label_index_length : function_index_length;
    const uint8_t* blob = label ? label_names : function_names;
    size_t blob_length = label ? label_names_length : function_names_length;
    size_t slot = id >= 0 && id < 2147483647.0 ? size_t(id) : SIZE_MAX;
    if (slot == SIZE_MAX || 2 * slot + 1 >= index_length || index[2 * slot] < 0 || size_t(index[2 * slot + 1]) > blob_length) {
      result = 1;
      break;
    }
    const uint8_t* names = blob + index[2 * slot];
    size_t names_length = size_t(index[2 * slot + 1] - index[2 * slot]);
    if (limit - at < ptrdiff_t(kRowBytes + names_length)) {
      result = 2;
      break;
    }
    at = WriteInteger(at, seq++);
    *at++ = ',';
    at = WriteInteger(at, Round(d[col::TIME]));
    *at++ = ',';
    size_t kind_length = strlen(kinds::kNames[kind]);
    memcpy(at, kinds::kNames[kind], kind_length);
    at += kind_length;
    *at++ = ',';
    if (!label) at = WriteInteger(at, id);
    *at++ = ',';
    memcpy(at, names, names_length);
    at += names_length;
    *at++ = ',';
    if (!label) at = WriteInteger(at, d[col::LINE]);
    *at++ = ',';
    if (!label && kind != kinds::LINE) at = WriteInteger(at, slot < columns_length ? columns[slot] : 0);
    *at++ = ',';
    at = WriteInteger(at, d[col::DEPTH]);
    *at++ = ',';
    at = WriteInteger(at, d[col::ASYNC_ID]);
    *at++ = ',';
    at = WriteInteger(at, d[col::HEAP]);
    *at++ = ',';
    if (d[col::HEAP] > peak) peak = d[col::HEAP];
    at = WriteInteger(at, Round(d[col::D_HEAP]));
    *at++ = ',';
    at = WriteInteger(at, Round(d[col::ALLOCATED]));
    *at++ = ',';
    at = WriteInteger(at, Round(d[col::D_ALLOCATED]));
    *at++ = ',';
    for (int c : {col::RSS, col::EXTERNAL, col::ARRAY_BUFFERS}) {
      if (d[c] == d[c]) at = WriteInteger(at, Round(d[c]));  // NaN: not read
      *at++ = c == col::ARRAY_BUFFERS ? '\n' : ',';
    }
  }
  sequence[0] = seq;
  progress[0] = double(row);
  progress[1] = double(at - begin);
  if (progress_length > 2) progress[2] = peak;
  info.GetReturnValue().Set(result);
}

void Preallocate(const FunctionCallbackInfo<Value>& info) {
  if (info.Length() < 3 || !info[0]->IsNumber() || !info[1]->IsNumber() || !info[2]->IsNumber()) return info.GetReturnValue().Set(false);
  int fd = int(info[0].As<v8::Number>()->Value());
  off_t offset = off_t(info[1].As<v8::Number>()->Value());
  off_t length = off_t(info[2].As<v8::Number>()->Value());
  info.GetReturnValue().Set(fallocate(fd, FALLOC_FL_KEEP_SIZE, offset, length) == 0);
}

}  // namespace

void AddFormatFunctions(Local<Context> context, Local<Object> exports, State* s) {
  Isolate* isolate = context->GetIsolate();
  exports->Set(context, String::NewFromUtf8Literal(isolate, "formatEvents"), MakeFunction(context, FormatEvents, s)).Check();
  exports->Set(context, String::NewFromUtf8Literal(isolate, "preallocate"), MakeFunction(context, Preallocate, s)).Check();
}

}  // namespace memtrace
