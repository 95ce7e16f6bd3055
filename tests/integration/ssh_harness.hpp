#pragma once
// A real sshd on a loopback port for the --host tests: a throwaway host key,
// a key of the test's own in an authorized_keys, everything in the test's
// temp dir; and the ssh client configuration ptyctl is given for it.

#include "harness.hpp"

#include <map>
#include <memory>
#include <string>

namespace ptyctl::test {

class SshServer {
 public:
  // `remote_env`: set in the remote ptyctl's environment (ssh SetEnv, sshd
  // AcceptEnv), e.g. a private XDG_DATA_HOME.
  SshServer(const TempDir& dir, const std::map<std::string, std::string>& remote_env);
  ~SshServer();
  // The host name the client configuration knows ("ptyctl-test").
  static constexpr const char* kHost = "ptyctl-test";
  // What a local ptyctl needs in its environment to reach it: PTYCTL_SSH with
  // the client configuration, PTYCTL_REMOTE_PTYCTL naming `ptyctl` (this
  // build's) for the remote side.
  std::map<std::string, std::string> client_env(const std::string& ptyctl) const;
  // The ssh client configuration that knows kHost (ssh -F).
  std::string client_config() const { return dir_ + "/ssh_config"; }
  int port() const { return port_; }
  std::string log() const;

 private:
  std::string dir_;
  int port_ = 0;
  std::unique_ptr<Process> sshd_;
};

// sshd's absolute path (the remote tests need the openssh-server package).
std::string sshd_binary();

}  // namespace ptyctl::test
