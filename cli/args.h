// Command-line parsing shared by the subcommands: long options (--name VALUE, --name=VALUE),
// one-letter aliases (-c FILE), flags, positional arguments, and generated --help text.
#pragma once

#include <optional>
#include <string>
#include <vector>

#include "emulator/util/status.h"

namespace stratus::cli {

struct OptionSpec {
  std::string name;         // without the leading "--"
  char alias = 0;           // e.g. 'c' for -c; 0 for none
  std::string value_name;   // empty for a flag
  std::string help;
};

struct CommandSpec {
  std::string usage;        // "stratus start [options]"
  std::string summary;      // one paragraph
  std::vector<OptionSpec> options;  // --help is added automatically
  bool takes_positional = false;
};

class Args {
 public:
  // Parses argv[first..argc). InvalidArgument names the offending argument (and the nearest
  // known option for a misspelt one).
  static Result<Args> Parse(const CommandSpec& spec, int argc, char** argv, int first);

  bool Has(const std::string& name) const;
  std::optional<std::string> Get(const std::string& name) const;
  // Every value of a repeatable option, in command-line order.
  std::vector<std::string> GetAll(const std::string& name) const;
  // The option as a whole number in [min, max]; InvalidArgument if it is not one.
  Result<std::optional<long long>> GetInt(const std::string& name, long long min,
                                          long long max) const;
  const std::vector<std::string>& positional() const { return positional_; }

 private:
  std::vector<std::pair<std::string, std::string>> values_;
  std::vector<std::string> positional_;
};

std::string HelpText(const CommandSpec& spec);

// The candidate closest to `word` by edit distance when it is a plausible misspelling.
std::optional<std::string> NearestWord(const std::string& word,
                                       const std::vector<std::string>& candidates);

// Prints "stratus: error: MESSAGE" on stderr.
void PrintError(const std::string& message);

}  // namespace stratus::cli
