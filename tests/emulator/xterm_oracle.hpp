#pragma once
// The desktop app's renderer as a test oracle: tests/oracle/render.js
// (xterm.js 6 with the Unicode 11 widths, pinned by its package-lock.json)
// run by node, one process for the whole test program, asked over pipes.
// Needs `npm ci` in tests/oracle (make deps does it).

#include <boost/json.hpp>

#include <fcntl.h>
#include <signal.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cstdio>
#include <stdexcept>
#include <string>
#include <string_view>
#include <vector>

namespace ptyctl::testing_oracle {

inline std::string base64(std::string_view in) {
  static constexpr char kDigits[] =
      "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
  std::string out;
  out.reserve((in.size() + 2) / 3 * 4);
  std::size_t i = 0;
  for (; i + 2 < in.size(); i += 3) {
    const unsigned v = static_cast<unsigned char>(in[i]) << 16 |
                       static_cast<unsigned char>(in[i + 1]) << 8 |
                       static_cast<unsigned char>(in[i + 2]);
    for (int s = 18; s >= 0; s -= 6)
      out += kDigits[(v >> s) & 63];
  }
  if (i < in.size()) {
    unsigned v = static_cast<unsigned char>(in[i]) << 16;
    if (i + 1 < in.size()) v |= static_cast<unsigned char>(in[i + 1]) << 8;
    out += kDigits[(v >> 18) & 63];
    out += kDigits[(v >> 12) & 63];
    out += i + 1 < in.size() ? kDigits[(v >> 6) & 63] : '=';
    out += '=';
  }
  return out;
}

class XtermOracle {
 public:
  XtermOracle() {
    const std::string dir = std::string(PTYCTL_SOURCE_DIR) + "/tests/oracle";
    if (::access((dir + "/node_modules/@xterm/headless/package.json").c_str(), R_OK) != 0)
      throw std::runtime_error("xterm.js is not installed in " + dir +
                               " (make deps runs npm ci there)");
    int to_child[2], from_child[2];
    if (::pipe2(to_child, O_CLOEXEC) != 0 || ::pipe2(from_child, O_CLOEXEC) != 0)
      throw std::runtime_error("pipe failed");
    pid_ = ::fork();
    if (pid_ == 0) {
      ::dup2(to_child[0], 0);
      ::dup2(from_child[1], 1);
      ::execlp("node", "node", (dir + "/render.js").c_str(), static_cast<char*>(nullptr));
      _exit(127);
    }
    ::close(to_child[0]);
    ::close(from_child[1]);
    to_ = ::fdopen(to_child[1], "w");
    from_ = ::fdopen(from_child[0], "r");
  }
  ~XtermOracle() {
    if (to_) std::fclose(to_);
    if (from_) std::fclose(from_);
    if (pid_ > 0) {
      int status;
      ::waitpid(pid_, &status, 0);
    }
  }
  XtermOracle(const XtermOracle&) = delete;
  XtermOracle& operator=(const XtermOracle&) = delete;

  // The differences between what xterm.js shows after each stream and after
  // the first, in words; empty when it shows the same.
  std::vector<std::string> differences(int cols, int rows, int scrollback,
                                       const std::vector<std::string>& streams) {
    boost::json::array encoded;
    for (const auto& s : streams)
      encoded.push_back(boost::json::string(base64(s)));
    return differences_of(cols, rows, scrollback, std::move(encoded));
  }

  // A stream with resizes in it: bytes, then a resize, then bytes...
  struct Part {
    std::string bytes;
    int cols = 0;  // a resize to cols x rows when not 0
    int rows = 0;
  };
  std::vector<std::string> differences(int cols, int rows, int scrollback,
                                       const std::vector<std::vector<Part>>& streams) {
    boost::json::array encoded;
    for (const auto& stream : streams) {
      boost::json::array parts;
      for (const Part& p : stream) {
        if (p.cols > 0)
          parts.push_back(boost::json::object{{"resize", boost::json::array{p.cols, p.rows}}});
        else
          parts.push_back(boost::json::object{{"b", base64(p.bytes)}});
      }
      encoded.push_back(std::move(parts));
    }
    return differences_of(cols, rows, scrollback, std::move(encoded));
  }

 private:
  std::vector<std::string> differences_of(int cols, int rows, int scrollback,
                                          boost::json::array encoded) {
    const boost::json::value answer =
        ask({{"cols", cols}, {"rows", rows}, {"scrollback", scrollback}, {"streams", encoded}});
    std::vector<std::string> out;
    for (const auto& d : answer.at("diffs").as_array())
      out.emplace_back(d.as_string());
    return out;
  }

 public:
  // What xterm.js shows after `stream`, as render.js describes it.
  boost::json::value render(int cols, int rows, int scrollback, std::string_view stream) {
    return ask({{"cols", cols},
                {"rows", rows},
                {"scrollback", scrollback},
                {"render", base64(stream)}})
        .at("state");
  }

 private:
  boost::json::value ask(const boost::json::object& request) {
    const std::string line = boost::json::serialize(request) + "\n";
    if (std::fwrite(line.data(), 1, line.size(), to_) != line.size() || std::fflush(to_) != 0)
      throw std::runtime_error("the xterm.js oracle is gone");
    std::string reply;
    char buf[65536];
    while (std::fgets(buf, sizeof buf, from_)) {
      reply += buf;
      if (!reply.empty() && reply.back() == '\n') break;
    }
    if (reply.empty()) throw std::runtime_error("the xterm.js oracle answered nothing");
    boost::json::value v = boost::json::parse(reply);
    if (const auto* e = v.as_object().if_contains("error"))
      throw std::runtime_error("the xterm.js oracle failed: " + std::string(e->as_string()));
    return v;
  }

  pid_t pid_ = -1;
  std::FILE* to_ = nullptr;
  std::FILE* from_ = nullptr;
};

}  // namespace ptyctl::testing_oracle
