// Random: the one seeded generator behind request ids and sampled values, so a run started
// with --seed N can be reproduced. Unseeded, it draws its seed from the machine.
// Threading: loop thread only (no locking).
#pragma once

#include <cstdint>
#include <optional>
#include <random>
#include <string>

namespace stratus {

class Random {
 public:
  explicit Random(std::optional<uint64_t> seed = std::nullopt);

  uint64_t Next() { return engine_(); }
  // Uniform in [0, 1).
  double NextDouble();
  // A random (version 4) UUID, lower-case: "8476a536-e9f9-4ef7-8a2c-00009a1f0000".
  std::string Uuid();
  // `length` lower-case hex digits.
  std::string Hex(size_t length);

  uint64_t seed() const { return seed_; }

 private:
  uint64_t seed_;
  std::mt19937_64 engine_;
};

}  // namespace stratus
