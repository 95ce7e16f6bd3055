#!/usr/bin/env bash
# Builds Debian's libvterm (the version the emulator links) from its source
# package with clang, AddressSanitizer and fuzzer coverage, for the
# `fuzz-libvterm` preset: the system library is not instrumented, so a memory
# error inside it shows only as damage found later, if at all (two were found
# this way; see docs/emulator.md).
#
# Usage: scripts/build-libvterm-asan.sh OUT_DIR
# Leaves OUT_DIR/lib/libvterm.a and OUT_DIR/pc/vterm.pc. The source comes from
# Debian's deb-src archive through a private apt list directory, so the
# machine's own apt configuration and lists are left alone.
set -euo pipefail

out=$(mkdir -p "$1" && cd "$1" && pwd)
version=$(pkg-config --modversion vterm)
if [ -f "$out/lib/libvterm.a" ] && [ "$(cat "$out/version" 2>/dev/null)" = "$version" ]; then
  exit 0
fi

apt_dir="$out/apt"
mkdir -p "$apt_dir/lists/partial" "$out/src"
suite=$(. /etc/os-release && echo "${VERSION_CODENAME:-bookworm}")
echo "deb-src http://deb.debian.org/debian $suite main" >"$apt_dir/sources.list"
apt_opts=(-o "Dir::Etc::SourceList=$apt_dir/sources.list" -o "Dir::Etc::SourceParts=/dev/null"
  -o "Dir::State::Lists=$apt_dir/lists" -o "APT::Sandbox::User=root")
apt-get "${apt_opts[@]}" -qq update
(cd "$out/src" && apt-get "${apt_opts[@]}" -qq source --download-only "libvterm=${version}-*" ||
  apt-get "${apt_opts[@]}" -qq source --download-only libvterm)

tarball=$(ls "$out"/src/libvterm_"$version".orig.tar.* | head -n 1)
rm -rf "$out/src/tree" && mkdir -p "$out/src/tree"
tar -xf "$tarball" -C "$out/src/tree" --strip-components=1

mkdir -p "$out/obj" "$out/lib" "$out/pc"
for c in "$out"/src/tree/src/*.c; do
  clang -c -g -O1 -std=c99 -fno-omit-frame-pointer -fsanitize=address,fuzzer-no-link \
    -I"$out/src/tree/include" "$c" -o "$out/obj/$(basename "$c" .c).o"
done
rm -f "$out/lib/libvterm.a"
ar rcs "$out/lib/libvterm.a" "$out"/obj/*.o
cat >"$out/pc/vterm.pc" <<EOF
Name: vterm
Description: libvterm $version built with AddressSanitizer (for fuzzing)
Version: $version
Libs: -L$out/lib -lvterm
Cflags: -I$out/src/tree/include
EOF
echo "$version" >"$out/version"
echo "libvterm $version with ASan in $out"
