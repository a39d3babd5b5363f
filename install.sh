#!/usr/bin/env bash
# Installs Totalrec on a FreePBX box: the totalrec binary, the FreePBX module
# (Reports > Call Recordings), the dialplan override on FreePBX 2.5-2.9, a config
# with generated secrets, the daemon's service, the nightly retention job, the CDR
# indexes, and FreePBX's Apache as the UI's reverse proxy (/totalrec/ on FreePBX's
# own origin). Run it again to upgrade: it is idempotent and keeps the admin's changes.
#
#   ./install.sh                 install or upgrade
#   ./install.sh --uninstall     remove what it installed; recordings, the catalogue
#                                and /etc/totalrec are kept
#   ./install.sh --uninstall --purge
#                                also remove the configuration, the data directory and
#                                the catalogue's tables (never the recordings)
#   ./install.sh --dry-run       print what it would do ("would install …") and
#                                change nothing
#   ./install.sh --no-start      install without starting or restarting the daemon
#   ./install.sh --root DIR      act on the FreePBX tree under DIR instead of /
#   ./install.sh --tools DIR     run system tools (fwconsole, systemctl, apache2ctl…)
#                                only from DIR: with --root, the tests' stand-ins;
#                                a tool missing there is skipped
#   ./install.sh --help          print this text
#
# It installs the binary that sits beside it (a release tarball from `make dist`), or
# builds one when Go is installed and the source is here.

set -euo pipefail

ROOT=/
UNINSTALL=
PURGE=
DRY=
TOOLS=
START=1
here=$(cd "$(dirname "$0")" && pwd)

# usage prints the comment at the top of this file: the lines after the first
# that start with '#', up to the first that does not.
usage() { awk 'NR == 1 { next } /^#/ { sub(/^# ?/, ""); print; next } { exit }' "$0"; }
while [ $# -gt 0 ]; do
  case "$1" in
    --root) ROOT=${2:?--root needs a directory}; shift 2 ;;
    --tools) TOOLS=${2:?--tools needs a directory}; shift 2 ;;
    --uninstall) UNINSTALL=1; shift ;;
    --purge) PURGE=1; shift ;;
    --dry-run) DRY=1; shift ;;
    --no-start) START=; shift ;;
    -h|--help) usage; exit 0 ;;
    *) echo "install.sh: unknown option $1" >&2; usage >&2; exit 2 ;;
  esac
done
ROOT=${ROOT%/}

say() { printf 'totalrec: %s\n' "$*"; }
# did reports a step: what it would do in a dry run ($1), what it did otherwise ($2).
did() { if [ -n "$DRY" ]; then printf 'totalrec: would %s\n' "$1"; else say "$2"; fi; }
die() { printf 'totalrec: %s\n' "$*" >&2; exit 1; }
R() { printf '%s%s' "$ROOT" "$1"; }

# In a dry run every change goes through would(), which prints it instead.
if [ -n "$DRY" ]; then
  would() { printf 'totalrec: would %s\n' "$*"; }
  mkdir() { would "create directory ${*: -1}"; }
  install() { would "install ${*: -1}"; }
  cp() { would "copy ${*: -2:1} to ${*: -1}"; }
  rm() { would "remove ${*: -1}"; }
  chmod() { would "chmod $*"; }
  chown() { would "chown $*"; }
  mv() { would "move $1 to $2"; }
  tee_to() { cat >/dev/null; would "write $1"; }
  append_to() { cat >/dev/null; would "append to $1"; }
else
  tee_to() { cat >"$1"; }
  append_to() { cat >>"$1"; }
fi
[ -n "$PURGE" ] && [ -z "$UNINSTALL" ] && { echo "install.sh: --purge goes with --uninstall" >&2; exit 2; }

