# Shared by scripts/demo and scripts/test: find or install what Totalrec needs on a
# Debian machine. Sourced, not run.

# go_version_ok DIR_OR_CMD: the go found is at least the version go.mod asks for.
want_go=$(sed -n 's/^go \([0-9.]*\)$/\1/p' "$(dirname "${BASH_SOURCE[0]}")/../go.mod")

version_ge() { [ "$(printf '%s\n%s\n' "$2" "$1" | sort -V | head -1)" = "$2" ]; }

go_ok() {
  local v
  v=$("$1" env GOVERSION 2>/dev/null) || return 1
  version_ge "${v#go}" "$want_go"
}

as_root() {
  if [ "$(id -u)" = 0 ]; then "$@"; else sudo "$@"; fi
}

apt_updated=
apt_install() {
  if [ -z "$apt_updated" ]; then
    echo "installing $* from Debian's packages" >&2
    as_root apt-get update -qq >/dev/null
    apt_updated=1
  fi
  as_root env DEBIAN_FRONTEND=noninteractive apt-get install -y -qq "$@" >/dev/null
}

# need_cmd CMD PACKAGE: install PACKAGE when CMD is missing.
need_cmd() {
  command -v "$1" >/dev/null 2>&1 || apt_install "$2"
}

# need_go puts a Go toolchain of at least go.mod's version first on PATH. It uses one
# that is installed; otherwise it installs Debian's Go and lets it fetch the right
# toolchain through the Go module proxy into the user's cache.
need_go() {
  local cand
  for cand in "$(command -v go 2>/dev/null)" /usr/local/go/bin/go "$HOME/.cache/totalrec-go/go/bin/go"; do
    if [ -n "$cand" ] && [ -x "$cand" ] && go_ok "$cand"; then
      export PATH="$(dirname "$cand"):$PATH"
      return 0
    fi
  done
  command -v go >/dev/null 2>&1 || apt_install golang-go ca-certificates
  local tc="golang.org/toolchain@v0.0.1-go${want_go}.linux-$(dpkg --print-architecture)"
  local tmp dir
  tmp=$(mktemp -d)
  echo "fetching Go ${want_go} through the Go module proxy" >&2
  dir=$(cd "$tmp" && GOFLAGS=-mod=mod GOPATH="$tmp/gopath" go mod download -json "$tc" | sed -n 's/^[[:space:]]*"Dir": "\(.*\)",$/\1/p')
  [ -n "$dir" ] || { echo "could not fetch $tc" >&2; return 1; }
  mkdir -p "$HOME/.cache/totalrec-go"
  rm -rf "$HOME/.cache/totalrec-go/go"
  cp -r "$dir" "$HOME/.cache/totalrec-go/go"
  chmod -R u+w "$tmp" && rm -rf "$tmp"
  chmod -R u+w "$HOME/.cache/totalrec-go/go"
  chmod +x "$HOME/.cache/totalrec-go/go/bin/"* "$HOME/.cache/totalrec-go/go/pkg/tool/"*/*
  export PATH="$HOME/.cache/totalrec-go/go/bin:$PATH"
  go_ok go
}

# need_versitygw provides the S3 server the archive tier's tests run against:
# versitygw, built once through the Go module proxy into the user's cache, and
# named to the tests by TOTALREC_TEST_VERSITYGW.
versitygw_version=v1.8.0
need_versitygw() {
  local bin="$HOME/.cache/totalrec-versitygw/$versitygw_version/versitygw"
  if [ -z "${TOTALREC_TEST_VERSITYGW:-}" ]; then
    if [ ! -x "$bin" ]; then
      echo "building versitygw $versitygw_version (the archive tests' S3 server) through the Go module proxy" >&2
      GOBIN="$(dirname "$bin")" go install "github.com/versity/versitygw/cmd/versitygw@$versitygw_version"
    fi
    export TOTALREC_TEST_VERSITYGW="$bin"
  fi
}
