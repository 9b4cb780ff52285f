# podman_layout OCI_DIR: a new directory whose path is lowercase, holding
# a link "layout" to OCI_DIR; prints its path. podman names an image pulled
# from an oci: layout after the layout's path, and refuses a path with a
# capital in it ("repository name must be lowercase"), wherever the
# checkout is: pull "oci:$(podman_layout DIR)/layout:REF" and remove the
# directory after. Sourced by the tests and the benchmarks that use podman.
podman_layout() {
	local d
	d=$(mktemp -u /tmp/corral-pm.XXXXXXXX | tr '[:upper:]' '[:lower:]')
	mkdir -m 700 "$d" && ln -s "$(cd "$1" && pwd)" "$d/layout" && echo "$d"
}