# tool runs a system command: on the real system when it exists there, under --root
# only from --tools (so that tests see what would run without touching the machine).
tool() {
  local t=$1; shift
  if [ -n "$DRY" ]; then
    would "run $t $*"
  elif [ -n "$TOOLS" ]; then
    [ -x "$TOOLS/$t" ] || { say "skipped: $t (not in --tools)"; return 0; }
    TOOL_RAN=1
    "$TOOLS/$t" "$@"
  elif [ -z "$ROOT" ]; then
    command -v "$t" >/dev/null 2>&1 || { say "skipped: $t (not installed)"; return 0; }
    TOOL_RAN=1
    "$t" "$@"
  else
    say "skipped: $t $* (--root)"
  fi
}

# conf KEY DEFAULT reads FreePBX's amportal.conf (KEY=VALUE), then freepbx.conf's
# $amp_conf['KEY'] = 'value'; lines, without running any PHP.
conf() {
  local v=
  if [ -f "$(R /etc/amportal.conf)" ]; then
    v=$(sed -n "s/^[[:space:]]*$1[[:space:]]*=[[:space:]]*//p" "$(R /etc/amportal.conf)" | tail -1 | tr -d '\r')
  fi
  if [ -z "$v" ] && [ -f "$(R /etc/freepbx.conf)" ]; then
    v=$(sed -n "s/^.*\$amp_conf\[[\"']$1[\"']\][[:space:]]*=[[:space:]]*[\"']\([^\"']*\)[\"'].*/\1/p" "$(R /etc/freepbx.conf)" | tail -1)
  fi
  printf '%s' "${v:-$2}"
}

[ -f "$(R /etc/freepbx.conf)" ] || [ -f "$(R /etc/amportal.conf)" ] ||
  die "no FreePBX here: neither $(R /etc/freepbx.conf) nor $(R /etc/amportal.conf) exists"

WEBROOT=$(conf AMPWEBROOT /var/www/html)
ASTUSER=$(conf AMPASTERISKUSER asterisk)
ASTGROUP=$(conf AMPASTERISKGROUP "$ASTUSER")
ASTETC=$(conf ASTETCDIR /etc/asterisk)
BIN=/usr/local/bin/totalrec
HOOKBIN=/usr/local/bin/totalrec-hook # MixMonitor's post-command, a small binary that starts fast
MODDIR=$WEBROOT/admin/modules/totalrec
CONF=/etc/totalrec/totalrec.conf
DATA=/var/lib/totalrec
UNIT=/etc/systemd/system/totalrec.service
CRON=/etc/cron.d/totalrec
POLICY=/etc/totalrec/retention.conf
MANIFEST_KEY=/etc/totalrec/manifest.key
OVERRIDE=$ASTETC/extensions_override_totalrec.conf
FREEPBX_OVERRIDE=$ASTETC/extensions_override_freepbx.conf
BEGIN='; BEGIN totalrec (managed by install.sh; install.sh --uninstall removes it)'
END='; END totalrec'
BASE_PATH=/totalrec
APACHE_DEBIAN=/etc/apache2/conf-available/totalrec.conf
APACHE_RHEL=/etc/httpd/conf.d/totalrec.conf

# owner USER:GROUP PATH... changes ownership when those exist on this system.
owner() {
  local who=$1; shift
  [ "$(id -u)" = 0 ] || return 0
  id "${who%%:*}" >/dev/null 2>&1 || return 0
  case "$who" in *:*) getent group "${who#*:}" >/dev/null 2>&1 || return 0 ;; esac
  chown -R "$who" "$@"
}

# has_systemd: systemd is the running init (what sd_booted() tests), not merely
# installed: a container or a chroot can have /etc/systemd/system and no systemd.
has_systemd() { [ -d "$(R /run/systemd/system)" ]; }

# start_daemon runs `totalrec serve` now, detached, as the asterisk user, where no
# systemd starts it (the @reboot cron line starts it at boot).
start_daemon() {
  if [ -n "$DRY" ]; then would "start $BIN serve as $ASTUSER"; return 0; fi
  [ -z "$TOOLS" ] && [ -z "$ROOT" ] || { say "skipped: starting $BIN serve (--root)"; return 0; }
  stop_daemon
  local log
  log=$(R "$DATA")/serve.log
  runuser -u "$ASTUSER" -- setsid "$BIN" serve </dev/null >>"$log" 2>&1 &
  say "started $BIN serve as $ASTUSER (pid $!, log $log)"
}

