# corral: plain GNU make with pkg-config.
#   make                 build build/bin/*
#   make check           unit + integration (+ vm when available) suites
#   make check SANITIZE=1  the same under ASan and UBSan
#   make install PREFIX=/usr/local DESTDIR=

PREFIX ?= /usr/local
BINDIR ?= $(PREFIX)/bin
SBINDIR ?= $(PREFIX)/sbin
MANDIR ?= $(PREFIX)/share/man
UNITDIR ?= $(PREFIX)/lib/systemd/system
SYSUSERSDIR ?= $(PREFIX)/lib/sysusers.d
DESTDIR ?=
B ?= build

CC ?= cc
PKGS := libseccomp libcap yajl libmnl libarchive libcrypto yaml-0.1 libcurl libsystemd libmicrohttpd libnghttp2 libprotobuf-c zlib
VERSION := 0.1.0
COMMIT := $(shell git rev-parse --short HEAD 2>/dev/null || echo unknown)

WARN := -Wall -Wextra -Werror -Wno-unused-parameter -Wshadow -Wformat=2 -Wvla
# gcc warns about truncation in bounded error-path snprintf calls; clang has no such flag
WARN += $(if $(findstring clang,$(shell $(CC) --version 2>/dev/null | head -1)),,-Wno-format-truncation)
HARDEN := -D_FORTIFY_SOURCE=2 -fstack-protector-strong -fPIE
CFLAGS ?= -O2 -g
override CFLAGS += -std=gnu11 $(WARN) $(HARDEN) -D_GNU_SOURCE \
	-DCORRAL_VERSION='"$(VERSION)"' \
	-I. $(shell pkg-config --cflags $(PKGS) 2>/dev/null)
# libresolv for glibc's b64_pton: corral-docker decodes X-Registry-Auth in
# its sandbox, where libcrypto cannot be opened (--as-needed: only it links it)
LDLIBS := $(shell pkg-config --libs $(PKGS) 2>/dev/null) -lresolv
override LDFLAGS += -pie -Wl,-z,relro,-z,now -Wl,--as-needed

ifeq ($(SANITIZE),1)
override CFLAGS += -fsanitize=address,undefined -fno-omit-frame-pointer -fno-sanitize-recover=undefined -O1
override LDFLAGS += -fsanitize=address,undefined
B := build/sanitize
endif

# Libraries in link order: each depends only on those after it. The
# supervisor's process rooms (ctl, daemon, monitor, copy) never use each other: a
# binary links its own folder's archive and those after it, less the other
# rooms, so a reach across fails at link time. supervisor/shape is what
# corral-docker and corralctl share: Docker's shapes of corrald's replies.
ROOMS := supervisor/ctl supervisor/broker supervisor/sign supervisor/daemon supervisor/monitor supervisor/copy supervisor/docker supervisor/build supervisor/cri supervisor/stream
LIBDIRS := $(ROOMS) supervisor/template supervisor/shape supervisor/confine supervisor/logs supervisor/api supervisor/varlink supervisor/loop images/cli images images/registry images/source runtime/cli runtime cgroups bundle common
# corrald's rooms (policy/, secrets/, jobs/, ...) are folders of its archive,
# and so are their own sub-folders (containers/record, ...)
lib_srcs = $(filter-out $(1)/main_%.c,$(wildcard $(1)/*.c) $(if $(filter supervisor/daemon,$(1)),$(wildcard $(1)/*/*.c $(1)/*/*/*.c)))
lib_of = $(B)/lib/lib$(subst /,-,$(1)).a
pos = $(strip $(foreach i,$(shell seq $(words $(LIBDIRS))),$(if $(filter $(1),$(word $(i),$(LIBDIRS))),$(i))))
LIBS := $(foreach d,$(LIBDIRS),$(if $(call lib_srcs,$(d)),$(call lib_of,$(d))))
libs_for = $(foreach d,$(filter-out $(filter-out $(1),$(ROOMS)),$(wordlist $(call pos,$(1)),99,$(LIBDIRS))),$(if $(call lib_srcs,$(d)),$(call lib_of,$(d))))

