/* The berth plugin boundary: the only thing that crosses between the berth
 * host and a plugin library. Plain C, so that a plugin built by any compiler
 * against any C++ standard library loads in any later berth whose ABI major
 * version is the same.
 *
 * Shape (after SQLite's sqlite3_api_routines and DuckDB's C extension API):
 *   - The plugin exports one symbol, berth_plugin_entry, returning a
 *     berth_plugin: its identity and the functions the host calls.
 *   - The host hands the plugin a berth_host_api: the services a plugin may
 *     use (logging, redaction, results, input, other plugins' objects).
 *   - What a plugin provides (a secret store, a target, a signer, a
 *     credential provider, a registry) is a berth_object: an opaque pointer
 *     and a call function taking a method name and a JSON request.
 *   - Structured data crosses as JSON text (UTF-8, sized, not necessarily
 *     NUL-terminated); binary data as sized buffers.
 *
 * Versioning rules (docs/plugin-sdk.md, "The boundary and its versions"):
 *   - BERTH_ABI_MAJOR must match exactly; the host reads it from the first
 *     field of berth_plugin before it calls anything else.
 *   - Within a major version structs only grow: new members go at the end,
 *     and every struct starts with its own struct_size so that each side
 *     reads only what the other has. BERTH_ABI_MINOR counts the additions.
 *   - Method names and JSON fields are added, never changed or removed;
 *     readers ignore fields they do not know. An unknown method answers
 *     BERTH_STATUS_UNSUPPORTED.
 *   - Changing or removing anything here is a new major version.
 *
 * Ownership: a berth_buffer is filled by the side that allocates it, which
 * also sets its release function; the side that receives it calls release
 * exactly once (when not NULL) and never frees it any other way. Pointers
 * passed as arguments (const char*, const berth_host_api*) are borrowed for
 * the duration of the call only, except berth_host_api, which stays valid
 * until close() returns.
 *
 * No C++ exception may leave a function of either side; errors are status
 * codes (berth's exit codes) with a one-line message in a berth_buffer.
 */
#ifndef BERTH_ABI_BERTH_PLUGIN_API_H_
#define BERTH_ABI_BERTH_PLUGIN_API_H_

#include <stddef.h>
#include <stdint.h>

