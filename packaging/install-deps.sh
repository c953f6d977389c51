#!/bin/sh
# install-deps.sh - install the Debian packages the build, the tests and the demo need.
#
# Usage: packaging/install-deps.sh [build|check|deb|all]
# Installs only what is missing (dpkg-query), through apt-get; uses sudo when not root.
# Safe to run again: with everything present it does nothing and prints nothing.
set -eu

BUILD_PKGS="build-essential pkg-config libinih-dev libevent-dev libmilter-dev \
libcmocka-dev libssl-dev libsystemd-dev libjansson-dev"
CHECK_PKGS="clang libclang-rt-14-dev openssl postfix python3 swaks nftables \
miltertest mandoc sasl2-bin libsasl2-modules faketime"
# make deb (tests/cli/deb.sh builds, lints and installs the package)
DEB_PKGS="debhelper dpkg-dev fakeroot lintian adduser"

what=${1:-all}
case "$what" in
build) pkgs=$BUILD_PKGS ;;
deb) pkgs="$BUILD_PKGS $DEB_PKGS" ;;
check|all) pkgs="$BUILD_PKGS $CHECK_PKGS $DEB_PKGS" ;;
*) echo "usage: $0 [build|check|deb|all]" >&2; exit 2 ;;
esac

missing=""
for p in $pkgs; do
	st=$(dpkg-query -W -f='${db:Status-Status}' "$p" 2>/dev/null || true)
	[ "$st" = "installed" ] || missing="$missing $p"
done
[ -n "$missing" ] || exit 0

SUDO=""
[ "$(id -u)" -eq 0 ] || SUDO="sudo"
echo "install-deps: installing:$missing" >&2
export DEBIAN_FRONTEND=noninteractive
# postfix: install the programs only; the tests run their own instances
echo "postfix postfix/main_mailer_type select No configuration" |
	$SUDO debconf-set-selections
$SUDO apt-get update -q >/dev/null
# shellcheck disable=SC2086
$SUDO apt-get install -y -q --no-install-recommends $missing >/dev/null