# Each <dir>/main_<name>.c is a binary; underscores become dashes.
MAINS := $(wildcard $(addsuffix /main_*.c,$(LIBDIRS)))
bin_name = $(subst _,-,$(patsubst main_%.c,%,$(notdir $(1))))
BINS := $(foreach m,$(MAINS),$(B)/bin/$(call bin_name,$(m)))

HELPER_SRCS := $(wildcard tests/helpers/*.c)
HELPER_BINS := $(patsubst tests/helpers/%.c,$(B)/tests/helpers/%,$(HELPER_SRCS))

# tests/unit/<room>_<file>.c tests <room>/<file>.c; each is one binary
UNIT_SRCS := $(wildcard tests/unit/*.c)
UNIT_BINS := $(patsubst tests/unit/%.c,$(B)/tests/unit/%,$(UNIT_SRCS))

ALL_SRCS := $(foreach d,$(LIBDIRS),$(wildcard $(d)/*.c)) $(wildcard supervisor/daemon/*/*.c supervisor/daemon/*/*/*.c) $(UNIT_SRCS) $(HELPER_SRCS)
DEPS := $(patsubst %.c,$(B)/obj/%.d,$(ALL_SRCS))

.SECONDARY:
.PHONY: all deps test-deps check check-lint check-unit check-integration check-vm check-fuzz check-times bench soak demo install clean
all: $(BINS)

Q := $(if $(V),,@)

$(B)/obj/%.o: %.c
	@mkdir -p $(dir $@)
	@$(if $(V),,echo "  CC $<";)$(CC) $(CFLAGS) -MMD -MP -c $< -o $@

# the commit is version.c's alone, made again when the stamp changes
$(B)/obj/common/version.o: override CFLAGS += -DCORRAL_COMMIT='"$(COMMIT)"'
$(B)/obj/common/version.o: $(B)/commit.stamp
$(B)/commit.stamp: FORCE
	@mkdir -p $(dir $@)
	@echo '$(COMMIT)' | cmp -s - $@ || echo '$(COMMIT)' >$@
.PHONY: FORCE
FORCE:

define LIB_RULE
$(call lib_of,$(1)): $(patsubst %.c,$(B)/obj/%.o,$(call lib_srcs,$(1)))
	@mkdir -p $$(dir $$@)
	@rm -f $$@
	$$(Q)$$(AR) rcs $$@ $$^
endef
$(foreach d,$(LIBDIRS),$(eval $(call LIB_RULE,$(d))))

define BIN_RULE
$(B)/bin/$(call bin_name,$(1)): $(patsubst %.c,$(B)/obj/%.o,$(1)) $(call libs_for,$(patsubst %/,%,$(dir $(1))))
	@mkdir -p $$(dir $$@)
	$$(Q)$$(CC) $$(LDFLAGS) -o $$@ $$< $(call libs_for,$(patsubst %/,%,$(dir $(1)))) $$(LDLIBS)
endef
$(foreach m,$(MAINS),$(eval $(call BIN_RULE,$(m))))

$(B)/tests/helpers/%: $(B)/obj/tests/helpers/%.o
	@mkdir -p $(dir $@)
	$(Q)$(CC) $(LDFLAGS) -o $@ $< $(LDLIBS)

# these run inside containers' rootfs, so they carry their libc
STATIC_HELPERS := $(addprefix $(B)/tests/helpers/,sysprobe escape sysvq memtouch critest_nginx critest_nnp)
$(STATIC_HELPERS): $(B)/tests/helpers/%: tests/helpers/%.c
	@mkdir -p $(dir $@)
	$(Q)$(CC) -O2 -D_GNU_SOURCE -Wall -Werror -static -o $@ $<

$(B)/tests/unit/%: $(B)/obj/tests/unit/%.o $(LIBS)
	@mkdir -p $(dir $@)
	$(Q)$(CC) $(LDFLAGS) -o $@ $< $(LIBS) $(LDLIBS) -lcmocka

