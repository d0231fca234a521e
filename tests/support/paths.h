// Where the source tree and the stratus binary are, for tests. Kept out of every test's
// command line (an absolute path there would defeat ccache across clones).
#pragma once

#include <string>

namespace stratus::testing {

std::string SourceDir();      // the repository's root
std::string StratusBinary();  // the stratus executable of this build

}  // namespace stratus::testing
