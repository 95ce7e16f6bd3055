#pragma once
// Option parsing shared by the verbs: each verb describes its options with
// Boost.Program_options; `--help` prints them, anything wrong is a usage
// error (exit 2).

#include "cli.hpp"

#include <boost/program_options.hpp>

#include <optional>
#include <string>
#include <vector>

namespace ptyctl::cli {

namespace po = boost::program_options;

struct VerbOptions {
  po::options_description options;
  po::positional_options_description positional;
  po::options_description hidden;
  std::string usage;  // "ptyctl kill ID [--signal NAME] | --all"
  std::string about;  // one paragraph
};

// Parses `args`. Returns nullopt when --help was asked for (and printed).
std::optional<po::variables_map> parse(VerbOptions& verb, const std::vector<std::string>& args);

}  // namespace ptyctl::cli
