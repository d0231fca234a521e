// Function logs: every line a function writes is stored (function, instance, request id,
// time, stream) and shown on the terminal prefixed with the function's name, between the
// START / END / REPORT lines Lambda writes. A flood of output is cut at a per-invocation
// budget with one line saying how much was dropped, so it neither blocks nor bloats stratus.
// Threading: loop thread only.
#pragma once

#include <cstdint>
#include <cstdio>
#include <string>
#include <string_view>
#include <vector>

#include "emulator/functions/invocation.h"
#include "emulator/storage/deferred_rows.h"
#include "emulator/util/clock.h"

namespace stratus::functions {

// Stored and shown per invocation (or per instance while it initialises).
constexpr uint64_t kLogBudgetBytes = 1024 * 1024;

class LogSink {
 public:
  // `terminal` may be null (quiet); `db` may be null (nothing stored).
  LogSink(Clock& clock, storage::Db* db, int terminal_fd);
  ~LogSink();

  // The schema of the logs table, for Db::Migrate("logs", ...).
  static const std::vector<std::string>& Migrations();

  // One line of function output. `invocation` is null outside an invocation (init, idle);
  // `budget` counts bytes against kLogBudgetBytes and is updated.
  void FunctionLine(const std::string& function, uint64_t instance, Invocation* invocation,
                    bool is_stderr, std::string_view line, uint64_t* budget_used,
                    uint64_t* dropped);
  // A line of Lambda's own (START, END, REPORT, a timeout notice).
  void PlatformLine(const std::string& function, uint64_t instance, Invocation* invocation,
                    const std::string& line);

  // Prints buffered terminal lines and commits stored rows now. Otherwise lines reach the
  // terminal at the end of the loop turn that produced them (one write per turn) and the
  // database with the next group commit (Db::WriteDeferred: within milliseconds).
  void Flush();
  // Prints the buffered terminal lines now: an invocation's lines precede its answer.
  void FlushTerminal();
  void set_terminal_fd(int fd) { terminal_fd_ = fd; }

 private:
  struct Row {
    int64_t time_ms;
    std::string function;
    uint64_t instance;
    std::string request_id;
    std::string stream;
    std::string line;
  };
  void Emit(const std::string& function, uint64_t instance, Invocation* invocation,
            std::string_view stream, std::string_view line);
  void Print(const std::string& function, std::string_view line);
  static Status InsertRows(storage::Db& db, const std::vector<Row>& rows);

  Clock& clock_;
  storage::Db* db_;
  int terminal_fd_;
  std::unique_ptr<storage::DeferredRows<Row>> rows_;  // null without a database
  std::string terminal_out_;
  Timer terminal_timer_;
};

// Splits a byte stream into lines; a line longer than the cap is cut into pieces.
class LineSplitter {
 public:
  template <typename Fn>
  void Feed(std::string_view chunk, Fn&& on_line) {
    size_t start = 0;
    while (start < chunk.size()) {
      size_t nl = chunk.find('\n', start);
      if (nl == std::string_view::npos) {
        partial_.append(chunk.substr(start));
        while (partial_.size() >= kMaxLine) {
          on_line(std::string_view(partial_).substr(0, kMaxLine));
          partial_.erase(0, kMaxLine);
        }
        return;
      }
      partial_.append(chunk.substr(start, nl - start));
      on_line(std::string_view(partial_));
      partial_.clear();
      start = nl + 1;
    }
  }
  template <typename Fn>
  void Finish(Fn&& on_line) {
    if (!partial_.empty()) on_line(std::string_view(partial_));
    partial_.clear();
  }

 private:
  static constexpr size_t kMaxLine = 256 * 1024;
  std::string partial_;
};

}  // namespace stratus::functions
