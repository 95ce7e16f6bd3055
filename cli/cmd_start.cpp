// ptyctl start supervisor|terminal-host [--name NAME] [-d]

#include "options.hpp"
#include "process_util.hpp"

#include <iostream>

namespace ptyctl::cli {

int cmd_start(const Globals& globals, const std::vector<std::string>& args) {
  VerbOptions verb{po::options_description("Options"),
                   {},
                   po::options_description(),
                   "ptyctl start supervisor|terminal-host [--name NAME] [-d] [-- SERVER-ARGS...]",
                   "Runs pty-supervisor or terminal-host on the state directory: in the "
                   "foreground (this command becomes the server; Ctrl-C stops it), or with -d in "
                   "the background with its log in the state directory. Either way it registers "
                   "as process/supervisor-NAME or process/terminal-host-NAME (ptyctl ps)."};
  std::string kind, name = globals.instance;
  std::vector<std::string> extra;
  verb.options.add_options()("name", po::value(&name)->default_value(globals.instance),
                             "instance name (a-z, 0-9, -; default: the state directory's)")(
      "detach,d", "run in the background");
  verb.hidden.add_options()("kind", po::value(&kind)->required())("extra", po::value(&extra));
  verb.positional.add("kind", 1).add("extra", -1);
  auto vm = parse(verb, args);
  if (!vm) return kOk;
  check_kind(kind);
  if (!valid_instance_name(name)) throw CliError(kUsage, "--name must be 1 to 64 of a-z, 0-9, -");
  std::vector<std::string> server_args{"--state-dir", globals.state_dir, "--name", name};
  server_args.insert(server_args.end(), extra.begin(), extra.end());
  if (vm->count("detach")) {
    server_args.push_back("--detach");
    const int status = start_detached(globals, kind, server_args);
    if (status != 0) return status == 1 ? kFailed : status;
    if (auto e = own_process(globals, process_name(kind, name)))
      std::cout << e->id() << " pid " << e->pid << "\n";
    return kOk;
  }
  const std::string bin = sibling_binary(globals, binary_of_kind(kind));
  std::vector<std::string> argv{bin};
  argv.insert(argv.end(), server_args.begin(), server_args.end());
  exec_command(argv);
  throw CliError(kFailed, "cannot run " + bin);
}

}  // namespace ptyctl::cli
