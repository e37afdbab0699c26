#include "curl_api.h"

#include <dlfcn.h>

#include <mutex>
#include <string>

#include "berth/error.h"

namespace berth::http {
namespace {

constexpr const char* kLibCurl = "libcurl.so.4";

template <typename Function>
void Resolve(void* library, const char* name, Function& slot) {
  void* symbol = dlsym(library, name);
  if (symbol == nullptr) {
    throw Error(ErrorCode::kFailure, std::string(kLibCurl) + " has no symbol " + name + " (libcurl too old?)");
  }
  slot = reinterpret_cast<Function>(symbol);
}

CurlApi Load() {
  // Never unloaded: curl keeps global state and handles may outlive any scope.
  void* library = dlopen(kLibCurl, RTLD_NOW | RTLD_LOCAL);
  if (library == nullptr) {
    const char* why = dlerror();
    throw Error(ErrorCode::kFailure, std::string("cannot load ") + kLibCurl + ": " + (why ? why : "unknown error") +
                                         " (install the Debian package libcurl4)");
  }
  CurlApi api{};
  Resolve(library, "curl_easy_init", api.easy_init);
  Resolve(library, "curl_easy_setopt", api.easy_setopt);
  Resolve(library, "curl_easy_getinfo", api.easy_getinfo);
  Resolve(library, "curl_easy_perform", api.easy_perform);
  Resolve(library, "curl_easy_reset", api.easy_reset);
  Resolve(library, "curl_easy_cleanup", api.easy_cleanup);
  Resolve(library, "curl_easy_strerror", api.easy_strerror);
  Resolve(library, "curl_easy_escape", api.easy_escape);
  Resolve(library, "curl_slist_append", api.slist_append);
  Resolve(library, "curl_slist_free_all", api.slist_free_all);
  Resolve(library, "curl_free", api.free);
  Resolve(library, "curl_url", api.url);
  Resolve(library, "curl_url_cleanup", api.url_cleanup);
  Resolve(library, "curl_url_get", api.url_get);
  Resolve(library, "curl_url_set", api.url_set);
  CURLcode (*global_init)(long) = nullptr;
  Resolve(library, "curl_global_init", global_init);
  // curl_global_init is not thread-safe; call_once in Curl() serialises it.
  if (global_init(CURL_GLOBAL_DEFAULT) != CURLE_OK) throw Error(ErrorCode::kFailure, "curl_global_init failed");
  return api;
}

}  // namespace

const CurlApi& Curl() {
  static std::once_flag once;
  static CurlApi api;
  std::call_once(once, [] { api = Load(); });
  return api;
}

}  // namespace berth::http
