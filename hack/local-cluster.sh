#!/usr/bin/env bash
# local-cluster.sh - a real Kubernetes API server (v1.20.2) and etcd on loopback,
# for development, the demo and the end-to-end tests of vigie.
#
# Usage:
#   hack/local-cluster.sh start [--local]   start (or reuse) the local API server
#   hack/local-cluster.sh stop              stop it and wipe its etcd data
#   hack/local-cluster.sh stop --keep-data  stop etcd and the API server, keep etcd's data: the
#                                           next `start` resumes it (objects, resourceVersions)
#   hack/local-cluster.sh restart           stop --keep-data, then start --local: a control plane
#                                           restart, as clients see during an upgrade or outage
#   hack/local-cluster.sh status            exit 0 if the local API server answers
#   hack/local-cluster.sh env               print 'export KUBECONFIG=...' (for eval)
#   hack/local-cluster.sh build             only make sure the kube-apiserver binary exists
#   hack/local-cluster.sh kubectl ARGS...   run Debian's kubectl 1.20.2 against the local API server
#
# `start` without --local first checks whether the current kubeconfig ($KUBECONFIG or
# ~/.kube/config) already reaches a cluster; if it does, that cluster is used and nothing
# is started. Otherwise (or with --local) it installs what is missing from Debian's
# packages (as root), builds kube-apiserver once from Debian's `kubernetes` source
# package (~6-10 minutes on 2 cores; cached afterwards), makes certificates, starts etcd
# and kube-apiserver in the background bound to 127.0.0.1, and waits until /readyz is ok.
# `start` starts from an empty etcd, unless the previous `stop` was `stop --keep-data`: then it
# resumes that data with the same certificates, port and kubeconfig, so clients (an operator
# running against it) reconnect on their own; the end-to-end tests use this for fault injection.
# On stdout `start` prints only `export KUBECONFIG=...` for the local cluster (nothing
# when an existing cluster is used), so `eval "$(hack/local-cluster.sh start)"` works;
# all progress messages go to stderr.
#
# Exit codes: 0 ok; 1 error (e.g. the API server did not become ready); 2 usage;
# 3 "local-cluster: cannot provide a local API server: <reason>" on stderr, when this
# machine cannot provide one (no apt-get, not root and packages missing, package
# install, source download or build failed, port taken): test harnesses may skip on 3.
#
# Environment (defaults):
#   VIGIE_CACHE_DIR       ~/.cache/vigie            binary cache, build dir, private apt state
#   VIGIE_CLUSTER_DIR     $VIGIE_CACHE_DIR/cluster  certs, kubeconfig, pid files, logs, etcd data
#   VIGIE_APISERVER_PORT  16443
#   VIGIE_ETCD_PORT       23790
#   VIGIE_ETCD_PEER_PORT  $VIGIE_ETCD_PORT + 10 (23800)
#   VIGIE_START_TIMEOUT   90 (seconds to wait for /readyz)
#   VIGIE_KEEP_BUILD      set to 1 to keep the source/build tree after a build
set -euo pipefail

readonly K8S_VERSION=v1.20.2
readonly PROG=local-cluster

if [[ -z ${HOME:-} ]]; then
  HOME=$(getent passwd "$(id -u)" | cut -d: -f6 || true)
  HOME=${HOME:-/tmp}
  export HOME
fi

CACHE_DIR=${VIGIE_CACHE_DIR:-$HOME/.cache/vigie}
CLUSTER_DIR=${VIGIE_CLUSTER_DIR:-$CACHE_DIR/cluster}
APISERVER_PORT=${VIGIE_APISERVER_PORT:-16443}
ETCD_PORT=${VIGIE_ETCD_PORT:-23790}
ETCD_PEER_PORT=${VIGIE_ETCD_PEER_PORT:-$((ETCD_PORT + 10))}
START_TIMEOUT=${VIGIE_START_TIMEOUT:-90}

