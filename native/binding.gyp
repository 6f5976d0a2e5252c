{
  "targets": [
    {
      "target_name": "memtrace",
      "sources": ["memtrace.cc", "probes.cc", "space-fields.cc", "format.cc", "oom-watch.cc", "native-memory.cc"],
      "cflags_cc": ["-Wall", "-Wextra", "-Wno-unused-parameter", "-Wno-cast-function-type"]
    }
  ]
}
