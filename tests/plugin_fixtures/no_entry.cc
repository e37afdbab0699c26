// A shared library that is not a berth plugin: no berth_plugin_entry.
extern "C" __attribute__((visibility("default"))) int some_other_library_function() { return 42; }
