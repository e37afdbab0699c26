# Shared by the benchmarks (source it): the common arguments, the work folder
# removed on exit, and docker-registry instances on free 127.0.0.1 ports.
#
#   runs=3; source "$(dirname "$0")/../lib.sh"; bench_init "$@"
#
# bench_init sets repo, berth, runs and work; bench_start_registry NAME [LOG]
# serves $work/NAME/storage and records registry_port[NAME], registry_pid[NAME].

bench_usage() { echo "usage: $0 [--berth PATH] [--runs N] [--workdir DIR]" >&2; exit 2; }

bench_init() {
  repo=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
  berth=$repo/build/bin/berth
  work=
  while [ $# -gt 0 ]; do
    case "$1" in
      --berth) berth=$(realpath "$2"); shift 2 ;;
      --runs) runs=$2; shift 2 ;;
      --workdir) work=$2; shift 2 ;;
      *) bench_usage ;;
    esac
  done
  [ -x "$berth" ] || { echo "no berth binary at $berth (build first)" >&2; exit 2; }
  if [ -z "$work" ]; then work=$(mktemp -d /tmp/berth-bench.XXXXXX); fi
  mkdir -p "$work/m"
  trap bench_cleanup EXIT
}

bench_require() {
  for tool in "$@"; do
    command -v "$tool" >/dev/null || { echo "missing $tool" >&2; exit 2; }
  done
}

declare -A registry_pid registry_port
bench_cleanup() {
  for name in "${!registry_pid[@]}"; do
    kill "${registry_pid[$name]}" 2>/dev/null || true
    wait "${registry_pid[$name]}" 2>/dev/null || true
  done
  rm -rf "$work"
}

bench_free_port() { /usr/bin/python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])'; }

# bench_start_registry NAME [LOG_YAML]: a port kept across restarts of NAME;
# LOG_YAML defaults to warnings only, without the access log.
bench_start_registry() {
  local name=$1 log=${2:-"{level: warn, accesslog: {disabled: true}}"} dir=$work/$1
  mkdir -p "$dir/storage"
  [ -n "${registry_port[$name]:-}" ] || registry_port[$name]=$(bench_free_port)
  cat >"$dir/config.yml" <<YAML
version: 0.1
log: $log
storage:
  filesystem: {rootdirectory: $dir/storage}
  delete: {enabled: true}
  maintenance: {uploadpurging: {enabled: false}}
http: {addr: 127.0.0.1:${registry_port[$name]}, secret: bench-secret}
YAML
  docker-registry serve "$dir/config.yml" >"$dir/log" 2>&1 &
  registry_pid[$name]=$!
  for _ in $(seq 100); do
    curl -sf "http://127.0.0.1:${registry_port[$name]}/v2/" >/dev/null 2>&1 && return 0
    sleep 0.05
  done
  echo "registry $name did not start: $(cat "$dir/log")" >&2
  exit 1
}

bench_stop_registry() {
  kill "${registry_pid[$1]}" && wait "${registry_pid[$1]}" 2>/dev/null || true
  unset "registry_pid[$1]"
}

bench_registry_host() { echo "127.0.0.1:${registry_port[$1]}"; }
