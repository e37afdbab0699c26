// libcurl, loaded the first time berth makes an HTTP request rather than when
// the process starts. Linking it would map libcurl and its ~30 dependencies
// (gnutls, ldap, ssh2, rtmp, kerberos...) into every run, which is most of the
// start-up time of commands that never touch the network (`berth --version`,
// `berth plugin list`). The table holds the few functions the SDK calls.
#ifndef BERTH_SDK_SRC_HTTP_CURL_API_H_
#define BERTH_SDK_SRC_HTTP_CURL_API_H_

#include <curl/curl.h>

namespace berth::http {

struct CurlApi {
  CURL* (*easy_init)();
  CURLcode (*easy_setopt)(CURL*, CURLoption, ...);
  CURLcode (*easy_getinfo)(CURL*, CURLINFO, ...);
  CURLcode (*easy_perform)(CURL*);
  void (*easy_reset)(CURL*);
  void (*easy_cleanup)(CURL*);
  const char* (*easy_strerror)(CURLcode);
  char* (*easy_escape)(CURL*, const char*, int);
  curl_slist* (*slist_append)(curl_slist*, const char*);
  void (*slist_free_all)(curl_slist*);
  void (*free)(void*);
  CURLU* (*url)();
  void (*url_cleanup)(CURLU*);
  CURLUcode (*url_get)(const CURLU*, CURLUPart, char**, unsigned int);
  CURLUcode (*url_set)(CURLU*, CURLUPart, const char*, unsigned int);
};

// Loads libcurl.so.4 and runs curl_global_init once; Error(kFailure) naming
// the library when it cannot be loaded.
const CurlApi& Curl();

}  // namespace berth::http

#endif  // BERTH_SDK_SRC_HTTP_CURL_API_H_