# stop_daemon ends a `totalrec serve` started without systemd.
stop_daemon() {
  if [ -n "$DRY" ]; then would "stop $BIN serve"; return 0; fi
  [ -z "$TOOLS" ] && [ -z "$ROOT" ] || return 0
  pkill -TERM -f "^$BIN serve" 2>/dev/null || return 0
  for _ in $(seq 20); do pgrep -f "^$BIN serve" >/dev/null || return 0; sleep 0.25; done
  pkill -KILL -f "^$BIN serve" 2>/dev/null || true
}

# regenerate makes FreePBX write its dialplan again (2.10+: fwconsole reload; the
# module's dialplan hook runs, or no longer runs), else reloads Asterisk's.
regenerate() {
  if [ -n "$(tool fwconsole --version 2>/dev/null | head -1)" ] || [ -n "$TOOLS" ]; then
    tool fwconsole reload
  else
    tool asterisk -rx 'dialplan reload'
  fi
}

# tr_conf KEY DEFAULT reads a top-level KEY of Totalrec's config (before any [section]).
tr_conf() {
  local v=
  if [ -f "$(R "$CONF")" ]; then
    v=$(sed -n -e '/^[[:space:]]*\[/q' -e "s/^[[:space:]]*$1[[:space:]]*=[[:space:]]*//p" "$(R "$CONF")" | tail -1 | tr -d '\r')
    v=${v%"${v##*[![:space:]]}"}
    case "$v" in \"*\") v=${v#\"}; v=${v%\"} ;; \'*\') v=${v#\'}; v=${v%\'} ;; esac
  fi
  printf '%s' "${v:-$2}"
}

# apache_layout prints where FreePBX's Apache takes a conf file: debian
# (/etc/apache2, a2enconf) or rhel (/etc/httpd/conf.d, Sangoma 7), or nothing.
apache_layout() {
  if [ -d "$(R /etc/apache2/conf-available)" ]; then echo debian
  elif [ -d "$(R /etc/httpd/conf.d)" ]; then echo rhel
  fi
}

# apache_reload has Apache read its configuration again without dropping
# connections (graceful checks the configuration first and refuses a bad one).
apache_reload() {
  case "$1" in
    debian) tool apache2ctl graceful || say "apache2ctl graceful failed: run 'apache2ctl configtest'" ;;
    rhel) tool apachectl graceful || say "apachectl graceful failed: run 'apachectl configtest'" ;;
  esac
}

# apache_proxy writes FreePBX's Apache the reverse proxy of the UI: BASE/ on
# FreePBX's own origin and TLS goes to the daemon, which serves the same path
# (base_path), so cookies, frame-ancestors and single sign-on see one origin.
apache_proxy() {
  local layout base listen host port target file
  layout=$(apache_layout)
  base=$BASE_PATH # what step 2 writes; a dry run has not written it
  if grep -qs '^[[:space:]]*base_path[[:space:]]*=' "$(R "$CONF")"; then base=$(tr_conf base_path ""); fi
  listen=$(tr_conf listen 127.0.0.1:8080)
  if [ -z "$base" ]; then
    say "base_path is empty in $CONF: FreePBX's Apache is not set up as a proxy (the module's daemon_url must reach the daemon)"
    return 0
  fi
  if ! printf '%s' "$base" | grep -Eq '^(/[A-Za-z0-9._~-]+)+$'; then
    say "base_path $base in $CONF is not /seg[/seg...]: FreePBX's Apache is not set up as a proxy"
    return 0
  fi
  port=${listen##*:}
  host=${listen%:*}
  case "$host" in ''|0.0.0.0|'[::]'|'::') host=127.0.0.1 ;; esac
  target="http://$host:$port$base/"
  case "$layout" in
    debian) file=$APACHE_DEBIAN ;;
    rhel) file=$APACHE_RHEL ;;
    *)
      say "no Apache found (/etc/apache2 or /etc/httpd): proxy $base/ to $target in your web server"
      return 0 ;;
  esac
  tee_to "$(R "$file")" <<APACHEEOF
