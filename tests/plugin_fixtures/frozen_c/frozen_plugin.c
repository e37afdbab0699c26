/* A plugin written in C against the frozen copy of the first stable headers
 * (tests/abi/frozen/2.0): it must load and work in every later berth of ABI
 * major 2. It provides a command ("frozen hello") and a credential provider
 * ("frozen"), so both the command and the object paths are covered. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "berth/abi/berth_plugin_api.h"

static const berth_host_api* g_host;

static void release(berth_buffer* buffer) {
  free(buffer->data);
  buffer->data = NULL;
  buffer->size = 0;
}

static void fill(berth_buffer* buffer, const char* text) {
  if (buffer == NULL) return;
  buffer->size = strlen(text);
  buffer->data = malloc(buffer->size + 1);
  memcpy(buffer->data, text, buffer->size + 1);
  buffer->release = release;
}

static int32_t open_plugin(const berth_host_api* host, void** instance, berth_buffer* error) {
  (void)error;
  g_host = host;
  *instance = (void*)&g_host;
  return BERTH_STATUS_OK;
}

static int32_t describe(void* instance, berth_buffer* description, berth_buffer* error) {
  (void)instance;
  (void)error;
  fill(description,
       "{\"description\":\"Test fixture: a C plugin built against the frozen ABI 2.0 headers\","
       "\"provides\":[{\"kind\":\"credential\",\"name\":\"frozen\",\"summary\":\"Fixed test tokens\",\"hosts\":[]}],"
       "\"commands\":[{\"path\":\"frozen hello\",\"summary\":\"Greet\",\"options\":[{\"name\":\"who\",\"kind\":\"value\","
       "\"help\":\"Whom to greet\",\"value_name\":\"NAME\",\"required\":true,\"position\":1}]}]}");
  return BERTH_STATUS_OK;
}

static int32_t call_token(void* self, const char* method, const char* request, size_t request_size, berth_buffer* reply,
                          berth_buffer* error) {
  (void)self;
  (void)request;
  (void)request_size;
  if (strcmp(method, "token") != 0) {
    fill(error, "unknown method");
    return BERTH_STATUS_UNSUPPORTED;
  }
  fill(reply, "{\"value\":\"frozen-token-0123456789\",\"scheme\":\"Bearer\",\"expires_at\":4102444800,\"key_id\":\"frozen/1\"}");
  return BERTH_STATUS_OK;
}

static void destroy(void* self) { (void)self; }

static int32_t create(void* instance, const char* kind, const char* name, const char* settings, size_t settings_size,
                      berth_object* out, berth_buffer* error) {
  (void)instance;
  (void)settings;
  (void)settings_size;
  if (strcmp(kind, "credential") != 0 || strcmp(name, "frozen") != 0) {
    fill(error, "provides no such object");
    return BERTH_STATUS_PLUGIN;
  }
  out->self = NULL;
  out->call = call_token;
  out->destroy = destroy;
  return BERTH_STATUS_OK;
}

/* Finds "who":["VALUE" in the request; enough for a fixture. */
static void who_of(const char* request, size_t size, char* who, size_t who_size) {
  const char* key = "\"who\":[\"";
  const char* at = NULL;
  snprintf(who, who_size, "%s", "nobody");
  for (size_t i = 0; i + strlen(key) <= size; ++i) {
    if (strncmp(request + i, key, strlen(key)) == 0) {
      at = request + i + strlen(key);
      break;
    }
  }
  if (at == NULL) return;
  size_t n = 0;
  while (at + n < request + size && at[n] != '"' && n + 1 < who_size) ++n;
  memcpy(who, at, n);
  who[n] = '\0';
}

static int32_t run_command(void* instance, const char* path, const char* request, size_t request_size, int32_t* exit_code,
                           berth_buffer* error) {
  (void)instance;
  if (strcmp(path, "frozen hello") != 0) {
    fill(error, "no such command");
    return BERTH_STATUS_PLUGIN;
  }
  char who[64];
  who_of(request, request_size, who, sizeof(who));
  char result[256];
  snprintf(result, sizeof(result), "{\"data\":{\"greeting\":\"hello %s\",\"abi_minor_of_host\":%u}}", who,
           (unsigned)g_host->abi_minor);
  g_host->log(g_host->host, BERTH_LOG_DEBUG, "frozen: greeting", strlen("frozen: greeting"));
  int32_t status = g_host->emit(g_host->host, result, strlen(result), error);
  if (status != BERTH_STATUS_OK) return status;
  *exit_code = 0;
  return BERTH_STATUS_OK;
}

static void close_plugin(void* instance) { (void)instance; }

__attribute__((visibility("default"))) const berth_plugin* berth_plugin_entry(void) {
  static const berth_plugin plugin = {BERTH_ABI_MAJOR, sizeof(berth_plugin), BERTH_ABI_MINOR, 0,
                                      "frozen", "2.0.0", "2.0 (frozen headers)", "C",
                                      open_plugin, describe, create, run_command, close_plugin};
  return &plugin;
}
