# The front door. On a fresh Debian 12 machine each target is one command:
# the ones that build install what is missing first (as root; otherwise they
# print the apt-get command to run).

SHELL := /bin/bash
.ONESHELL:
.SHELLFLAGS := -euo pipefail -c

DEPS := cmake ninja-build g++ clang clang-format libclang-rt-14-dev pkg-config git bash tmux systemd less python3 \
        libgtest-dev libboost1.81-dev libboost-json1.81-dev \
        libboost-program-options1.81-dev libvterm-dev nodejs \
        openssh-server openssh-client

FUZZ_TARGETS := wire1_fuzz wire2_fuzz emulator_fuzz
# How long each fuzz target runs in `make fuzz` (CI passes a short time).
FUZZ_SECONDS ?= 60
# Seconds one input may take before libFuzzer reports it as a hang.
FUZZ_TIMEOUT ?= 10

.PHONY: deps test build release run bench fuzz fuzz-libvterm lint format clean

deps:
	@scripts/install-deps.sh $(DEPS)
	@command -v npm >/dev/null || scripts/install-deps.sh npm
	@# The --host tests run their own sshd; as root it wants its privilege
	@# separation directory, which its service would make at boot.
	@if [ "$$(id -u)" -eq 0 ] && [ ! -d /run/sshd ]; then install -d -m 0755 /run/sshd; fi
	@# The app's renderer for the fidelity tests, as pinned by its lock file.
	@if ! cmp -s tests/oracle/package-lock.json tests/oracle/node_modules/.ptyctl-installed-lock; then \
	  (cd tests/oracle && npm ci --no-audit --no-fund --loglevel=error) && \
	  cp tests/oracle/package-lock.json tests/oracle/node_modules/.ptyctl-installed-lock; fi

# The test build: Debug with ASan + UBSan, then every test through CTest.
test: deps
	cmake --preset debug-asan
	cmake --build --preset debug-asan
	ctest --preset debug-asan

build: deps
	cmake --preset debug-asan
	cmake --build --preset debug-asan

# Optimized binaries in build/release/bin.
release: deps
	cmake --preset release
	cmake --build --preset release

# Builds and starts terminal-host in the foreground; it starts pty-supervisor
# in the background when none runs. Ctrl-C stops terminal-host only: sessions
# and the supervisor go on.
STATE_DIR ?= $(HOME)/.superset
run: release
	@echo "terminal-host on $(STATE_DIR)/terminal-host.sock (Ctrl-C stops it; sessions keep running)"
	@echo "first thing to try, in another terminal:"
	@echo "  build/release/bin/ptyctl --state-dir $(STATE_DIR) new --id first"
	@echo "  build/release/bin/ptyctl --state-dir $(STATE_DIR) attach first    (Ctrl-\\ detaches)"
	build/release/bin/terminal-host --state-dir "$(STATE_DIR)"

bench: release
	@if ls build/release/bin/bench_* >/dev/null 2>&1; then
	  for b in build/release/bin/bench_*; do echo "== $$b"; "$$b"; done
	else
	  echo "no benchmarks yet"
	fi

# Builds the libFuzzer targets and runs each for FUZZ_SECONDS from the seeds
# in tests/fuzz/seeds (the growing corpus stays under build/fuzz).
fuzz: deps
	cmake --preset fuzz
	cmake --build --preset fuzz
	scripts/run-fuzz.sh build/fuzz $(FUZZ_SECONDS) $(FUZZ_TIMEOUT) $(FUZZ_TARGETS)

# The emulator's fuzz target again, on libvterm built from Debian's source with
# ASan: a memory error inside libvterm is found where it happens.
fuzz-libvterm: deps
	scripts/build-libvterm-asan.sh build/libvterm-asan
	cmake --preset fuzz-libvterm
	cmake --build --preset fuzz-libvterm --target emulator_fuzz
	scripts/run-fuzz.sh build/fuzz-libvterm $(FUZZ_SECONDS) $(FUZZ_TIMEOUT) emulator_fuzz

# Formatting must match .clang-format exactly; no wire's field or message
# type is spelled out outside libproto/.
lint: deps
	git ls-files -z '*.cpp' '*.hpp' | xargs -0 clang-format --dry-run --Werror
	echo "lint: formatting ok"
	scripts/check-wire-names.py

format:
	git ls-files -z '*.cpp' '*.hpp' | xargs -0 clang-format -i

clean:
	rm -rf build