BIN_DIR=$CACHE_DIR/bin
APISERVER_BIN=$BIN_DIR/kube-apiserver-$K8S_VERSION
BUILD_DIR=$CACHE_DIR/build
PKI_DIR=$CLUSTER_DIR/pki
ETCD_DATA_DIR=$CLUSTER_DIR/etcd-data
ETCD_DATA_KEPT=$CLUSTER_DIR/etcd-data.kept
KUBECONFIG_FILE=$CLUSTER_DIR/kubeconfig
ETCD_PID=$CLUSTER_DIR/etcd.pid
APISERVER_PID=$CLUSTER_DIR/kube-apiserver.pid
ETCD_LOG=$CLUSTER_DIR/etcd.log
APISERVER_LOG=$CLUSTER_DIR/kube-apiserver.log
ETCD_BIN=/usr/bin/etcd
# Debian's kubectl (kubernetes-client 1.20.2). If /usr/bin/kubectl belongs to another
# package (e.g. Google's kubectl), Debian's is unpacked into the cache instead.
DEBIAN_KUBECTL=/usr/bin/kubectl
CACHED_KUBECTL=$BIN_DIR/kubectl-$K8S_VERSION
readonly BUILD_PACKAGES=(golang-go rsync dpkg-dev make golang-github-modern-go-reflect2-dev)
readonly REFLECT2_SRC=/usr/share/gocode/src/github.com/modern-go/reflect2

log() { printf '%s: %s\n' "$PROG" "$*" >&2; }
die() { printf '%s: %s\n' "$PROG" "$*" >&2; exit 1; }
unavailable() {
  printf '%s: cannot provide a local API server: %s\n' "$PROG" "$*" >&2
  exit 3
}
usage() { sed -n '2,/^set -euo/{/^set -euo/d;s/^# \{0,1\}//;p}' "$0" >&2; }

is_root() { [[ $(id -u) -eq 0 ]]; }

# --- prerequisites ----------------------------------------------------------------

pkg_installed() {
  [[ $(dpkg-query -W -f='${db:Status-Status}' "$1" 2>/dev/null || true) == installed ]]
}

APT_UPDATED=
apt_update_once() {
  [[ -n $APT_UPDATED ]] && return 0
  log "apt-get update"
  mkdir -p "$CACHE_DIR"
  apt-get -q update >>"$CACHE_DIR/apt.log" 2>&1 ||
    { tail -n 15 "$CACHE_DIR/apt.log" >&2; unavailable "apt-get update failed (see $CACHE_DIR/apt.log)"; }
  APT_UPDATED=1
}

# The etcd-server package would start a system etcd on :2379 from its init script;
# keep services from starting while installing (unless a policy already exists).
apt_install() {
  local policy=/usr/sbin/policy-rc.d created_policy='' rc=0 p needs_update=''
  for p in "$@"; do
    # (no `| grep -q`: with pipefail, grep's early exit would fail the pipeline)
    [[ $(apt-cache policy "$p" 2>/dev/null || true) == *"Candidate: "[0-9]* ]] || needs_update=1
  done
  [[ -n $needs_update ]] && apt_update_once
  if [[ ! -e $policy ]]; then
    printf '#!/bin/sh\nexit 101\n' >"$policy" && chmod 755 "$policy" && created_policy=1
  fi
  log "installing Debian packages: $* (log: $CACHE_DIR/apt.log)"
  mkdir -p "$CACHE_DIR"
  local install_cmd=(apt-get -q -y --no-install-recommends -o DPkg::Lock::Timeout=300 install "$@")
  DEBIAN_FRONTEND=noninteractive "${install_cmd[@]}" >>"$CACHE_DIR/apt.log" 2>&1 || rc=$?
  if [[ $rc -ne 0 && -z $APT_UPDATED ]]; then
    apt_update_once
    rc=0
    DEBIAN_FRONTEND=noninteractive "${install_cmd[@]}" >>"$CACHE_DIR/apt.log" 2>&1 || rc=$?
  fi
  if [[ -n $created_policy ]]; then rm -f "$policy"; fi
  if [[ $rc -ne 0 ]]; then
    tail -n 15 "$CACHE_DIR/apt.log" >&2
    unavailable "apt-get install $* failed (see $CACHE_DIR/apt.log)"
  fi
}