# Totalrec's web UI on FreePBX's own origin and TLS (written by install.sh, which
# rewrites it on every run; install.sh --uninstall removes it). The daemon listens on
# $listen and serves the same path: base_path = $base in $CONF.
<IfModule mod_proxy_http.c>
    <Location $base/>
        # flushpackets: audio and exports stream as the daemon writes them.
        ProxyPass $target flushpackets=on
        ProxyPassReverse $target
        # The daemon sees the browser's host name (share links, frame-ancestors)...
        ProxyPreserveHost On
        <IfModule mod_headers.c>
            # ...and whether it came over https (Secure cookies, share links).
            RequestHeader unset X-Forwarded-Proto
            RequestHeader set X-Forwarded-Proto https env=HTTPS
        </IfModule>
    </Location>
    <IfModule mod_alias.c>
        RedirectMatch 302 ^$base\$ $base/
    </IfModule>
</IfModule>
APACHEEOF
  chmod 0644 "$(R "$file")"
  if [ "$layout" = debian ]; then
    tool a2enmod -q proxy proxy_http headers alias || say "a2enmod proxy proxy_http headers alias failed"
    tool a2enconf -q totalrec || say "a2enconf totalrec failed"
  fi
  apache_reload "$layout"
  did "have FreePBX's Apache proxy $base/ to $target ($file)" "FreePBX's Apache proxies $base/ to $target ($file)"
}

# apache_unproxy removes the proxy's conf file and has Apache read its configuration again.
apache_unproxy() {
  if [ -f "$(R "$APACHE_DEBIAN")" ]; then
    tool a2disconf -q totalrec || true
    rm -f "$(R /etc/apache2/conf-enabled/totalrec.conf)" "$(R "$APACHE_DEBIAN")"
    apache_reload debian
  fi
  if [ -f "$(R "$APACHE_RHEL")" ]; then
    rm -f "$(R "$APACHE_RHEL")"
    apache_reload rhel
  fi
}

# remove_block FILE deletes the marked block from FILE, keeping everything else.
remove_block() {
  [ -f "$1" ] || return 0
  local tmp
  tmp=$(mktemp)
  awk -v b="$BEGIN" -v e="$END" '$0 == b {skip = 1; next} $0 == e && skip {skip = 0; next} !skip' "$1" >"$tmp"
  if ! cmp -s "$tmp" "$1"; then tee_to "$1" <"$tmp"; fi
  command rm -f "$tmp"
}

if [ -n "$UNINSTALL" ]; then
  if has_systemd; then tool systemctl disable --now totalrec.service || true; else stop_daemon; fi
  tool fwconsole ma uninstall totalrec || true
  if [ -n "$PURGE" ]; then
    # The catalogue's tables go first, while the binary that knows them is here.
    if [ -x "$(R "$BIN")" ]; then
      tool runuser -u "$ASTUSER" -- "$BIN" purge --yes || say "could not drop the catalogue's tables"
    fi
    rm -rf "$(R /etc/totalrec)" "$(R "$DATA")"
  fi
  rm -f "$(R "$UNIT")" "$(R "$CRON")" "$(R "$BIN")" "$(R "$HOOKBIN")" "$(R "$OVERRIDE")"
  apache_unproxy
  remove_block "$(R "$FREEPBX_OVERRIDE")"
  rm -rf "$(R "$MODDIR")"
  # The generated dialplan still carries the module's hook (TOTALREC_FORCE, the
  # recordcheck line, MIXMON_POST) until FreePBX writes it again without the module.
  regenerate || true
  if [ -n "$PURGE" ]; then
    did "have uninstalled and purged; the recordings kept" "uninstalled and purged; the recordings are kept"
  else
    did "have uninstalled; kept the recordings, $DATA and $CONF" "uninstalled; kept the recordings, $DATA and $CONF"
  fi
  exit 0
fi

