// Where V8 keeps a large-object space's size, so readFast can read it as one load instead of a
// GetHeapSpaceStatistics call (~25 ns each, two of them per reading: half of a readFast once code
// space was left out).
//
// V8 has no public API for it, so it is found at start-up and trusted only while it agrees with the
// API. A LargeObjectSpace is a malloc'ed object that starts {vtable, Heap* heap_, AllocationSpace
// id_} (BaseSpace, V8 11 to 13), and the i::Isolate that v8::Isolate* points at holds a pointer to
// it (V8 11 in the Heap it embeds, V8 13 elsewhere in it). So: one large object is allocated in the
// space, so that its used size is a number few words hold; the isolate's memory is read for words
// that point at objects starting {pointer, pointer, the space's index}; in those, the words equal to
// the used size are kept; a second large object is allocated, and the one word that moved with the
// API's figure is objects_size_. Memory is only read through a pipe until then (write(2) answers
// EFAULT where a read would crash), and only where /proc/self/maps has writable memory. Every exact
// reading compares what was found with the API (memtrace.cc, Resync): one disagreement that a second
// look confirms turns it off for good, and the API calls come back. MEMTRACE_SPACE_FIELDS=api skips
// all this. Cost: 5-10 ms when the addon loads, and the two objects (1 MiB) are garbage at once.

#include "counters.h"

#include <fcntl.h>
#include <unistd.h>

#include <cstdio>
#include <utility>
#include <vector>
#include <cstdio>

namespace memtrace {

namespace {

// Reads n bytes at address into out without faulting on an unmapped address.
class SafeReader {
 public:
  SafeReader() {
    if (pipe2(fds_, O_CLOEXEC | O_NONBLOCK) != 0) fds_[0] = fds_[1] = -1;
  }
  ~SafeReader() {
    if (fds_[0] >= 0) close(fds_[0]);
    if (fds_[1] >= 0) close(fds_[1]);
  }
  bool ok() const { return fds_[0] >= 0; }
  bool Read(uintptr_t address, void* out, size_t n) {
    if (n > 4096) return false;  // stays within one pipe buffer
    ssize_t written = write(fds_[1], reinterpret_cast<const void*>(address), n);
    if (written <= 0) return false;
    ssize_t got = read(fds_[0], out, size_t(written));
    return got == written && size_t(written) == n;
  }

 private:
  int fds_[2] = {-1, -1};
};

// The writable mappings of the process (/proc/self/maps): V8's spaces are malloc'ed objects, so a word
// that points anywhere else (code, read-only data, nowhere) is not read at all.
class WritableMappings {
 public:
  WritableMappings() {
    FILE* maps = fopen("/proc/self/maps", "re");
    if (maps == nullptr) return;
    char line[512];
    while (fgets(line, sizeof(line), maps) != nullptr) {
      unsigned long start, end;
      char perms[5];
      if (sscanf(line, "%lx-%lx %4s", &start, &end, perms) == 3 && perms[0] == 'r' && perms[1] == 'w') ranges_.push_back({start, end});
    }
    fclose(maps);
  }
  bool Contains(uintptr_t address, size_t n) const {
    for (const auto& range : ranges_) {
      if (address >= range.first && address + n <= range.second) return true;
    }
    return false;
  }