#ifdef __cplusplus
extern "C" {
#endif

#define BERTH_ABI_MAJOR 2
#define BERTH_ABI_MINOR 3

/* The symbol every plugin exports: const berth_plugin* berth_plugin_entry(void). */
#define BERTH_PLUGIN_ENTRY_SYMBOL "berth_plugin_entry"

/* Status codes: 0 is success, anything else is one of berth's exit codes
 * (docs/commands.md), which the host passes on to the user. */
#define BERTH_STATUS_OK 0
#define BERTH_STATUS_FAILURE 1
#define BERTH_STATUS_USAGE 2
#define BERTH_STATUS_INVALID_INPUT 3
#define BERTH_STATUS_PLUGIN 4
#define BERTH_STATUS_VERIFICATION 5
#define BERTH_STATUS_NOT_FOUND 6
#define BERTH_STATUS_AUTH 7
#define BERTH_STATUS_DEPLOY 8
/* An object or host does not know the method or service asked for. */
#define BERTH_STATUS_UNSUPPORTED 64
#define BERTH_STATUS_INTERRUPTED 130

/* Log levels for berth_host_api.log. */
#define BERTH_LOG_TRACE 0
#define BERTH_LOG_DEBUG 1
#define BERTH_LOG_INFO 2
#define BERTH_LOG_WARN 3
#define BERTH_LOG_ERROR 4

typedef struct berth_buffer {
  char* data;
  size_t size;
  /* Set by the side that filled the buffer; the receiver calls it once. */
  void (*release)(struct berth_buffer* buffer);
} berth_buffer;

/* Something a plugin provides, created by berth_plugin.create or obtained
 * from berth_host_api.open. Methods by kind (requests and replies are JSON
 * objects; docs/plugin-sdk.md lists their fields):
 *   secret-store: set, list, delete, diff
 *   target:       plan, deploy, status, history, rollback
 *   signer:       generate_key_pair, sign, verify, check_key (minor 3)
 *   credential:   token
 *   registry:     get_credential, validate_reference, delete_manifest
 *   builder:      check, build (minor 1)
 */
typedef struct berth_object {
  void* self;
  /* Returns a status; on success *reply holds a JSON object, otherwise
   * *error holds a one-line message. Either buffer may be left empty. */
  int32_t (*call)(void* self, const char* method, const char* request, size_t request_size, berth_buffer* reply,
                  berth_buffer* error);
  /* Frees the object; called once, by whoever holds it last. */
  void (*destroy)(void* self);
} berth_object;

typedef struct berth_host_api {
  uint32_t struct_size; /* sizeof(berth_host_api) as the host was built. */
  uint32_t abi_major;
  uint32_t abi_minor;
  uint32_t reserved;
  void* host; /* Passed back as the first argument of every function below. */

  /* Writes one log line to stderr (redacted by the host). */
  void (*log)(void* host, int32_t level, const char* message, size_t size);
  /* Non-zero when a message of this level would be written. */
  int32_t (*log_enabled)(void* host, int32_t level);
  /* Registers a secret value: the host removes it from every log line and
   * message from now on. */
  void (*add_redaction)(void* host, const char* secret, size_t size);
  /* A command's result, as JSON: {"data": ..., "table": {"columns": [...],
   * "rows": [[...]]}} (table optional), or {"line": "..."} for a bare line,
   * or {"text": "..."} for text written as it is. The host prints it in the
   * format the user chose (-o). */
  int32_t (*emit)(void* host, const char* json, size_t size, berth_buffer* error);
  /* Reads up to size bytes of the command's standard input; returns the
   * count, 0 at the end, -1 on an error. */
  int64_t (*read_input)(void* host, char* buffer, size_t size);
  /* Opens an object another plugin (or this one) provides: kind is
   * "secret-store", "target", "signer", "credential", "registry" or "builder"; settings
   * is a JSON object. The caller owns *out and destroys it. */
  int32_t (*open)(void* host, const char* kind, const char* name, const char* settings, size_t settings_size,
                  berth_object* out, berth_buffer* error);
  /* A host service by name, JSON in and out. Services of minor 0:
   *   "registry.client-options" {"reference": REF or HOST, "host_only"?: bool} -> {"registry": HOST,
   *       "settings": {..., "plugin", "plugin_settings"}} (registries.yaml's entry for the host)
   *   "registry.credential" {"registry": HOST, "scopes": [...]} -> {"credential": {...}|null}
   *   "project.context" {"environment"?: NAME} -> {"present": bool, "dir", "file", "service", "environment",
   *       "environments": [NAME...], "target"?: {"plugin", "settings"}, "secrets"?: {"store", "settings",
   *       "from": [absolute path...]}} (settings as checked for factories; "environments" and "from" were added
   *       later, so older hosts leave them out)
   * Added in minor 1 (an older host answers BERTH_STATUS_UNSUPPORTED):
   *   "http.request" {"method", "url", "headers": [[name, value]...], "body" (UTF-8) or
   *       "body_base64", "timeout_ms" (whole exchange, per try), "connect_timeout_ms",
   *       "retry": {"attempts", "initial_backoff_ms", "max_backoff_ms", "statuses"},
   *       "tls": {"insecure_skip_verify", "ca_pem", "client_cert_pem", "client_key_pem",
   *       "server_name"}, "follow_redirects", "max_body_bytes", "proxy"}
   *     -> {"status", "headers": [[name, value]...], "body" or "body_base64" (when not
   *       UTF-8), "effective_url", "attempts"}
   *     Any HTTP status is a reply. No answer (refused, TLS, timed out) is
   *     BERTH_STATUS_FAILURE with one line naming the method and the URL
   *     without its query ("GET https://h/p: timed out after 10 s"); Ctrl-C is
   *     BERTH_STATUS_INTERRUPTED; a malformed request BERTH_STATUS_INVALID_INPUT.
   *     Retries follow 408, 429 and 5xx (or "statuses") and transport errors
   *     worth repeating, with backoff and Retry-After. berth logs no header.
   * Added in minor 2 (an older host answers BERTH_STATUS_UNSUPPORTED):
   *   "process.run" {"argv": [...], "stdin_base64"?, "env_set"?: {NAME: VALUE}, "env_unset"?: [...],
   *       "cwd"?, "timeout_ms"?, "inherit_stderr"?: bool}
   *     -> {"exit_code" (-1 when killed or timed out), "timed_out", "stdout_base64", "stderr_base64"}
   *     The host refuses (BERTH_STATUS_INVALID_INPUT) an argv that holds a
   *     registered secret: secrets go to a child on stdin or in a 0600 file.
   *   "url.parse" {"url", "base"?} -> {"url" (resolved against base), "scheme", "host"
   *       (with ":port" when the URL has one), "origin" ("scheme://host:port")}
   *     One URL parser (the host's) for host and plugins, so that what a
   *     plugin checks is what the host's HTTP client will contact.
   *   "progress" {"line"} -> {}: a line of progress on stderr, unless the
   *     user asked for quiet (-q); redacted.
   *   Registry operations made by the host's own client for the registry the
   *   reference names: routed to the registry plugin that claims the host,
   *   with the user's registries.yaml settings, this run's flags and the
   *   user's credentials, which never enter the plugin. Manifests and blobs
   *   cross as base64; digests are verified by the host.
   *   "oci.manifest.head" {"image": REF} -> {"found": bool, "digest", "media_type", "size"}
   *   "oci.manifest.get" {"image": REF, "if_exists"?: bool}
   *     -> {"found", "digest", "media_type", "size", "manifest_base64"}
   *     Verified against the digest asked for, or the one the registry sent.
   *     A missing manifest is BERTH_STATUS_NOT_FOUND, or {"found": false}
   *     with "if_exists".
   *   "oci.manifest.put" {"image": REPO[:TAG or @DIGEST], "media_type", "manifest_base64"}
   *     -> {"digest"} (without a tag or digest, stored under its own digest)
   *   "oci.blob.get" {"repository": REGISTRY/PATH, "digest", "size"?, "max_bytes"?}
   *     -> {"blob_base64"} For small blobs (configs, signatures): verified
   *     against the digest (and size); more than max_bytes (default 4 MiB,
   *     at most 64 MiB) is refused with BERTH_STATUS_INVALID_INPUT.
   *   "oci.blob.put" {"repository", "blob_base64"} -> {"digest", "size"}
   *     Skipped when the repository has it; 64 MiB at most.
   *   "oci.referrers" {"image": REGISTRY/PATH@DIGEST, "artifact_type"?}
   *     -> {"manifests": [descriptor...]} (the referrers API, else the
   *     sha256-<hex> tag)
   *   "oci.copy" {"from": LOCATION, "to": LOCATION, "platform"?: "os/arch[/variant]"}
   *     -> {"digest", "media_type", "platforms"} LOCATION is what berth copy
   *     takes: a registry reference, oci:DIR[:TAG|@DIGEST],
   *     docker-archive:FILE[:NAME:TAG]; "platform" picks one of an index.
   *   Errors are one line naming the service, the registry and repository
   *   (or the copy's locations) and what failed, with berth's exit codes
   *   (NOT_FOUND, AUTH, VERIFICATION for a digest that does not match,
   *   INVALID_INPUT for a malformed request):
   *   "oci.manifest.get 127.0.0.1:5000/team/app: manifest v1 failed: 404 MANIFEST_UNKNOWN (...)".
   */
  int32_t (*call)(void* host, const char* service, const char* request, size_t request_size, berth_buffer* reply,
                  berth_buffer* error);

  /* Added in minor 2: a plugin reads them only when struct_size covers them.
   * Plain functions rather than services because they guard files that must
   * not outlive an interrupted run (a secret written to a temporary file):
   * when SIGINT or SIGTERM ends berth, the host's handler removes them. */
  /* Removes path (a file, or a directory with its contents when is_directory
   * is non-zero) if berth is interrupted; returns a slot for
   * keep_on_interrupt, or -1 when the host cannot take more. */
  int32_t (*remove_on_interrupt)(void* host, const char* path, size_t size, int32_t is_directory);
  /* Forgets a slot of remove_on_interrupt (the file was renamed or removed). */
  void (*keep_on_interrupt)(void* host, int32_t slot);
  /* open != 0 enters, 0 leaves a window in which the interrupt handler waits
   * (up to a second) before it cleans up: around creating a file and
   * registering it. Entering while berth is already exiting never returns. */
  void (*interrupt_window)(void* host, int32_t open);
} berth_host_api;

typedef struct berth_plugin {
  uint32_t abi_major;   /* First, in every major version: BERTH_ABI_MAJOR. */
  uint32_t struct_size; /* sizeof(berth_plugin) as the plugin was built. */
  uint32_t abi_minor;   /* BERTH_ABI_MINOR of the headers the plugin was built with. */
  uint32_t reserved;
  const char* name;       /* [a-z][a-z0-9-]{0,63}; equals the manifest's. */
  const char* version;    /* The plugin's own version. */
  const char* sdk_version; /* The berth SDK the plugin was built against. */
  const char* built_with;  /* Compiler and standard library, for messages. */

  /* Runs the plugin's registration. On success *instance is the plugin's
   * state, passed to every function below; host stays valid until close. */
  int32_t (*open)(const berth_host_api* host, void** instance, berth_buffer* error);
  /* What the plugin registered, as JSON: {"description": "...",
   * "provides": [{"kind","name","summary","hosts"}], "commands": [{"path",
   * "summary","description","options":[...]}]}. */
  int32_t (*describe)(void* instance, berth_buffer* description, berth_buffer* error);
  /* Creates an object of a kind it provides; settings is a JSON object. */
  int32_t (*create)(void* instance, const char* kind, const char* name, const char* settings, size_t settings_size,
                    berth_object* out, berth_buffer* error);
  /* Runs one of its commands. request is JSON: {"args": {"NAME": [values]},
   * "interactive": bool, "format": "table"|"json"|"yaml", "color": bool}.
   * *exit_code is the command's exit code when the status is OK. */
  int32_t (*run_command)(void* instance, const char* path, const char* request, size_t request_size,
                         int32_t* exit_code, berth_buffer* error);
  /* Frees the instance; no object it created is used afterwards. */
  void (*close)(void* instance);
} berth_plugin;

typedef const berth_plugin* (*berth_plugin_entry_fn)(void);

#ifdef __cplusplus
}  /* extern "C" */
#endif

#endif /* BERTH_ABI_BERTH_PLUGIN_API_H_ */
