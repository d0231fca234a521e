#include "emulator/storage/durability.h"

#include <string>

namespace stratus::storage {

Result<Durability> ParseDurability(std::string_view text) {
  if (text == "off") return Durability::kOff;
  if (text == "normal") return Durability::kNormal;
  if (text == "full") return Durability::kFull;
  return Status::InvalidArgument("durability '" + std::string(text) +
                                 "' is not one of off, normal, full");
}

std::string_view DurabilityName(Durability durability) {
  switch (durability) {
    case Durability::kOff: return "off";
    case Durability::kNormal: return "normal";
    case Durability::kFull: return "full";
  }
  return "unknown";
}

}  // namespace stratus::storage
