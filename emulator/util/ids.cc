#include "emulator/util/ids.h"

namespace stratus {

namespace {
uint64_t MachineSeed() {
  std::random_device device;
  return (static_cast<uint64_t>(device()) << 32) ^ device();
}
constexpr char kHexDigits[] = "0123456789abcdef";
}  // namespace

Random::Random(std::optional<uint64_t> seed) : seed_(seed ? *seed : MachineSeed()), engine_(seed_) {}

double Random::NextDouble() {
  return static_cast<double>(Next() >> 11) * (1.0 / 9007199254740992.0);  // 53 bits
}

std::string Random::Hex(size_t length) {
  std::string out;
  out.reserve(length);
  uint64_t bits = 0;
  for (size_t i = 0; i < length; ++i) {
    if (i % 16 == 0) bits = Next();
    out.push_back(kHexDigits[bits & 0xf]);
    bits >>= 4;
  }
  return out;
}

std::string Random::Uuid() {
  std::string hex = Hex(32);
  hex[12] = '4';                                        // version 4
  hex[16] = kHexDigits[8 + (Next() & 0x3)];             // variant 10xx
  return hex.substr(0, 8) + "-" + hex.substr(8, 4) + "-" + hex.substr(12, 4) + "-" +
         hex.substr(16, 4) + "-" + hex.substr(20);
}

}  // namespace stratus
