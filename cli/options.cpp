#include "options.hpp"

#include <iostream>

namespace ptyctl::cli {

std::optional<po::variables_map> parse(VerbOptions& verb, const std::vector<std::string>& args) {
  verb.options.add_options()("help,h", "show this help");
  po::options_description all;
  all.add(verb.options).add(verb.hidden);
  po::variables_map vm;
  try {
    po::store(po::command_line_parser(args).options(all).positional(verb.positional).run(), vm);
    if (vm.count("help")) {
      std::cout << "Usage: " << verb.usage << "\n\n" << verb.about << "\n\n" << verb.options;
      return std::nullopt;
    }
    po::notify(vm);
  } catch (const po::error& e) {
    throw CliError(kUsage, std::string(e.what()) + " (usage: " + verb.usage + ")");
  }
  return vm;
}

}  // namespace ptyctl::cli
