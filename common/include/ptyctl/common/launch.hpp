#pragma once
// Starting one of our servers in the background: terminal-host starting
// pty-supervisor, ptyctl starting either (`start -d`, the autostart).

#include <sys/types.h>

#include <string>
#include <vector>

namespace ptyctl {

// fork + exec of argv (argv[0] looked up in $PATH when it has no '/'): the
// child gets a session of its own (no Ctrl-C or hangup of our terminal
// reaches it) and none of our fds but 0-2. Returns the child's pid (the
// caller reaps it: with --detach it exits once the server listens), or -1
// when fork fails. A failed exec ends the child with 127.
pid_t launch_detached(const std::vector<std::string>& argv);

}  // namespace ptyctl
