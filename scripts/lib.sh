# Sourced by scripts/run.sh and scripts/test.sh from the repository's root: each install
# step runs only when what it installs from changed, so a second run goes straight to work.
# A stamp file holds the sha256 of the step's input (pyproject.toml, a package-lock.json)
# and lives inside what the step builds (.venv, node_modules): deleting that deletes it.
# pip, npm and apt write to .venv/install.log; the terminal sees it only when a step fails.

INSTALL_LOG=.venv/install.log
SELF="${0##*/}"

# digest FILE: the file's sha256.
digest() { sha256sum "$1" | cut -d' ' -f1; }

# quietly CMD...: run CMD with its output appended to the install log; when it fails,
# show the end of the log and stop the script.
quietly() {
  mkdir -p "$(dirname "$INSTALL_LOG")"
  printf '\n== %s %s\n' "$(date -u +%FT%TZ)" "$*" >> "$INSTALL_LOG"
  if ! "$@" >> "$INSTALL_LOG" 2>&1; then
    echo "$SELF: failed: $*; the end of $INSTALL_LOG:" >&2
    tail -n 40 "$INSTALL_LOG" >&2
    exit 1
  fi
}

# install_venv SPEC STAMP [STAMP...]: `pip install -e SPEC` into .venv unless the first
# STAMP already holds pyproject.toml's digest (and the venv has its `migkg`); then every
# STAMP does. A restart with the same pyproject.toml skips pip altogether (it took 26 s
# even with nothing to do).
install_venv() {
  local spec=$1 want stamp
  shift
  want="$(digest pyproject.toml)"
  if [ -x .venv/bin/migkg ] && [ "$(cat "$1" 2>/dev/null)" = "$want" ]; then
    return 0
  fi
  echo "$SELF: installing migration-kg ($spec) into .venv (first run, or pyproject.toml changed)..."
  [ -x .venv/bin/python ] || python3 -m venv .venv
  quietly .venv/bin/pip install --disable-pip-version-check --upgrade pip
  quietly .venv/bin/pip install --disable-pip-version-check -e "$spec"
  for stamp in "$@"; do echo "$want" > "$stamp"; done
}

# install_npm DIR: `npm ci` in DIR unless its node_modules was installed from this
# package-lock.json.
install_npm() {
  local dir=$1 want stamp="$1/node_modules/.migkg-installed"
  want="$(digest "$dir/package-lock.json")"
  [ "$(cat "$stamp" 2>/dev/null)" = "$want" ] && return 0
  echo "$SELF: npm ci in $dir (first run, or its package-lock.json changed)..."
  quietly npm ci --no-audit --no-fund --prefix "$dir"
  echo "$want" > "$stamp"
}

# install_debs COMMAND=PACKAGE[,PACKAGE...]...: apt-get install the packages of each
# command that is not on PATH. The commands themselves are the stamp: checking them costs
# milliseconds, and unlike a file they cannot claim a package that was since removed.
install_debs() {
  local pair pkgs need=() SUDO=""
  for pair in "$@"; do
    command -v "${pair%%=*}" >/dev/null && continue
    IFS=, read -r -a pkgs <<< "${pair#*=}"
    need+=("${pkgs[@]}")
  done
  [ ${#need[@]} -eq 0 ] && return 0
  echo "$SELF: apt-get install ${need[*]} (missing; the output goes to $INSTALL_LOG)..."
  [ "$(id -u)" -eq 0 ] || SUDO="sudo"
  quietly $SUDO apt-get -o DPkg::Lock::Timeout=900 update
  quietly $SUDO env DEBIAN_FRONTEND=noninteractive apt-get -o DPkg::Lock::Timeout=900 install -y \
    --no-install-recommends "${need[@]}"
}
