#include "tests/support/paths.h"

namespace stratus::testing {

std::string SourceDir() { return STRATUS_SOURCE_DIR; }
std::string StratusBinary() { return STRATUS_BINARY; }

}  // namespace stratus::testing
