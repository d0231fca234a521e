#include "emulator/functions/logs.h"

#include <unistd.h>

#include <cerrno>

#include "emulator/storage/db.h"

namespace stratus::functions {

LogSink::LogSink(Clock& clock, storage::Db* db, int terminal_fd)
    : clock_(clock), db_(db), terminal_fd_(terminal_fd) {
  if (db_ != nullptr) rows_ = std::make_unique<storage::DeferredRows<Row>>(*db_, &InsertRows);
}

LogSink::~LogSink() { Flush(); }

const std::vector<std::string>& LogSink::Migrations() {
  static const std::vector<std::string> kSteps = {
      "CREATE TABLE logs(id INTEGER PRIMARY KEY, time_ms INTEGER NOT NULL, function TEXT NOT "
      "NULL, instance INTEGER NOT NULL, request_id TEXT, stream TEXT NOT NULL, line TEXT NOT "
      "NULL);"
      "CREATE INDEX logs_by_request ON logs(request_id);"
      "CREATE INDEX logs_by_function ON logs(function, time_ms);",
      // Every invocation writes at least three lines; nothing reads them by function and
      // time (the harness reads by id), so the index cost each of them a b-tree write.
      "DROP INDEX logs_by_function;",
      // Request ids are random: each line's entry in this index landed on a page of its own,
      // so every group commit rewrote about one index page per line, WAL and checkpoint.
      // Nothing but tests looks lines up by request id.
      "DROP INDEX logs_by_request;",
  };
  return kSteps;
}

void LogSink::FunctionLine(const std::string& function, uint64_t instance,
                           Invocation* invocation, bool is_stderr, std::string_view line,
                           uint64_t* budget_used, uint64_t* dropped) {
  if (*budget_used + line.size() > kLogBudgetBytes) {
    *dropped += line.size() + 1;
    return;
  }
  *budget_used += line.size() + 1;
  Emit(function, instance, invocation, is_stderr ? "stderr" : "stdout", line);
}

void LogSink::PlatformLine(const std::string& function, uint64_t instance, Invocation* invocation,
                           const std::string& line) {
  Emit(function, instance, invocation, "platform", line);
}

void LogSink::Emit(const std::string& function, uint64_t instance, Invocation* invocation,
                   std::string_view stream, std::string_view line) {
  if (invocation != nullptr) invocation->AppendTail(line);
  Print(function, line);
  if (rows_ == nullptr) return;
  rows_->Add(Row{clock_.WallNowMs(), function, instance,
                 invocation ? invocation->request_id : "", std::string(stream), std::string(line)});
}

void LogSink::Print(const std::string& function, std::string_view line) {
  if (terminal_fd_ < 0) return;
  std::string& out = terminal_out_;
  std::string prefix = "[" + function + "] ";
  out += prefix;
  // Runtimes join a multi-line message with '\r' to keep it one log event; show it as lines.
  for (char c : line) {
    if (c == '\r') {
      out += '\n';
      out += prefix;
    } else {
      out += c;
    }
  }
  out += '\n';
  // START, the function's lines, END and REPORT of one turn go out in one write.
  if (!terminal_timer_.active()) {
    terminal_timer_ = clock_.After(Clock::Duration::zero(), [this] { FlushTerminal(); });
  }
}

void LogSink::FlushTerminal() {
  terminal_timer_.Cancel();
  size_t done = 0;
  while (terminal_fd_ >= 0 && done < terminal_out_.size()) {
    ssize_t n = ::write(terminal_fd_, terminal_out_.data() + done, terminal_out_.size() - done);
    if (n < 0 && errno == EINTR) continue;
    if (n <= 0) break;  // a closed or full terminal loses lines rather than stalling the loop
    done += static_cast<size_t>(n);
  }
  terminal_out_.clear();
}

void LogSink::Flush() {
  FlushTerminal();
  if (db_ != nullptr) db_->FlushPending();
}

Status LogSink::InsertRows(storage::Db& db, const std::vector<Row>& rows) {
  auto stmt = db.Prepare(
      "INSERT INTO logs(time_ms, function, instance, request_id, stream, line) "
      "VALUES (?, ?, ?, ?, ?, ?)");
  if (!stmt.ok()) return stmt.status();
  for (const Row& r : rows) {
    (*stmt)->BindAll(r.time_ms, r.function, static_cast<int64_t>(r.instance), r.request_id,
                     r.stream, r.line);
    STRATUS_RETURN_IF_ERROR((*stmt)->Run());
  }
  return Status::Ok();
}

}  // namespace stratus::functions
