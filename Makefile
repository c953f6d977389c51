# Link-state mail routing for Postfix.
#
#   make            build build/bin/{lsa-agent,lsa-policyd,lsa-milter,lsactl}
#   make check      install what is missing, build, run every test
#   make check SANITIZE=1   the same under ASan+UBSan (in build/san)
#   make demo       the main job on the example organization
#   make bench      benchmarks: "bench: NAME VALUE UNIT" lines
#   make fuzz       libFuzzer targets, a short run each (clang)
#   make install    programs, units, man pages, examples (DESTDIR, PREFIX...)
#   make deb        the Debian package, in build/deb/ (packaging/debian)
#
# Debian packages come from packaging/install-deps.sh (apt-get, sudo when
# not root); the targets above call it, it does nothing when all is there.

CC	?= cc
SANITIZE ?= 0
ifeq ($(SANITIZE),1)
BUILD	?= build/san
SANFLAGS = -fsanitize=address,undefined -fno-sanitize-recover=all \
	   -fno-omit-frame-pointer
else
BUILD	?= build
SANFLAGS =
endif

WARN	= -Wall -Wextra -Werror -Wshadow -Wstrict-prototypes \
	  -Wmissing-prototypes -Wpointer-arith -Wformat=2 -Wno-format-nonliteral
CFLAGS	?= -O2 -g
ALL_CFLAGS = -std=gnu11 $(WARN) $(CFLAGS) $(SANFLAGS) -D_GNU_SOURCE -Ishared \
	     -Ilsa-agent
LDFLAGS_ALL = $(SANFLAGS) $(LDFLAGS)

LIB_SRCS = shared/xmalloc.c shared/log.c shared/diag.c shared/units.c \
	   shared/inifile.c shared/addrspace.c shared/topo_parse.c \
	   shared/topo_resolve.c shared/topo_print.c shared/settings.c \
	   shared/progconf.c shared/daemon.c shared/linkstate.c \
	   shared/route_index.c shared/route_spf.c shared/route.c \
	   shared/snapshot.c shared/netstring.c shared/socketmap_req.c \
	   shared/policy_req.c shared/lsrec.c shared/lsdb.c shared/l2s.c
LIB_SRCS += shared/pqlist.c shared/route_params.c
LIB_SRCS += shared/safefile.c shared/route_msg.c
LIB_SRCS += shared/smtp_reply.c
LIB_SRCS += shared/topo_conn.c shared/mastercf.c
LIB_SRCS += shared/credentials.c shared/hop_policy.c
LIB_SRCS += shared/schedule.c
LIB	= $(BUILD)/lib/liblsa.a
LIB_LIBS = -linih -ljansson -lcrypto

PROGS	= $(BUILD)/bin/lsa-agent $(BUILD)/bin/lsa-policyd \
	  $(BUILD)/bin/lsa-milter $(BUILD)/bin/lsactl
AGENT_CORE_SRCS = lsa-agent/agent.c lsa-agent/agent_status.c \
	       lsa-agent/peer.c lsa-agent/session.c lsa-agent/tls.c \
	       lsa-agent/sig.c \
	       lsa-agent/control.c lsa-agent/monitor.c \
	       lsa-agent/liveness.c lsa-agent/reroute.c lsa-agent/child.c
AGENT_CORE_SRCS += lsa-agent/session_cmd.c
AGENT_CORE_SRCS += lsa-agent/resolve.c
AGENT_CORE_SRCS += lsa-agent/mastercheck.c
AGENT_CORE_SRCS += lsa-agent/schedtimer.c
AGENT_CORE   = $(BUILD)/lib/libagent.a
AGENT_LIBS   = -levent_openssl -levent -lssl -lcrypto -lm
AGENT_SRCS   = lsa-agent/main.c
POLICYD_SRCS = policyd/main.c policyd/lst.c policyd/listen.c \
	       policyd/conn.c policyd/sockmap.c policyd/policy.c \
	       policyd/rotation.c
MILTER_SRCS  = milter/main.c milter/lst.c milter/cb.c milter/verdict.c \
	       milter/trace.c milter/class.c
