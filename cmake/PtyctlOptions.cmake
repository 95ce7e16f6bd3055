# Build options and the warning/sanitizer flags every target of ours gets.
option(PTYCTL_BUILD_TESTS "Build the unit and integration tests" ON)
option(PTYCTL_BUILD_BENCH "Build the benchmarks under bench/" OFF)
option(PTYCTL_BUILD_FUZZ "Build the libFuzzer targets (clang only)" OFF)
option(PTYCTL_WERROR "Treat compiler warnings as errors (CI turns this on)" OFF)
option(PTYCTL_SANITIZE "Build with AddressSanitizer and UndefinedBehaviorSanitizer" OFF)

add_library(ptyctl_warnings INTERFACE)
target_compile_options(ptyctl_warnings INTERFACE -Wall -Wextra -Wpedantic)
# g++ 12 at -O2 warns -Wrestrict inside libstdc++ for `"literal" + std::string`
# (GCC bug 105329, a false positive fixed in 13).
if(CMAKE_CXX_COMPILER_ID STREQUAL "GNU" AND CMAKE_CXX_COMPILER_VERSION VERSION_LESS 13)
  target_compile_options(ptyctl_warnings INTERFACE -Wno-restrict)
endif()
if(PTYCTL_WERROR)
  target_compile_options(ptyctl_warnings INTERFACE -Werror)
endif()

if(PTYCTL_SANITIZE)
  # Not UBSan's vptr check: it probes memory through a pipe, so in a process
  # out of file descriptors (what the EMFILE tests make on purpose) every
  # virtual call it checks is reported as a bad type and aborts.
  add_compile_options(-fsanitize=address,undefined -fno-sanitize=vptr -fno-omit-frame-pointer
                      -fno-sanitize-recover=undefined)
  add_link_options(-fsanitize=address,undefined)
endif()

if(PTYCTL_BUILD_FUZZ)
  if(NOT CMAKE_CXX_COMPILER_ID STREQUAL "Clang")
    message(FATAL_ERROR "PTYCTL_BUILD_FUZZ needs clang (use the 'fuzz' preset)")
  endif()
  # Instrument everything of ours for coverage; the targets add the libFuzzer main.
  add_compile_options(-fsanitize=fuzzer-no-link,address,undefined -fno-omit-frame-pointer)
  add_link_options(-fsanitize=address,undefined)
endif()