# Linked statically (PIE, so still randomised): corral-monitor-lean, one
# process per container for the container's whole life, maps no shared libc
# and keeps its RSS under 1 MiB; corralctl, run once per command by scripts
# and engines, skips the dynamic loader (1.32 ms to 1.04 ms a call here).
# corral-broker runs inside containers' rootfs, so it carries its libc.
# Sanitizer builds stay dynamic.
# corral itself too: each create, run or exec starts it twice (the second
# from its sealed view) and an engine's state polls once a call; the loader
# and its relocations were half of each start (2.3 ms to 1.4 ms a `state`).
YAJL_STATIC := $(wildcard $(shell pkg-config --variable=libdir yajl 2>/dev/null)/libyajl_s.a)
STATIC_BINS := $(B)/bin/corral-monitor-lean $(B)/bin/corralctl $(B)/bin/corral-broker
RUNTIME_STATIC := $(YAJL_STATIC) $(foreach l,libseccomp libcap,$(wildcard $(shell pkg-config --variable=libdir $(l) 2>/dev/null)/$(l).a))
ifneq ($(SANITIZE),1)
ifneq ($(YAJL_STATIC),)
$(STATIC_BINS): override LDFLAGS = -static-pie -Wl,-z,relro,-z,now
$(STATIC_BINS): LDLIBS = $(YAJL_STATIC)
endif
ifeq ($(words $(RUNTIME_STATIC)),3)
$(B)/bin/corral: override LDFLAGS = -static-pie -Wl,-z,relro,-z,now
$(B)/bin/corral: LDLIBS = $(RUNTIME_STATIC)
endif
endif

# For tests/bench/lifecycle.sh only, never installed: corral linked at fixed
# addresses (not position-independent, so not randomised). Under the VM
# tier's TCG, code at a new address is translated again in every process,
# and every exec of a PIE lands at a new one: this build shows how much of
# a `run` that is.
$(B)/tests/helpers/corral-fixed: $(B)/obj/runtime/cli/main_corral.o $(call libs_for,runtime/cli)
	@mkdir -p $(dir $@)
	$(Q)$(CC) -static -Wl,-z,relro,-z,now -o $@ $< $(call libs_for,runtime/cli) $(RUNTIME_STATIC)

# corral-cri's messages: protoc-c's C from the project's runtime_v1.proto.
# -Ulinux: the CRI's field "linux" is a macro in GNU C.
CRI_GEN := $(B)/gen/supervisor/cri/runtime_v1.pb-c
$(CRI_GEN).c $(CRI_GEN).h: supervisor/cri/runtime_v1.proto
	@mkdir -p $(dir $@)
	$(Q)protoc-c --c_out=$(B)/gen/supervisor/cri -I supervisor/cri $<
$(B)/obj/gen/runtime_v1.pb-c.o: $(CRI_GEN).c
	@mkdir -p $(dir $@)
	@$(if $(V),,echo "  CC $<";)$(CC) $(CFLAGS) -Ulinux -I$(B)/gen -c $< -o $@
