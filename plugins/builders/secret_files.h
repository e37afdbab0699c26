// Which files of a build context look like secrets, so berth's builder
// refuses to pack them unless the project names them deliberately
// (build.include-secrets) or .dockerignore leaves them out.
//
// By name: `.env` and `.env.*` (environment files; the templates
// `.env.example`, `.env.sample` and `.env.template` are meant to be
// committed and are not secrets), `*.key` (cosign.key among them),
// `.asap-config` (an ASAP private key), and SSH private keys (`id_rsa`,
// `id_dsa`, `id_ecdsa`, `id_ed25519` and their `_sk` forms). By content:
// a `*.pem` or other `id_*` file (not `*.pub`) holding a PRIVATE KEY block.
#ifndef BERTH_PLUGINS_BUILDERS_SECRET_FILES_H_
#define BERTH_PLUGINS_BUILDERS_SECRET_FILES_H_

#include <filesystem>
#include <optional>
#include <string>

namespace berth::builders {

// What the regular file at `path` looks like ("an environment file", "a
// private key"), or nullopt when it does not look like a secret.
std::optional<std::string> SecretKind(const std::filesystem::path& path);

}  // namespace berth::builders

#endif  // BERTH_PLUGINS_BUILDERS_SECRET_FILES_H_
