#!/bin/bash
# The SELinux policy the VM tier's SELinux boot loads: Debian's
# selinux-policy-default, built with policycoreutils' semodule, both only
# unpacked under B (nothing is installed, and the host's own /etc/selinux
# is never read or written). Prints the policy's path.
#   tests/vm/mkselinux.sh B
set -eu
B=$1
dir=$B/vm/selinux
policy=$dir/root/etc/selinux/default/policy/policy.33
[ -s "$policy" ] && { echo "$policy"; exit 0; }
command -v apt-get >/dev/null && command -v dpkg >/dev/null || { echo "mkselinux: needs apt-get and dpkg" >&2; exit 1; }
rm -rf "$dir" && mkdir -p "$dir/deb" "$dir/root" "$dir/tools"
(cd "$dir/deb" && apt-get download -q selinux-policy-default policycoreutils >/dev/null 2>&1) ||
	{ echo "mkselinux: apt-get download selinux-policy-default policycoreutils failed" >&2; exit 1; }
dpkg -x "$dir"/deb/selinux-policy-default_*.deb "$dir/root"
dpkg -x "$dir"/deb/policycoreutils_*.deb "$dir/tools"
R=$dir/root T=$dir/tools
mkdir -p "$R/etc/selinux"
printf 'SELINUX=permissive\nSELINUXTYPE=default\n' >"$R/etc/selinux/config"
# libsemanage's settings, with its helpers taken from the unpacked tools;
# compiled file contexts are not needed to load a policy
cat >"$R/etc/selinux/semanage.conf" <<CONF
module-store = direct
expand-check = 0
compiler-directory = $T/usr/libexec/selinux/hll
[setfiles]
path = $T/sbin/setfiles
args = -q -c \$@ \$<
[end]
[sefcontext_compile]
path = /bin/true
args = \$@
[end]
CONF
mods=()
while read -r m; do mods+=("-i$R/usr/share/selinux/default/$m.pp.bz2"); done <"$R/usr/share/selinux/default/.modules"
# as the package's postinst, without loading it into this kernel (-n)
"$T/usr/sbin/semodule" -p "$R" -X 100 -n -s default "${mods[@]}" >"$dir/semodule.log" 2>&1 ||
	{ echo "mkselinux: semodule failed: $(grep -v 'not in password file' "$dir/semodule.log" | tail -1)" >&2; exit 1; }
[ -s "$policy" ] || { echo "mkselinux: semodule made no $policy" >&2; exit 1; }
echo "$policy"