# ensure_packages PKG... : install the missing ones (root only).
ensure_packages() {
  local absent=() p
  for p in "$@"; do pkg_installed "$p" || absent+=("$p"); done
  [[ ${#absent[@]} -eq 0 ]] && return 0
  is_root || unavailable "missing Debian packages (${absent[*]}) and not root to install them"
  apt_install "${absent[@]}"
}

check_platform() {
  [[ $(uname -s) == Linux ]] || unavailable "not Linux"
  if ! command -v apt-get >/dev/null || ! command -v dpkg-query >/dev/null; then
    unavailable "not a Debian system (apt-get/dpkg missing)"
  fi
  local tool
  for tool in flock setsid timeout base64; do
    command -v "$tool" >/dev/null || unavailable "$tool missing (util-linux/coreutils)"
  done
  [[ $(dpkg --print-architecture) == amd64 || $(dpkg --print-architecture) == arm64 ]] ||
    unavailable "unsupported architecture $(dpkg --print-architecture)"
}

# kubectl_bin: path of Debian's kubectl 1.20.2, installing/unpacking it if needed.
KUBECTL=
ensure_kubectl() {
  [[ -n $KUBECTL ]] && return 0
  if pkg_installed kubernetes-client && [[ -x $DEBIAN_KUBECTL ]]; then
    KUBECTL=$DEBIAN_KUBECTL
    return 0
  fi
  if [[ -x $CACHED_KUBECTL ]]; then
    KUBECTL=$CACHED_KUBECTL
    return 0
  fi
  if [[ ! -e $DEBIAN_KUBECTL ]] && is_root; then
    apt_install kubernetes-client
    KUBECTL=$DEBIAN_KUBECTL
    return 0
  fi
  # /usr/bin/kubectl is taken by another package (dpkg would refuse to overwrite it),
  # or we are not root: unpack Debian's kubernetes-client .deb into the cache.
  log "unpacking Debian's kubernetes-client (kubectl $K8S_VERSION) into $BIN_DIR"
  local tmp
  tmp=$(mktemp -d)
  if ! (cd "$tmp" && apt-get -q download kubernetes-client >/dev/null 2>&1); then
    if is_root; then apt_update_once; fi
    (cd "$tmp" && apt-get -q download kubernetes-client >/dev/null) ||
      { rm -rf "$tmp"; unavailable "cannot download Debian's kubernetes-client package"; }
  fi
  dpkg-deb -x "$tmp"/kubernetes-client_*.deb "$tmp/root"
  mkdir -p "$BIN_DIR"
  install -m 755 "$tmp/root/usr/bin/kubectl" "$CACHED_KUBECTL.tmp"
  mv -f "$CACHED_KUBECTL.tmp" "$CACHED_KUBECTL"
  rm -rf "$tmp"
  KUBECTL=$CACHED_KUBECTL
}

ensure_runtime_prereqs() {
  check_platform
  ensure_packages etcd-server openssl
  [[ -x $ETCD_BIN ]] || unavailable "$ETCD_BIN missing after installing etcd-server"
  ensure_kubectl
}

# --- building kube-apiserver --------------------------------------------------------

# A private apt configuration with a deb-src entry for Debian's bookworm main, so that
# `apt-get source` works without touching the system's apt sources.
APT_SRC_OPTS=()
setup_source_apt() {
  local dir=$CACHE_DIR/apt uri keyring
  mkdir -p "$dir/sources.list.d" "$dir/lists/partial" "$dir/cache/archives/partial"
  uri=$(awk -F': *' 'tolower($1)=="uris" {print $2; exit}' /etc/apt/sources.list.d/debian.sources 2>/dev/null || true)
  uri=${uri%% *}
  [[ $uri == http*://* ]] || uri=http://deb.debian.org/debian
  keyring=/usr/share/keyrings/debian-archive-keyring.gpg
  [[ -r $keyring ]] || unavailable "$keyring missing (package debian-archive-keyring)"
  cat >"$dir/sources.list.d/vigie-deb-src.sources" <<EOF
Types: deb-src
URIs: $uri
Suites: bookworm
Components: main
Signed-By: $keyring
EOF
  : >"$dir/sources.list"
  APT_SRC_OPTS=(-o "Dir::Etc::SourceList=$dir/sources.list"
    -o "Dir::Etc::SourceParts=$dir/sources.list.d"
    -o "Dir::State::Lists=$dir/lists"
    -o "Dir::Cache=$dir/cache"
    -o "APT::Sandbox::User=$(id -un)")
  if ! compgen -G "$dir/lists/*_Sources*" >/dev/null; then
    log "fetching the index of Debian's source packages (bookworm main)"
    apt-get -q "${APT_SRC_OPTS[@]}" update >>"$dir/update.log" 2>&1 ||
      { tail -n 15 "$dir/update.log" >&2; unavailable "cannot fetch Debian's source index from $uri"; }
  fi
}

build_apiserver() {
  check_platform
  ensure_packages "${BUILD_PACKAGES[@]}"
  [[ -d $REFLECT2_SRC ]] || unavailable "$REFLECT2_SRC missing"
  export PATH=/usr/lib/go/bin:$PATH
  command -v go >/dev/null || unavailable "no go compiler after installing golang-go"

  log "the first run builds kube-apiserver $K8S_VERSION from Debian's 'kubernetes' source package;"
  log "this takes about 6-10 minutes on 2 cores and ~1.5 GB of memory (log: $BUILD_DIR/build.log)"
  local started=$SECONDS
  rm -rf "$BUILD_DIR"
  mkdir -p "$BUILD_DIR"
  setup_source_apt
  log "downloading Debian's kubernetes source package (~35 MB)"
  if ! (cd "$BUILD_DIR" && apt-get -q "${APT_SRC_OPTS[@]}" source kubernetes >"$BUILD_DIR/source.log" 2>&1); then
    # a stale source index gives 404s: refresh it once
    apt-get -q "${APT_SRC_OPTS[@]}" update >>"$CACHE_DIR/apt/update.log" 2>&1 || true
    (cd "$BUILD_DIR" && apt-get -q "${APT_SRC_OPTS[@]}" source kubernetes >"$BUILD_DIR/source.log" 2>&1) ||
      { tail -n 20 "$BUILD_DIR/source.log" >&2; unavailable "apt-get source kubernetes failed (see $BUILD_DIR/source.log)"; }
  fi
  local src
  src=$(find "$BUILD_DIR" -maxdepth 1 -type d -name 'kubernetes-*' | head -n 1)
  [[ -n $src && -f $src/build/root/Makefile ]] || unavailable "unexpected layout of Debian's kubernetes source package"
  [[ -d $src/vendor/github.com/modern-go/reflect2 ]] || unavailable "no vendored reflect2 in the kubernetes source"
  grep -q "tag: $K8S_VERSION'" "$src/hack/lib/version.sh" ||
    log "warning: the source package does not look like $K8S_VERSION"

  # reflect2 1.0.1 crashes (SIGSEGV in map iteration) when built with Go >= 1.18: use
  # Debian's 1.0.2.
  log "replacing vendored github.com/modern-go/reflect2 1.0.1 by Debian's 1.0.2"
  rm -rf "$src/vendor/github.com/modern-go/reflect2"
  mkdir -p "$src/vendor/github.com/modern-go/reflect2"
  cp -a "$REFLECT2_SRC"/. "$src/vendor/github.com/modern-go/reflect2/"

  # No .git in the tree: give the version explicitly.
  cat >"$BUILD_DIR/version.env" <<EOF
KUBE_GIT_COMMIT='faecb196815e248d3ecfb03c680a4507229c2a56'
KUBE_GIT_TREE_STATE='clean'
KUBE_GIT_VERSION='$K8S_VERSION'
KUBE_GIT_MAJOR='1'
KUBE_GIT_MINOR='20'
EOF

  local log_file=$BUILD_DIR/build.log
  log "building (go $(go env GOVERSION)); progress every 30 s"
  mkdir -p "$BUILD_DIR/home"
  (
    cd "$src"
    exec env HOME="$BUILD_DIR/home" GOPROXY=off GOFLAGS=-v CGO_ENABLED=0 GO111MODULE=off \
      KUBE_GIT_VERSION_FILE="$BUILD_DIR/version.env" KUBE_VERBOSE=1 \
      make WHAT=cmd/kube-apiserver
  ) </dev/null >"$log_file" 2>&1 &
  local make_pid=$! rc=0
  while kill -0 "$make_pid" 2>/dev/null; do
    local i
    for ((i = 0; i < 30; i++)); do
      kill -0 "$make_pid" 2>/dev/null || break
      sleep 1
    done
    kill -0 "$make_pid" 2>/dev/null || break
    local lines last
    lines=$(wc -l <"$log_file")
    last=$(grep -v '^\s*$' "$log_file" | tail -n 1 | cut -c1-100)
    log "  ... building, $((SECONDS - started)) s elapsed, $lines log lines, last: $last"
  done
  wait "$make_pid" || rc=$?
  local out=$src/_output/bin/kube-apiserver
  [[ -x $out ]] || out=$src/_output/local/bin/linux/$(go env GOARCH)/kube-apiserver
  if [[ $rc -ne 0 || ! -x $out ]]; then
    tail -n 30 "$log_file" >&2
    unavailable "building kube-apiserver failed (exit $rc; see $log_file)"
  fi
  local version
  version=$("$out" --version 2>&1 || true)
  [[ $version == "Kubernetes $K8S_VERSION" ]] || log "warning: built binary reports '$version'"
  mkdir -p "$BIN_DIR"
  install -m 755 "$out" "$APISERVER_BIN.tmp"
  mv -f "$APISERVER_BIN.tmp" "$APISERVER_BIN"
  log "built $APISERVER_BIN ($version) in $((SECONDS - started)) s"
  if [[ ${VIGIE_KEEP_BUILD:-} != 1 ]]; then
    cp "$log_file" "$BIN_DIR/kube-apiserver-$K8S_VERSION.build.log" 2>/dev/null || true
    chmod -R u+w "$BUILD_DIR" 2>/dev/null || true
    rm -rf "$BUILD_DIR" "$CACHE_DIR/apt"
  fi
}

ensure_apiserver_binary() {
  [[ -x $APISERVER_BIN ]] && return 0
  mkdir -p "$CACHE_DIR"
  # Several concurrent callers: only one builds.
  exec 8>"$CACHE_DIR/.build.lock"
  if ! flock -n 8; then
    log "another process is building kube-apiserver; waiting for it"
    flock -w 1800 8 || unavailable "another build of kube-apiserver still holds $CACHE_DIR/.build.lock after 30 minutes"
  fi
  if [[ ! -x $APISERVER_BIN ]]; then
    build_apiserver
  fi
  exec 8>&-
}

# --- certificates and kubeconfig ----------------------------------------------------

PKI_FILES=(ca.crt ca.key apiserver.crt apiserver.key admin.crt admin.key sa.key sa.pub)

ensure_certs() {
  local f incomplete=''
  for f in "${PKI_FILES[@]}"; do [[ -s $PKI_DIR/$f ]] || incomplete=1; done
  [[ -z $incomplete ]] && return 0
  log "generating certificates in $PKI_DIR"
  local tmp
  tmp=$(mktemp -d "$CLUSTER_DIR/pki.tmp.XXXXXX")
  (
    cd "$tmp"
    umask 077
    cat >openssl.cnf <<'EOF'
[req]
distinguished_name = dn
prompt = no
[dn]
CN = unused
[ca]
basicConstraints = critical, CA:TRUE
keyUsage = critical, digitalSignature, keyEncipherment, keyCertSign, cRLSign
subjectKeyIdentifier = hash
[server]
basicConstraints = critical, CA:FALSE
keyUsage = critical, digitalSignature, keyEncipherment
extendedKeyUsage = serverAuth
subjectAltName = IP:127.0.0.1, DNS:localhost, DNS:kubernetes, DNS:kubernetes.default, DNS:kubernetes.default.svc, DNS:kubernetes.default.svc.cluster.local, IP:10.96.0.1
authorityKeyIdentifier = keyid
[client]
basicConstraints = critical, CA:FALSE
keyUsage = critical, digitalSignature, keyEncipherment
extendedKeyUsage = clientAuth
authorityKeyIdentifier = keyid
EOF
    openssl req -config openssl.cnf -x509 -new -nodes -newkey rsa:2048 -sha256 -days 3650 \
      -subj "/CN=vigie-local-ca" -extensions ca -keyout ca.key -out ca.crt 2>/dev/null
    local name subj ext
    for name in apiserver admin; do
      if [[ $name == apiserver ]]; then subj=/CN=kube-apiserver ext=server; else subj="/O=system:masters/CN=vigie-admin" ext=client; fi
      openssl req -config openssl.cnf -new -nodes -newkey rsa:2048 -sha256 -subj "$subj" \
        -keyout "$name.key" -out "$name.csr" 2>/dev/null
      openssl x509 -req -in "$name.csr" -CA ca.crt -CAkey ca.key -set_serial "0x$(openssl rand -hex 16)" \
        -sha256 -days 3650 -extfile openssl.cnf -extensions "$ext" -out "$name.crt" 2>/dev/null
      rm -f "$name.csr"
    done
    openssl genrsa -out sa.key 2048 2>/dev/null
    openssl rsa -in sa.key -pubout -out sa.pub 2>/dev/null
    rm -f openssl.cnf
  ) || { rm -rf "$tmp"; die "certificate generation with openssl failed"; }
  rm -rf "$PKI_DIR"
  mv "$tmp" "$PKI_DIR"
  chmod 700 "$PKI_DIR"
}

write_kubeconfig() {
  local tmp=$KUBECONFIG_FILE.tmp
  (
    umask 077
    cat >"$tmp" <<EOF
apiVersion: v1
kind: Config
clusters:
- name: vigie-local
  cluster:
    server: https://127.0.0.1:$APISERVER_PORT
    certificate-authority-data: $(base64 -w0 <"$PKI_DIR/ca.crt")
users:
- name: vigie-admin
  user:
    client-certificate-data: $(base64 -w0 <"$PKI_DIR/admin.crt")
    client-key-data: $(base64 -w0 <"$PKI_DIR/admin.key")
contexts:
- name: vigie-local
  context:
    cluster: vigie-local
    user: vigie-admin
    namespace: default
current-context: vigie-local
preferences: {}
EOF
  )
  mv -f "$tmp" "$KUBECONFIG_FILE"
}

# --- processes ----------------------------------------------------------------------

# pid_alive PIDFILE NAME: the pid in PIDFILE is running and is NAME.
pid_alive() {
  local pid
  [[ -s $1 ]] || return 1
  pid=$(<"$1")
  [[ $pid =~ ^[0-9]+$ ]] || return 1
  kill -0 "$pid" 2>/dev/null || return 1
  # (no `| grep -q`: with pipefail, grep's early exit can fail the pipeline with SIGPIPE)
  local cmdline
  cmdline=$(tr '\0' ' ' <"/proc/$pid/cmdline" 2>/dev/null) || return 1
  [[ $cmdline == *"$2"* ]]
}

port_in_use() { (exec 3<>"/dev/tcp/127.0.0.1/$1") 2>/dev/null; }

apiserver_ready() {
  [[ -s $KUBECONFIG_FILE ]] || return 1
  local kc=${KUBECTL:-}
  if [[ -z $kc ]]; then
    if [[ -x $CACHED_KUBECTL ]]; then kc=$CACHED_KUBECTL
    elif pkg_installed kubernetes-client; then kc=$DEBIAN_KUBECTL
    else kc=$(command -v kubectl) || return 1
    fi
  fi
  [[ $(timeout 10 "$kc" --kubeconfig "$KUBECONFIG_FILE" --request-timeout=5s get --raw /readyz 2>/dev/null) == ok ]]
}

# start_bg PIDFILE LOGFILE CMD...: start CMD detached (own session), record its pid.
start_bg() {
  local pidfile=$1 logfile=$2
  shift 2
  : >"$logfile"
  # shellcheck disable=SC2016 # $$ and $@ are for the inner bash
  # (fds 8/9 hold our locks: the daemons must not inherit them)
  setsid nohup bash -c 'echo $$ >"$0"; exec "$@"' "$pidfile" "$@" </dev/null >>"$logfile" 2>&1 8>&- 9>&- &
  local i
  for ((i = 0; i < 50; i++)); do
    [[ -s $pidfile ]] && return 0
    sleep 0.1
  done
  die "could not start $1"
}

stop_pid() {
  local pidfile=$1 name=$2 pid i
  if pid_alive "$pidfile" "$name"; then
    pid=$(<"$pidfile")
    log "stopping $name (pid $pid)"
    kill -TERM "$pid" 2>/dev/null || true
    for ((i = 0; i < 100; i++)); do
      kill -0 "$pid" 2>/dev/null || break
      sleep 0.1
    done
    if kill -0 "$pid" 2>/dev/null; then
      log "$name did not stop within 10 s: killing it"
      kill -KILL "$pid" 2>/dev/null || true
      sleep 0.2
    fi
  fi
  rm -f "$pidfile"
}

# do_stop [keep]: stop etcd and kube-apiserver; wipe etcd's data unless keep is non-empty
# (then the next start resumes it).
do_stop() {
  local keep=${1:-}
  mkdir -p "$CLUSTER_DIR"
  exec 9>"$CLUSTER_DIR/.lock"
  flock -w 30 9 || log "warning: $CLUSTER_DIR/.lock is busy for 30 s; stopping anyway"
  if ! pid_alive "$APISERVER_PID" kube-apiserver && ! pid_alive "$ETCD_PID" etcd; then
    log "local cluster is not running"
  fi
  stop_pid "$APISERVER_PID" kube-apiserver
  stop_pid "$ETCD_PID" etcd
  if [[ -n $keep && -d $ETCD_DATA_DIR/member ]]; then
    : >"$ETCD_DATA_KEPT"
    log "kept etcd's data in $ETCD_DATA_DIR: the next start resumes it"
  else
    rm -rf "$ETCD_DATA_DIR" "$ETCD_DATA_KEPT"
  fi
}

# existing_cluster: the user's kubeconfig reaches a cluster (prints the context).
existing_cluster() {
  local kc configs=${KUBECONFIG:-}
  if [[ -n $configs ]]; then
    # our own kubeconfig (after `eval "$(... env)"`) is not "an existing cluster"
    [[ $configs == "$KUBECONFIG_FILE" ]] && return 1
    local f found="" files=()
    IFS=: read -ra files <<<"$configs"
    for f in "${files[@]}"; do [[ -s $f ]] && found=1; done
    [[ -n $found ]] || return 1
  else
    [[ -s $HOME/.kube/config ]] || return 1
  fi
  kc=$(command -v kubectl 2>/dev/null) || { [[ -x $CACHED_KUBECTL ]] && kc=$CACHED_KUBECTL; } || return 1
  timeout 8 "$kc" version --request-timeout=5s >/dev/null 2>&1 || return 1
  timeout 5 "$kc" config current-context 2>/dev/null || echo '?'
}

do_start() {
  local local_only=$1 ctx
  if [[ -z $local_only ]] && ctx=$(existing_cluster); then
    log "using the existing cluster of kubeconfig context '$ctx' (${KUBECONFIG:-$HOME/.kube/config}); nothing started (use 'start --local' for a local API server)"
    return 0
  fi
  check_platform
  mkdir -p "$CLUSTER_DIR"
  chmod 700 "$CLUSTER_DIR" 2>/dev/null || true
  exec 9>"$CLUSTER_DIR/.lock"
  if ! flock -n 9; then
    log "another start/stop of this cluster is running; waiting for it"
    flock -w 1200 9 || die "$CLUSTER_DIR/.lock still busy after 20 minutes"
  fi

  if pid_alive "$APISERVER_PID" kube-apiserver && pid_alive "$ETCD_PID" etcd && apiserver_ready; then
    log "local API server already running at https://127.0.0.1:$APISERVER_PORT"
    echo "export KUBECONFIG=$KUBECONFIG_FILE"
    return 0
  fi
  local started=$SECONDS
  ensure_runtime_prereqs
  ensure_apiserver_binary
  # clean up a half-running previous cluster; its data is resumed only after `stop --keep-data`
  stop_pid "$APISERVER_PID" kube-apiserver
  stop_pid "$ETCD_PID" etcd
  local resume=''
  if [[ -e $ETCD_DATA_KEPT && -d $ETCD_DATA_DIR/member && -s $KUBECONFIG_FILE ]]; then
    resume=1
  else
    rm -rf "$ETCD_DATA_DIR"
  fi
  rm -f "$ETCD_DATA_KEPT"

  local p
  for p in "$APISERVER_PORT" "$ETCD_PORT" "$ETCD_PEER_PORT"; do
    port_in_use "$p" && unavailable "port 127.0.0.1:$p is already in use (set VIGIE_APISERVER_PORT / VIGIE_ETCD_PORT)"
  done
  ensure_certs
  write_kubeconfig

  if [[ -n $resume ]]; then
    log "starting etcd on 127.0.0.1:$ETCD_PORT with the data kept in $ETCD_DATA_DIR"
  else
    log "starting etcd on 127.0.0.1:$ETCD_PORT"
  fi
  start_bg "$ETCD_PID" "$ETCD_LOG" "$ETCD_BIN" \
    --name=vigie \
    --data-dir="$ETCD_DATA_DIR" \
    --listen-client-urls="http://127.0.0.1:$ETCD_PORT" \
    --advertise-client-urls="http://127.0.0.1:$ETCD_PORT" \
    --listen-peer-urls="http://127.0.0.1:$ETCD_PEER_PORT" \
    --initial-advertise-peer-urls="http://127.0.0.1:$ETCD_PEER_PORT" \
    --initial-cluster="vigie=http://127.0.0.1:$ETCD_PEER_PORT" \
    --initial-cluster-state=new \
    --logger=zap --log-outputs=stderr
  local i
  for ((i = 0; i < 100; i++)); do
    port_in_use "$ETCD_PORT" && break
    pid_alive "$ETCD_PID" etcd || { tail -n 20 "$ETCD_LOG" >&2; die "etcd exited (log: $ETCD_LOG)"; }
    sleep 0.2
  done
  port_in_use "$ETCD_PORT" || { tail -n 20 "$ETCD_LOG" >&2; die "etcd did not listen on $ETCD_PORT (log: $ETCD_LOG)"; }

  log "starting kube-apiserver $K8S_VERSION on https://127.0.0.1:$APISERVER_PORT"
  mkdir -p "$CLUSTER_DIR/apiserver-cert-dir"
  start_bg "$APISERVER_PID" "$APISERVER_LOG" "$APISERVER_BIN" \
    --advertise-address=127.0.0.1 \
    --bind-address=127.0.0.1 \
    --secure-port="$APISERVER_PORT" \
    --insecure-port=0 \
    --cert-dir="$CLUSTER_DIR/apiserver-cert-dir" \
    --etcd-servers="http://127.0.0.1:$ETCD_PORT" \
    --client-ca-file="$PKI_DIR/ca.crt" \
    --tls-cert-file="$PKI_DIR/apiserver.crt" \
    --tls-private-key-file="$PKI_DIR/apiserver.key" \
    --authorization-mode=RBAC \
    --service-cluster-ip-range=10.96.0.0/16 \
    --disable-admission-plugins=ServiceAccount \
    --endpoint-reconciler-type=none \
    --allow-privileged=true \
    --service-account-issuer=https://kubernetes.default.svc \
    --service-account-signing-key-file="$PKI_DIR/sa.key" \
    --service-account-key-file="$PKI_DIR/sa.pub" \
    --api-audiences=https://kubernetes.default.svc

  for ((i = 0; i < START_TIMEOUT * 2; i++)); do
    apiserver_ready && break
    pid_alive "$APISERVER_PID" kube-apiserver || {
      tail -n 30 "$APISERVER_LOG" >&2
      die "kube-apiserver exited (log: $APISERVER_LOG)"
    }
    pid_alive "$ETCD_PID" etcd || { tail -n 20 "$ETCD_LOG" >&2; die "etcd exited (log: $ETCD_LOG)"; }
    sleep 0.5
  done
  apiserver_ready || {
    tail -n 30 "$APISERVER_LOG" >&2
    die "kube-apiserver not ready after ${START_TIMEOUT} s (log: $APISERVER_LOG)"
  }
  log "local API server $K8S_VERSION ready in $((SECONDS - started)) s: https://127.0.0.1:$APISERVER_PORT"
  log "kubeconfig: $KUBECONFIG_FILE (context vigie-local); logs: $ETCD_LOG, $APISERVER_LOG"
  log "kubectl $K8S_VERSION: $KUBECTL"
  echo "export KUBECONFIG=$KUBECONFIG_FILE"
}

do_status() {
  if pid_alive "$APISERVER_PID" kube-apiserver && apiserver_ready; then
    log "running: https://127.0.0.1:$APISERVER_PORT (kube-apiserver pid $(<"$APISERVER_PID"), etcd pid $(cat "$ETCD_PID" 2>/dev/null || echo '?')), KUBECONFIG=$KUBECONFIG_FILE"
    return 0
  fi
  log "not running"
  return 1
}

main() {
  local sub=${1:-}
  [[ $# -gt 0 ]] && shift
  case $sub in
    start)
      local local_only=
      while [[ $# -gt 0 ]]; do
        case $1 in
          --local) local_only=1 ;;
          *) usage; exit 2 ;;
        esac
        shift
      done
      do_start "$local_only"
      ;;
    stop)
      local keep=
      while [[ $# -gt 0 ]]; do
        case $1 in
          --keep-data) keep=1 ;;
          *) usage; exit 2 ;;
        esac
        shift
      done
      do_stop "$keep"
      ;;
    restart)
      [[ $# -eq 0 ]] || { usage; exit 2; }
      do_stop 1
      do_start 1
      ;;
    status) do_status ;;
    env) echo "export KUBECONFIG=$KUBECONFIG_FILE" ;;
    build)
      check_platform
      ensure_apiserver_binary
      log "kube-apiserver: $APISERVER_BIN"
      ;;
    kubectl)
      check_platform
      ensure_kubectl
      exec "$KUBECTL" --kubeconfig "$KUBECONFIG_FILE" "$@"
      ;;
    -h | --help | help) usage ;;
    *) usage; exit 2 ;;
  esac
}

main "$@"