MILTER_LIBS  = -lmilter -lpthread -lsystemd
LSACTL_SRCS  = lsa-agent/lsactl.c lsa-agent/lsactl_route.c \
	       lsa-agent/lsactl_agent.c lsa-agent/lsactl_setup.c \
	       lsa-agent/lsactl_pki.c

UNIT_TESTS = $(patsubst tests/unit/%.c,$(BUILD)/tests/%,$(wildcard tests/unit/test_*.c))
AGENT_TESTS = $(patsubst tests/agent/%.c,$(BUILD)/tests/%,$(wildcard tests/agent/test_*.c))
SHELL_TESTS = $(sort $(wildcard tests/cli/*.sh))

obj = $(patsubst %.c,$(BUILD)/obj/%.o,$(1))

.PHONY: all deps progs check check-run demo bench bench-run fuzz fuzz-run clean
.PHONY: install deb
.DEFAULT_GOAL := all
.SECONDARY:

all: deps
	@$(MAKE) --no-print-directory progs

deps:
	@packaging/install-deps.sh build

progs: $(PROGS)

$(BUILD)/obj/%.o: %.c
	@mkdir -p $(dir $@)
	$(CC) $(ALL_CFLAGS) -MMD -MP -c -o $@ $<

$(LIB): $(call obj,$(LIB_SRCS))
	@mkdir -p $(dir $@)
	rm -f $@ && ar rcs $@ $^

$(AGENT_CORE): $(call obj,$(AGENT_CORE_SRCS))
	@mkdir -p $(dir $@)
	rm -f $@ && ar rcs $@ $^

$(BUILD)/bin/lsa-agent: $(call obj,$(AGENT_SRCS)) $(AGENT_CORE) $(LIB)
	@mkdir -p $(dir $@)
	$(CC) $(LDFLAGS_ALL) -o $@ $^ $(LIB_LIBS) $(AGENT_LIBS) -lsystemd

$(BUILD)/bin/lsa-policyd: $(call obj,$(POLICYD_SRCS)) $(LIB)
	@mkdir -p $(dir $@)
	$(CC) $(LDFLAGS_ALL) -o $@ $^ $(LIB_LIBS) -levent -lsystemd

$(BUILD)/bin/lsa-milter: $(call obj,$(MILTER_SRCS)) $(LIB)
	@mkdir -p $(dir $@)
	$(CC) $(LDFLAGS_ALL) -o $@ $^ $(LIB_LIBS) $(MILTER_LIBS)

$(BUILD)/bin/lsactl: $(call obj,$(LSACTL_SRCS)) $(LIB)
	@mkdir -p $(dir $@)
	$(CC) $(LDFLAGS_ALL) -o $@ $^ $(LIB_LIBS)

# agent tests and the agent benchmark: many agents in one process
$(AGENT_TESTS): $(BUILD)/tests/%: $(BUILD)/obj/tests/agent/%.o \
	    $(BUILD)/obj/tests/agent/harness.o $(AGENT_CORE) $(LIB)
	@mkdir -p $(dir $@)
	$(CC) $(LDFLAGS_ALL) -o $@ $^ $(LIB_LIBS) $(AGENT_LIBS) -lcmocka

$(BUILD)/bench/bench_agent: $(BUILD)/obj/tests/agent/bench_agent.o \
	    $(BUILD)/obj/tests/agent/harness.o $(AGENT_CORE) $(LIB)
	@mkdir -p $(dir $@)
	$(CC) $(LDFLAGS_ALL) -o $@ $^ $(LIB_LIBS) $(AGENT_LIBS)

$(BUILD)/tests/%: $(BUILD)/obj/tests/unit/%.o $(LIB)
	@mkdir -p $(dir $@)
	$(CC) $(LDFLAGS_ALL) -o $@ $^ $(LIB_LIBS) -lcmocka

check:
	@packaging/install-deps.sh check
	@$(MAKE) --no-print-directory check-run

check-run: $(PROGS) $(UNIT_TESTS) $(AGENT_TESTS) $(BUILD)/bench/bench_milter
	@BUILD=$(BUILD) tests/run.sh $(UNIT_TESTS) $(AGENT_TESTS) $(SHELL_TESTS)

demo:
	@packaging/install-deps.sh check
	@$(MAKE) --no-print-directory progs
	@BUILD=$(BUILD) tests/demo.sh

BENCHES = $(patsubst tests/bench/%.c,$(BUILD)/bench/%,$(wildcard tests/bench/bench_*.c))

bench: deps
	@$(MAKE) --no-print-directory bench-run

bench-run: $(PROGS) $(BENCHES) $(BUILD)/bench/bench_agent \
	    $(BUILD)/bench/noop_milter
	@for b in $(BENCHES) $(BUILD)/bench/bench_agent; do $$b || exit 1; done
	@BUILD=$(BUILD) python3 tests/bench/bench_e2e.py

$(BUILD)/bench/%: $(BUILD)/obj/tests/bench/%.o $(LIB)
	@mkdir -p $(dir $@)
	$(CC) $(LDFLAGS_ALL) -o $@ $^ $(LIB_LIBS)

# the milter bench's baseline, and its client (the long-line test of
# tests/cli/milter.sh uses it, so make check builds both)
$(BUILD)/bench/noop_milter: $(BUILD)/obj/tests/bench/noop_milter.o
	@mkdir -p $(dir $@)
	$(CC) $(LDFLAGS_ALL) -o $@ $^ -lmilter -lpthread

# Fuzzing: every tests/fuzz/fuzz_*.c is a libFuzzer target linked with the
# library built by clang into build/fuzz; each runs FUZZ_SECONDS from its
# seed corpus tests/fuzz/corpus/NAME/ (new inputs go to build/fuzz/corpus).
FUZZ_SECONDS ?= 20
FUZZ_NAMES = $(patsubst tests/fuzz/%.c,%,$(wildcard tests/fuzz/fuzz_*.c))

fuzz:
	@packaging/install-deps.sh check
	@$(MAKE) --no-print-directory BUILD=build/fuzz CC=clang \
	    SANFLAGS="-fsanitize=fuzzer-no-link,address,undefined -fno-sanitize-recover=all" fuzz-run

fuzz-run: $(patsubst %,$(BUILD)/fuzz/%,$(FUZZ_NAMES))
	@for n in $(FUZZ_NAMES); do \
	    mkdir -p $(BUILD)/corpus/$$n tests/fuzz/corpus/$$n; \
	    echo "== fuzz $$n ($(FUZZ_SECONDS)s)"; \
	    $(BUILD)/fuzz/$$n -max_total_time=$(FUZZ_SECONDS) -max_len=65536 \
	        -artifact_prefix=$(BUILD)/corpus/$$n- \
	        -print_final_stats=0 $(BUILD)/corpus/$$n tests/fuzz/corpus/$$n \
	        2>$(BUILD)/corpus/$$n.log || { tail -40 $(BUILD)/corpus/$$n.log; exit 1; }; \
	    grep -aE '^(#[0-9]+ +DONE|Done)' $(BUILD)/corpus/$$n.log | tail -1; \
	done

FUZZ_LINK = $(CC) -fsanitize=fuzzer,address,undefined \
	    -fno-sanitize-recover=all -o $@ $^ $(LIB_LIBS)

$(BUILD)/fuzz/%: $(BUILD)/obj/tests/fuzz/%.o $(LIB)
	@mkdir -p $(dir $@)
	$(FUZZ_LINK)

# the agent's record acceptance: the agent core and the test harness too
$(BUILD)/fuzz/fuzz_agent_receive: \
	    $(BUILD)/obj/tests/fuzz/fuzz_agent_receive.o \
	    $(BUILD)/obj/tests/agent/harness.o $(AGENT_CORE) $(LIB)
	@mkdir -p $(dir $@)
	$(FUZZ_LINK) $(AGENT_LIBS)

# the session's command verdicts are pure (no libevent): fuzzed alone
$(BUILD)/fuzz/fuzz_session_lines: $(BUILD)/obj/lsa-agent/session_cmd.o
# the milter's header readers are pure (no libmilter): fuzzed alone
$(BUILD)/fuzz/fuzz_milter_trace: $(BUILD)/obj/milter/trace.o \
	    $(BUILD)/obj/milter/class.o

# postfix-setup's list splitter
$(BUILD)/fuzz/fuzz_postconf_list: \
	    $(BUILD)/obj/tests/fuzz/fuzz_postconf_list.o \
	    $(BUILD)/obj/lsa-agent/lsactl_setup.o $(LIB)
	@mkdir -p $(dir $@)
	$(FUZZ_LINK)

# Installation. The units name /usr/sbin and /etc/lsa: they are rewritten
# for SBINDIR and SYSCONFDIR. The milter_header_checks table goes to
# DATADIR (not /etc/lsa: Postfix's cleanup, user postfix, reads it, and
# /etc/lsa is 0750 root:lsa; it follows lsa-milter's header format, so it
# is upgraded with the programs rather than kept as a conffile). Man
# pages: whatever packaging/man/*.[158] holds.
PREFIX	?= /usr/local
SBINDIR	?= $(PREFIX)/sbin
BINDIR	?= $(PREFIX)/bin
MANDIR	?= $(PREFIX)/share/man
DATADIR	?= $(PREFIX)/share/lsa
DOCDIR	?= $(PREFIX)/share/doc/lsa
SYSCONFDIR ?= /etc
UNITDIR	?= /lib/systemd/system
MANPAGES = $(wildcard packaging/man/*.[158])
UNITS	= $(wildcard packaging/systemd/*.service)
EXAMPLES = $(wildcard packaging/examples/*)

install: $(PROGS)
	install -d $(DESTDIR)$(SBINDIR) $(DESTDIR)$(BINDIR) \
	    $(DESTDIR)$(UNITDIR) $(DESTDIR)$(DATADIR) $(DESTDIR)$(DOCDIR)/examples
	install -m 0755 $(BUILD)/bin/lsa-agent $(BUILD)/bin/lsa-policyd \
	    $(BUILD)/bin/lsa-milter $(DESTDIR)$(SBINDIR)
	install -m 0755 $(BUILD)/bin/lsactl $(DESTDIR)$(BINDIR)
	for u in $(UNITS); do \
	    sed -e 's|/usr/sbin/|$(SBINDIR)/|g' -e 's|/etc/lsa/|$(SYSCONFDIR)/lsa/|g' \
	        $$u >$(DESTDIR)$(UNITDIR)/$${u##*/} && \
	    chmod 0644 $(DESTDIR)$(UNITDIR)/$${u##*/} || exit 1; \
	done
	for m in $(MANPAGES); do \
	    install -D -m 0644 $$m $(DESTDIR)$(MANDIR)/man$${m##*.}/$${m##*/} || exit 1; \
	done
	install -m 0644 packaging/milter_header_checks $(DESTDIR)$(DATADIR)
	install -m 0644 $(EXAMPLES) $(DESTDIR)$(DOCDIR)/examples

# The package is built from a copy of the tree (build/deb/src, with
# packaging/debian as its debian/): dpkg-buildpackage writes into debian/
# and the parent directory, so the checkout stays as it is.
DEBDIR	?= build/deb

deb:
	@packaging/install-deps.sh deb
	rm -rf $(DEBDIR) && mkdir -p $(DEBDIR)/src
	tar -cf - --exclude='./build*' --exclude=./.git . | tar -xf - -C $(DEBDIR)/src
	cp -R packaging/debian $(DEBDIR)/src/debian
	cd $(DEBDIR)/src && DEB_BUILD_OPTIONS="parallel=$$(nproc) $${DEB_BUILD_OPTIONS:-}" dpkg-buildpackage -us -uc -b >../build.log 2>&1 || \
	    { tail -30 ../build.log; exit 1; }
	rm -rf $(DEBDIR)/src
	@ls $(DEBDIR)/*.deb

clean:
	rm -rf build

-include $(shell find $(BUILD)/obj -name '*.d' 2>/dev/null)
