# The DataStorm addon: C against Node-API, linked to the librdkafka that node-rdkafka builds (one copy in the process:
# the same soname, loaded from the same directory). Built by `npm ci` (the install script) and by scripts/setup.sh.
{
  "targets": [
    {
      "target_name": "datastorm_native",
      "sources": ["src/addon.c", "src/common.c", "src/producer.c", "src/tweet-plan.c", "src/consumer.c", "src/client-log.c", "src/topic-config.c", "src/reader-measure.c"],
      "include_dirs": ["../node_modules/node-rdkafka/build/deps/include"],
      "cflags": ["-std=gnu11", "-O2", "-Wall", "-Wextra", "-Wno-unused-parameter", "-Wno-ignored-qualifiers"],
      "libraries": [
        "-L<(module_root_dir)/../node_modules/node-rdkafka/build/deps",
        "-lrdkafka",
        "-Wl,-rpath,'$$ORIGIN/../../../node_modules/node-rdkafka/build/deps'",
        "-lpthread"
      ]
    }
  ]
}