CRI_OBJS := $(patsubst %.c,$(B)/obj/%.o,$(wildcard supervisor/cri/*.c tests/unit/cri_*.c))
$(CRI_OBJS): override CFLAGS += -Ulinux -I$(B)/gen
$(CRI_OBJS): $(CRI_GEN).h
$(call lib_of,supervisor/cri): $(B)/obj/gen/runtime_v1.pb-c.o
-include $(DEPS)

deps:
	@tests/deps.sh

check: deps
	@tests/run-all.sh "$(SANITIZE)"

# the call graph is read from corrald's objects
check-lint: $(call lib_of,supervisor/daemon)
	@tests/lint/run.sh $(B)

check-unit: $(UNIT_BINS)
	@tests/unit/run.sh $(B)

# what the integration and VM tiers run, built once before they start
test-deps: all $(HELPER_BINS) $(B)/npm/testcontainers/.installed $(B)/clients/docker-20.10/docker

# Debian's docker CLI (20.10, API 1.41), the client the Docker API tests
# speak with: the docker.io package's /usr/bin/docker alone, taken from the
# package rather than installed, since installing it starts a dockerd.
$(B)/clients/docker-20.10/docker:
	@rm -rf $(dir $@) && mkdir -p $(dir $@)
	@cd $(dir $@) && { apt-get download docker.io >apt.log 2>&1 && \
		dpkg-deb --fsys-tarfile docker.io_*.deb | tar -xO ./usr/bin/docker >docker.part && \
		chmod 755 docker.part && mv docker.part docker && rm -f docker.io_*.deb; } || \
		echo "docker 20.10: apt-get download docker.io failed (see $(dir $@)apt.log)"

# testcontainers (npm), which test_docker_clients.sh drives against corrald,
# from its lockfile; installed here because the tests run with no network.
# Where npm cannot reach its registry the case says so and fails.
$(B)/npm/testcontainers/.installed: tests/clients/testcontainers/package.json tests/clients/testcontainers/package-lock.json
	@rm -rf $(dir $@) && mkdir -p $(dir $@) && cp $^ $(dir $@)
	@if command -v npm >/dev/null; then cd $(dir $@) && npm ci --no-audit --no-fund --loglevel=error >npm.log 2>&1 && touch .installed || \
		{ echo "testcontainers: npm ci failed (see $(dir $@)npm.log)"; touch .installed; }; else touch $@; fi

check-integration: all $(HELPER_BINS)
	@tests/integration/run.sh $(B)

# the VM tier's four boots in two chains (tests/vm/tier.sh, run.sh's CORRAL_VM_MODE)
check-vm: all $(HELPER_BINS)
	@tests/vm/tier.sh $(B)

check-fuzz:
	@tests/fuzz/run.sh

# the slowest cases and files of the last run (each tier records them)
check-times:
	@tests/times.sh $(B)

bench: all
	@tests/bench/run.sh $(B)

# the soak, long (tests/soak/run.sh), then its power losses in a qemu guest
# (tests/soak/powerloss.sh): SEED=N replays one, OPS=, FAULTS= and LOSSES= size it
soak: all
	@tests/soak/run.sh $(if $(SEED),--seed $(SEED)) --ops $(or $(OPS),10000) --faults $(or $(FAULTS),300) $(B)
	@tests/soak/powerloss.sh $(if $(SEED),--seed $(SEED)) --losses $(or $(LOSSES),20) $(B)

demo: deps all
	@tests/demo.sh $(B)

install: all
	install -d $(DESTDIR)$(BINDIR) $(DESTDIR)$(MANDIR)/man1 $(DESTDIR)$(MANDIR)/man5 $(DESTDIR)$(MANDIR)/man8
	@# a sealed view bound over an installed binary (corral-seal.service)
	@# refuses the copy: the views come off for it and go back after,
	@# the copy failed or not
	sealed=$$([ -n "$(DESTDIR)" ] || for b in $(notdir $(BINS)); do \
		awk -v p="$(BINDIR)/$$b" '$$5 == p {print p; exit}' /proc/self/mountinfo; done); \
	if [ -n "$$sealed" ]; then $(BINDIR)/corral seal --remove $$sealed || exit 1; fi; \
	install -m 0755 $(BINS) $(DESTDIR)$(BINDIR)/; rc=$$?; \
	if [ -n "$$sealed" ]; then $(BINDIR)/corral seal $$sealed || exit 1; fi; exit $$rc
	for m in man/*.[1578]; do [ -f "$$m" ] || continue; install -d $(DESTDIR)$(MANDIR)/man$${m##*.}; install -m 0644 "$$m" $(DESTDIR)$(MANDIR)/man$${m##*.}/; done
	install -d $(DESTDIR)$(UNITDIR) $(DESTDIR)$(SYSUSERSDIR)
	sed 's|/usr/local/bin|$(BINDIR)|g' supervisor/systemd/corrald.service >$(DESTDIR)$(UNITDIR)/corrald.service
	sed 's|/usr/local/bin|$(BINDIR)|g' supervisor/systemd/corral-seal.service >$(DESTDIR)$(UNITDIR)/corral-seal.service
	install -m 0644 supervisor/systemd/corrald.socket supervisor/systemd/corral-docker.socket supervisor/systemd/corral-cri.socket $(DESTDIR)$(UNITDIR)/
	[ ! -f supervisor/systemd/corral.sysusers ] || install -m 0644 supervisor/systemd/corral.sysusers $(DESTDIR)$(SYSUSERSDIR)/corral.conf

clean:
	rm -rf build