# 1. The binaries: totalrec, and totalrec-hook for the dialplan.
mkdir -p "$(R /usr/local/bin)"
if [ -x "$here/totalrec" ] && [ -x "$here/totalrec-hook" ]; then
  install -m 0755 "$here/totalrec" "$(R "$BIN")"
  install -m 0755 "$here/totalrec-hook" "$(R "$HOOKBIN")"
elif [ -f "$here/go.mod" ] && command -v go >/dev/null 2>&1; then
  if [ -n "$DRY" ]; then
    would "build totalrec and totalrec-hook with Go into $BIN and $HOOKBIN"
  else
    say "building totalrec with $(go version | cut -d' ' -f3)"
    for b in "$BIN:./cmd/totalrec" "$HOOKBIN:./cmd/totalrec-hook"; do
      (cd "$here" && CGO_ENABLED=0 go build -trimpath -o "$(R "${b%%:*}").new" "${b#*:}")
      chmod 0755 "$(R "${b%%:*}").new" && mv "$(R "${b%%:*}").new" "$(R "${b%%:*}")"
    done
  fi
else
  die "no totalrec and totalrec-hook binaries beside install.sh and no Go to build them: use a release tarball (make dist)"
fi
did "install $BIN and $HOOKBIN" "installed $BIN and $HOOKBIN"

# 2. Configuration with generated secrets, readable by the FreePBX web user (the
#    module signs sign-on tokens with sso_secret) and by the daemon.
mkdir -p "$(R /etc/totalrec)"
if [ ! -f "$(R "$CONF")" ]; then
  tee_to "$(R "$CONF")" <<CONFEOF
# Totalrec's configuration. Settings not given here come from FreePBX's own files
# (/etc/freepbx.conf, /etc/amportal.conf, asterisk.conf); see 'totalrec config'.
listen = 127.0.0.1:8080
data_dir = $DATA
# The UI's path: FreePBX's Apache proxies it (see $APACHE_DEBIAN or
# $APACHE_RHEL), so browsers reach it on FreePBX's own origin.
base_path = $BASE_PATH
# Signs the daily evidence manifests (totalrec seal, run by root): root reads it.
manifest_key = $MANIFEST_KEY
# Recordings older than archive_after (30d) can move to an S3-compatible bucket
# and play from it (docs/archive.md in Totalrec's sources):
# archive_endpoint = https://s3.example.com
# archive_bucket = recordings
# archive_access_key = ...
# archive_secret_key = ...
CONFEOF
  did "write $CONF" "wrote $CONF"
fi
# add_setting KEY VALUE WHY adds "KEY = VALUE" to the config when it has no KEY,
# before any [section], so that it is not read as section_KEY.
add_setting() {
  grep -qs "^[[:space:]]*$1[[:space:]]*=" "$(R "$CONF")" && return 0
  local tmp
  tmp=$(mktemp)
  awk -v line="$1 = $2" '!done && /^[[:space:]]*\[/ {print line; done = 1} {print} END {if (!done) print line}' "$(R "$CONF")" >"$tmp"
  tee_to "$(R "$CONF")" <"$tmp"
  command rm -f "$tmp"
  did "add $1 = $2 to $CONF ($3)" "added $1 = $2 to $CONF ($3)"
}
[ -f "$(R "$CONF")" ] && add_setting base_path "$BASE_PATH" "the UI behind FreePBX's Apache"
[ -f "$(R "$CONF")" ] && add_setting manifest_key "$MANIFEST_KEY" "the key that signs the evidence manifests"
if ! grep -qs '^[[:space:]]*sso_secret[[:space:]]*=' "$(R "$CONF")"; then
  printf 'sso_secret = %s\n' "$(head -c 32 /dev/urandom | od -An -tx1 | tr -d ' \n')" | append_to "$(R "$CONF")"
  did "generate sso_secret" "generated sso_secret"
fi
chmod 0640 "$(R "$CONF")"
owner "root:$ASTGROUP" "$(R "$CONF")"
mkdir -p "$(R "$DATA")"
chmod 0750 "$(R "$DATA")"
owner "$ASTUSER:$ASTGROUP" "$(R "$DATA")"