 private:
  std::vector<std::pair<uintptr_t, uintptr_t>> ranges_;
};

// What is read of the isolate's memory for pointers to the spaces: V8 11's i::Isolate (Node 20) has
// them 53 KiB in, V8 13's (Node 24) 61 KiB. The scan stops once every space is found.
constexpr size_t kIsolateScanBytes = 512 * 1024;
constexpr size_t kSpaceScanWords = 128;  // objects_size_ sits in the first kilobyte of the space

double ApiUsed(Isolate* isolate, int index) {
  HeapSpaceStatistics stats;
  isolate->GetHeapSpaceStatistics(&stats, size_t(index));
  return double(stats.space_used_size());
}

// Allocates one large object in the space `name` (and nothing else large): a young array's elements
// for the new large-object space, an internalized (old-space) string for the old one. Garbage at once.
bool AllocateLargeObjectIn(Isolate* isolate, const char* name, size_t bytes) {
  HandleScope scope(isolate);
  if (strcmp(name, "new_large_object_space") == 0) {
    Local<v8::Array> array = v8::Array::New(isolate, int(bytes / sizeof(void*)));
    return !array.IsEmpty();
  }
  if (strcmp(name, "large_object_space") == 0) {
    std::vector<char> text(bytes, 'm');
    for (size_t i = 0; i < text.size(); i += 97) text[i] = char('a' + (i / 97) % 26);  // unlike any other
    return !String::NewFromOneByte(isolate, reinterpret_cast<const uint8_t*>(text.data()), v8::NewStringType::kInternalized, int(bytes))
                .IsEmpty();
  }
  return false;
}

// One large-object space being looked for.
struct Search {
  int slot;           // in State::live_spaces
  int index;          // its AllocationSpace (GetHeapSpaceStatistics' index)
  const char* name;
  double used;        // its used size while the isolate is scanned
  std::vector<uintptr_t> fields;  // words of objects that look like it and hold `used`
};

// Adds to search->fields the words of the object at `space` that hold search->used.
void AddFieldsEqual(SafeReader& reader, uintptr_t space, Search* search) {
  uintptr_t words[kSpaceScanWords];
  if (!reader.Read(space, words, sizeof(words))) return;
  for (size_t i = 3; i < kSpaceScanWords; i++) {
    uintptr_t field = space + i * sizeof(uintptr_t);
    bool seen = false;
    for (uintptr_t f : search->fields) seen = seen || f == field;
    if (double(words[i]) == search->used && !seen) search->fields.push_back(field);
  }
}

// Looks through the isolate's memory for pointers to objects that look like the searched spaces
// ({vtable, heap_, id_}: V8 11 keeps the Heap in the isolate, V8 13 elsewhere, so heap_ is only
// checked to be a pointer) and collects their words that hold the space's used size.
void ScanIsolate(SafeReader& reader, uintptr_t isolate, std::vector<Search>& searches) {
  WritableMappings writable;
  uintptr_t chunk[512];
  for (size_t offset = 0; offset < kIsolateScanBytes; offset += sizeof(chunk)) {
    if (!reader.Read(isolate + offset, chunk, sizeof(chunk))) return;  // the end of the isolate's mapping
    for (uintptr_t word : chunk) {
      if (word % alignof(uintptr_t) != 0 || word < 4096 || !writable.Contains(word, 3 * sizeof(uintptr_t))) continue;
      uintptr_t head[3];
      if (!reader.Read(word, head, sizeof(head))) continue;
      bool pointers = head[0] > 4096 && head[0] % alignof(uintptr_t) == 0 && head[1] > 4096 && head[1] % alignof(uintptr_t) == 0;
      if (!pointers) continue;
      for (Search& search : searches) {
        if (uint32_t(head[2]) == uint32_t(search.index)) AddFieldsEqual(reader, word, &search);  // id_: 4 bytes, then padding
      }
    }
    bool all = true;
    for (const Search& search : searches) all = all && !search.fields.empty();
    if (all) return;
  }
}

// The one field that moves with the API's figure when another large object is allocated, or 0.
uintptr_t Confirm(SafeReader& reader, Isolate* isolate, Search& search) {
  if (search.fields.empty() || !AllocateLargeObjectIn(isolate, search.name, 700 * 1024)) return 0;
  double now = ApiUsed(isolate, search.index);
  if (!(now >= search.used + 700 * 1024)) return 0;  // it went elsewhere: cannot tell the field
  uintptr_t confirmed = 0;
  int count = 0;
  for (uintptr_t field : search.fields) {
    uintptr_t word;
    if (reader.Read(field, &word, sizeof(word)) && double(word) == now) {
      confirmed = field;
      count++;
    }
  }
  return count == 1 ? confirmed : 0;
}

}  // namespace

void FindLargeObjectSizes(State* s) {
  SafeReader reader;
  if (!reader.ok()) return;
  std::vector<Search> searches;
  for (int slot = 0; slot < s->live_space_count; slot++) {
    HeapSpaceStatistics stats;
    if (!s->isolate->GetHeapSpaceStatistics(&stats, size_t(s->live_spaces[slot]))) continue;
    const char* name = stats.space_name();
    if (strcmp(name, "new_large_object_space") != 0 && strcmp(name, "large_object_space") != 0) continue;
    // One object there first, so the size to look for is not 0 (which many words hold).
    if (!AllocateLargeObjectIn(s->isolate, name, 300 * 1024)) continue;
    searches.push_back({slot, s->live_spaces[slot], name, ApiUsed(s->isolate, s->live_spaces[slot]), {}});
  }
  if (searches.empty()) return;
  ScanIsolate(reader, reinterpret_cast<uintptr_t>(s->isolate), searches);
  for (Search& search : searches) {
    uintptr_t field = Confirm(reader, s->isolate, search);
    if (field != 0) s->live_direct[search.slot] = reinterpret_cast<const std::atomic<size_t>*>(field);
  }
}

bool DirectSizesAgree(State* s) {
  for (int pass = 0; pass < 2; pass++) {
    bool agree = true;
    for (int i = 0; i < s->live_space_count && agree; i++) {
      const std::atomic<size_t>* direct = s->live_direct[i];
      if (direct != nullptr) agree = double(direct->load(std::memory_order_relaxed)) == ApiUsed(s->isolate, s->live_spaces[i]);
    }
    if (agree) return true;  // a background thread's allocation between the two reads: look again
  }
  return false;
}

}  // namespace memtrace
