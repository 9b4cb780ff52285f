#!/bin/sh
# Install the Debian packages corral builds and tests with. As root it runs
# apt-get; otherwise it prints the exact command to run.
set -eu
PKGS="build-essential pkg-config clang libseccomp-dev libcap-dev libyajl-dev libyaml-dev \
libmnl-dev libarchive-dev libssl-dev libcmocka-dev busybox-static umoci skopeo \
crun runc qemu-system-x86 linux-image-amd64 zstd util-linux iproute2 cpio \
systemd jq file python3 conmon time kmod podman catatonit containerd tmux \
containernetworking-plugins nftables iptables curl buildah \
python3-grpcio python3-protobuf protobuf-compiler protobuf-compiler-grpc \
libnghttp2-dev libprotobuf-c-dev protobuf-c-compiler zlib1g-dev \
python3-cryptography docker-registry apache2-utils libcurl4-openssl-dev apparmor libsystemd-dev \
uidmap dbus-user-session criu libmicrohttpd-dev python3-docker docker-compose strace dmsetup universal-ctags \
golang-go golang-github-varlink-go-dev"
missing=""
for p in $PKGS; do
	dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" ||
		missing="$missing $p"
done
[ -z "$missing" ] && exit 0
if [ "$(id -u)" -ne 0 ]; then
	echo "corral: missing packages; run: sudo apt-get install -y$missing" >&2
	exit 1
fi
echo "deps: installing$missing"
export DEBIAN_FRONTEND=noninteractive
apt-get update -qq
# shellcheck disable=SC2086
apt-get install -y -qq --no-install-recommends $missing >/dev/null
# docker-registry's package starts a registry on the host's port 5000 where
# systemd runs; the tests start their own, in a network namespace each
case " $missing " in *" docker-registry "*)
	if [ -d /run/systemd/system ]; then
		systemctl disable --now docker-registry >/dev/null 2>&1 || true
	fi ;;
esac