# The retention policy: keep everything until the admin writes a rule. The web
# interface's settings page saves it as the daemon's user, atomically (a temporary
# file beside it, then a rename): the directory is writable by that group, and its
# sticky bit keeps that user from replacing or removing root's totalrec.conf.
if [ ! -f "$(R "$POLICY")" ]; then
  tee_to "$(R "$POLICY")" <"$here/module/retention.conf"
  chmod 0644 "$(R "$POLICY")"
  did "write $POLICY (no rule: nothing is deleted until you add one)" "wrote $POLICY (no rule: nothing is deleted until you add one)"
fi
owner "$ASTUSER:$ASTGROUP" "$(R "$POLICY")"
if [ "$(id -u)" = 0 ] && getent group "$ASTGROUP" >/dev/null 2>&1; then
  chown ":$ASTGROUP" "$(R /etc/totalrec)"
  chmod 1775 "$(R /etc/totalrec)"
fi

# Recordings are compressed to Opus after the call (compress in the config) by
# opus-tools' opusenc, checked with its opusdec; without them they stay as written.
# (Notes about the machine: a dry run, which only says what it would do, leaves them out.)
if [ -n "$DRY" ]; then
  :
elif ! command -v opusenc >/dev/null 2>&1 || ! command -v opusdec >/dev/null 2>&1; then
  say "note: opusenc and opusdec are not installed: recordings stay as Asterisk writes them until opus-tools is (Debian: apt-get install opus-tools; CentOS/Sangoma 7: yum install opus-tools, from EPEL), or set 'compress = keep' in $CONF"
elif ! grep -q '^[[:space:]]*compress[[:space:]]*=' "$(R "$CONF")" 2>/dev/null; then
  say "note: recordings are compressed to Opus after each call; Reports > Call Recordings plays them, FreePBX's own CDR report and UCP do not: set 'compress = mp3' in $CONF if you rely on those"
fi

# The Ed25519 key that signs the evidence manifests, readable by root only: the
# hourly seal job runs as root. Without openssl, that job's first run makes it.
if [ ! -f "$(R "$MANIFEST_KEY")" ] && command -v openssl >/dev/null 2>&1; then
  if [ -n "$DRY" ]; then
    would "make the evidence manifest key $MANIFEST_KEY (readable by root only)"
  else
    (umask 077 && openssl genpkey -algorithm ed25519 -out "$(R "$MANIFEST_KEY")") || die "could not make $MANIFEST_KEY"
    say "made the evidence manifest key $MANIFEST_KEY (readable by root only; back it up: 'totalrec verify --pubkey' prints its public half)"
  fi
fi
if [ -f "$(R "$MANIFEST_KEY")" ] && [ -z "$DRY" ]; then
  chmod 0600 "$(R "$MANIFEST_KEY")"
  owner root:root "$(R "$MANIFEST_KEY")"
fi

# 3. The FreePBX module.
mkdir -p "$(R "$MODDIR")"
cp -R "$here/module/." "$(R "$MODDIR")/"
cp "$here/module.xml" "$(R "$MODDIR")/module.xml"
[ -f "$here/LICENSE" ] && cp "$here/LICENSE" "$(R "$MODDIR")/LICENSE"
owner "$ASTUSER:$ASTGROUP" "$(R "$MODDIR")"
did "install the FreePBX module's files in $MODDIR" "installed the FreePBX module's files in $MODDIR"

# 4. The dialplan. FreePBX 2.5-2.9 records through [macro-record-enable], which the
#    override rewrites; 2.10 and later shard by date already, and the module's
#    dialplan hook adds total recording and the post-command there.
generated=$(R "$ASTETC/extensions_additional.conf")
remove_block "$(R "$FREEPBX_OVERRIDE")"
if [ -f "$generated" ] && grep -q '^\[macro-record-enable\]' "$generated" && ! grep -q '^\[sub-record-check\]' "$generated"; then
  if [ -f "$(R "$FREEPBX_OVERRIDE")" ] && grep -q '^\[macro-record-enable\]' "$(R "$FREEPBX_OVERRIDE")"; then
    die "$FREEPBX_OVERRIDE already overrides [macro-record-enable]: merge it by hand, then run install.sh again"
  fi
  install -m 0644 "$here/freepbx-overrides/extensions_override_freepbx.conf" "$(R "$OVERRIDE")"
  tmp=$(mktemp)
  { printf '%s\n#include %s\n%s\n' "$BEGIN" "$(basename "$OVERRIDE")" "$END"; cat "$(R "$FREEPBX_OVERRIDE")" 2>/dev/null || true; } >"$tmp"
  tee_to "$(R "$FREEPBX_OVERRIDE")" <"$tmp"
  command rm -f "$tmp"
  did "include the recording dialplan override from $FREEPBX_OVERRIDE (FreePBX 2.5-2.9)" "FreePBX 2.5-2.9: the recording dialplan override is included from $FREEPBX_OVERRIDE"
else
  rm -f "$(R "$OVERRIDE")"
  did "leave recording to the module's dialplan hook (FreePBX 2.10 or later: no override needed)" "FreePBX 2.10 or later: the module's dialplan hook forces recording (no override needed)"
fi

# 5. The daemon and the nightly retention job.
if has_systemd; then
  tee_to "$(R "$UNIT")" <<UNITEOF
[Unit]
Description=Totalrec call recordings (catalogue, search, playback)
After=network.target mariadb.service mysql.service

[Service]
User=$ASTUSER
Group=$ASTGROUP
ExecStart=$BIN serve
Restart=on-failure
RestartSec=5
NoNewPrivileges=yes
ProtectSystem=full
PrivateTmp=yes

[Install]
WantedBy=multi-user.target
UNITEOF
  tool systemctl daemon-reload
  # An upgrade restarts a running daemon (new binary, new settings); enable --now
  # starts one that is not running.
  [ -n "$START" ] && { tool systemctl try-restart totalrec.service || true; }
  [ -n "$START" ] && tool systemctl enable --now totalrec.service
  daemon="systemd unit totalrec.service"
else
  rm -f "$(R "$UNIT")"
  [ -n "$START" ] && start_daemon
  daemon="no systemd: started now, and at boot by an @reboot line in $CRON"
fi
mkdir -p "$(R /etc/cron.d)"
{
  echo "# Totalrec: nightly retention and hourly sealing (root: the manifest key is root's),"
  echo "# logged to syslog (journalctl -t totalrec)."
  echo "SHELL=/bin/sh"
  echo "30 3 * * * $ASTUSER $BIN retention run 2>&1 | logger -t totalrec"
  echo "20 * * * * root $BIN seal 2>&1 | logger -t totalrec"
  has_systemd || echo "@reboot $ASTUSER $BIN serve 2>&1 | logger -t totalrec"
} | tee_to "$(R "$CRON")"
chmod 0644 "$(R "$CRON")"
did "install the daemon ($daemon), nightly retention and hourly sealing ($CRON)" "daemon: $daemon; nightly retention and hourly sealing: $CRON"

# 6. FreePBX's Apache as the UI's reverse proxy.
apache_proxy

# 7. Tell FreePBX and Asterisk, and index the CDR table.
# TOOL_RAN says whether FreePBX's module installer ran rather than being skipped.
TOOL_RAN=
if [ -n "$(tool fwconsole --version 2>/dev/null | head -1)" ] || [ -n "$TOOLS" ]; then
  tool fwconsole ma install totalrec
else
  tool module_admin install totalrec
fi
module_installed=$TOOL_RAN
regenerate
tool runuser -u "$ASTUSER" -- "$BIN" doctor --fix || say "totalrec doctor found problems: run 'totalrec doctor' to see them"
if [ -n "$DRY" ]; then
  would "stop here: a dry run, nothing was changed"
elif [ -n "$module_installed" ]; then
  say "done: open FreePBX > Reports > Call Recordings"
else
  say "done; FreePBX's module installer did not run, so Reports > Call Recordings is not there yet: run 'fwconsole ma install totalrec' on the PBX"
fi
