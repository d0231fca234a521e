#include "triggers/objects/objects_form.h"

#include "emulator/http/message.h"

namespace stratus::triggers::objects {
namespace {

constexpr size_t kMaxBoundary = 70;        // RFC 2046 §5.1.1
constexpr size_t kMaxDelimiterLine = 256;  // a boundary line's transport padding, generously

std::string_view Trim(std::string_view s) {
  while (!s.empty() && (s.front() == ' ' || s.front() == '\t')) s.remove_prefix(1);
  while (!s.empty() && (s.back() == ' ' || s.back() == '\t')) s.remove_suffix(1);
  return s;
}

std::string Lower(std::string_view s) {
  std::string out(s);
  for (auto& c : out) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  return out;
}

// Reads a token or a quoted string from the front of `s`.
std::string TakeValue(std::string_view* s) {
  std::string out;
  if (!s->empty() && s->front() == '"') {
    size_t i = 1;
    for (; i < s->size() && (*s)[i] != '"'; ++i) {
      // Only \" is an escape: browsers send Windows paths' backslashes as they are.
      if ((*s)[i] == '\\' && i + 1 < s->size() && (*s)[i + 1] == '"') ++i;
      out += (*s)[i];
    }
    s->remove_prefix(std::min(i + 1, s->size()));
    return out;
  }
  size_t end = s->find(';');
  out = std::string(Trim(s->substr(0, end)));
  s->remove_prefix(end == std::string_view::npos ? s->size() : end);
  return out;
}

}  // namespace

std::vector<std::pair<std::string, std::string>> ParseDisposition(std::string_view value) {
  std::vector<std::pair<std::string, std::string>> out;
  size_t semi = value.find(';');
  out.emplace_back("", Lower(Trim(value.substr(0, semi))));
  value.remove_prefix(semi == std::string_view::npos ? value.size() : semi);
  while (!value.empty()) {
    value.remove_prefix(1);  // ';'
    value = Trim(value);
    size_t eq = value.find_first_of("=;");
    if (eq == std::string_view::npos || value[eq] == ';') {
      out.emplace_back(Lower(Trim(value.substr(0, eq))), "");
      value.remove_prefix(eq == std::string_view::npos ? value.size() : eq);
      continue;
    }
    std::string name = Lower(Trim(value.substr(0, eq)));
    value.remove_prefix(eq + 1);
    value = Trim(value);
    std::string v = TakeValue(&value);
    out.emplace_back(std::move(name), std::move(v));
    size_t next = value.find(';');
    value.remove_prefix(next == std::string_view::npos ? value.size() : next);
  }
  return out;
}

std::optional<std::string> FormBoundary(std::string_view content_type) {
  auto params = ParseDisposition(content_type);  // the same `type; name=value` grammar
  if (params.front().second != "multipart/form-data") return std::nullopt;
  for (size_t i = 1; i < params.size(); ++i) {
    if (params[i].first != "boundary") continue;
    const std::string& b = params[i].second;
    if (b.empty() || b.size() > kMaxBoundary) return std::string();
    return b;
  }
  return std::string();
}

FormParser::FormParser(std::string boundary, Callbacks callbacks)
    : delimiter_("\r\n--" + boundary), callbacks_(std::move(callbacks)) {
  // The first delimiter may open the body without the CRLF the others carry.
  buffer_ = "\r\n";
}

Status FormParser::Fail(Status status) {
  error_ = status;
  buffer_.clear();
  return status;
}

Status FormParser::CountPreFile(size_t bytes) {
  if (file_state_ != FileState::kNone) return Status::Ok();
  pre_file_bytes_ += bytes;
  if (pre_file_bytes_ > kMaxPreFileBytes) {
    return Fail(Status::ResourceExhausted("the fields before the file exceed 20480 bytes"));
  }
  return Status::Ok();
}

Status FormParser::Feed(std::string_view data) {
  if (!error_.ok()) return error_;
  if (state_ == State::kEpilogue) return Status::Ok();
  buffer_.append(data);
  bool progressed = true;
  while (progressed) {
    progressed = false;
    Status s = Step(&progressed);
    if (!s.ok()) return Fail(s);
  }
  return Status::Ok();
}

Status FormParser::Finish() {
  if (!error_.ok()) return error_;
  if (state_ != State::kEpilogue) {
    return Fail(Status::InvalidArgument("the body ends before the closing boundary"));
  }
  return Status::Ok();
}

Status FormParser::Step(bool* progressed) {
  switch (state_) {
    case State::kPreamble: {
      size_t at = buffer_.find(delimiter_);
      if (at == std::string::npos) {
        size_t keep = std::min(buffer_.size(), delimiter_.size() - 1);
        STRATUS_RETURN_IF_ERROR(CountPreFile(buffer_.size() - keep));
        buffer_.erase(0, buffer_.size() - keep);
        return Status::Ok();
      }
      STRATUS_RETURN_IF_ERROR(CountPreFile(at + delimiter_.size()));
      buffer_.erase(0, at + delimiter_.size());
      state_ = State::kAfterDelimiter;
      *progressed = true;
      return Status::Ok();
    }
    case State::kAfterDelimiter: return AfterDelimiter(progressed);
    case State::kHeaders: return Headers(progressed);
    case State::kBody: return Body(progressed);
    case State::kEpilogue: buffer_.clear(); return Status::Ok();
  }
  return Status::Ok();
}

// After a delimiter: "--" closes the body; otherwise optional padding, then CRLF.
Status FormParser::AfterDelimiter(bool* progressed) {
  if (buffer_.size() < 2) return Status::Ok();
  if (buffer_.compare(0, 2, "--") == 0) {
    state_ = State::kEpilogue;
    buffer_.clear();
    *progressed = true;
    return Status::Ok();
  }
  size_t crlf = buffer_.find("\r\n");
  if (crlf == std::string::npos) {
    if (buffer_.size() > kMaxDelimiterLine) return Status::InvalidArgument("a boundary line runs on");
    return Status::Ok();
  }
  if (!Trim(std::string_view(buffer_).substr(0, crlf)).empty()) {
    return Status::InvalidArgument("text after a boundary");
  }
  STRATUS_RETURN_IF_ERROR(CountPreFile(crlf + 2));
  buffer_.erase(0, crlf + 2);
  state_ = State::kHeaders;
  *progressed = true;
  return Status::Ok();
}

Status FormParser::Headers(bool* progressed) {
  size_t end = buffer_.compare(0, 2, "\r\n") == 0 ? 0 : buffer_.find("\r\n\r\n");
  if (end == std::string::npos) {
    if (buffer_.size() > kMaxPreFileBytes) {
      if (file_state_ == FileState::kNone) return Status::ResourceExhausted("part headers too large");
      return Status::InvalidArgument("part headers too large");
    }
    return Status::Ok();
  }
  size_t consumed = end == 0 ? 2 : end + 4;
  STRATUS_RETURN_IF_ERROR(CountPreFile(consumed));
  std::string name, content_type;
  std::optional<std::string> filename;
  bool form_data = false;
  std::string_view block(buffer_.data(), end);
  while (!block.empty()) {
    size_t eol = block.find("\r\n");
    std::string_view line = block.substr(0, eol);
    block.remove_prefix(eol == std::string_view::npos ? block.size() : eol + 2);
    size_t colon = line.find(':');
    if (colon == std::string_view::npos) return Status::InvalidArgument("a part header without ':'");
    std::string_view field = Trim(line.substr(0, colon)), value = Trim(line.substr(colon + 1));
    if (http::EqualsIgnoreCase(field, "Content-Type")) content_type = std::string(value);
    if (!http::EqualsIgnoreCase(field, "Content-Disposition")) continue;
    auto params = ParseDisposition(value);
    form_data = params.front().second == "form-data";
    for (size_t i = 1; i < params.size(); ++i) {
      if (params[i].first == "name") name = params[i].second;
      if (params[i].first == "filename") filename = params[i].second;
    }
  }
  if (!form_data || name.empty()) {
    return Status::InvalidArgument("a part without a form-data Content-Disposition naming it");
  }
  buffer_.erase(0, consumed);
  state_ = State::kBody;
  *progressed = true;
  if (file_state_ != FileState::kNone) {
    part_kind_ = PartKind::kIgnored;  // S3 ignores every field after the file
  } else if (http::EqualsIgnoreCase(name, "file")) {
    part_kind_ = PartKind::kFile;
    file_state_ = FileState::kStreaming;
    if (callbacks_.on_file) callbacks_.on_file(FilePart{std::move(filename), std::move(content_type)});
  } else {
    part_kind_ = PartKind::kField;
    fields_.push_back({std::move(name), ""});
  }
  return Status::Ok();
}

Status FormParser::Body(bool* progressed) {
  size_t at = buffer_.find(delimiter_);
  if (at == std::string::npos) {
    size_t keep = std::min(buffer_.size(), delimiter_.size() - 1);
    size_t ready = buffer_.size() - keep;
    if (ready == 0) return Status::Ok();
    if (part_kind_ == PartKind::kField) STRATUS_RETURN_IF_ERROR(CountPreFile(ready));
    EmitBody(std::string_view(buffer_.data(), ready));
    buffer_.erase(0, ready);
    return Status::Ok();
  }
  if (part_kind_ == PartKind::kField) STRATUS_RETURN_IF_ERROR(CountPreFile(at + delimiter_.size()));
  EmitBody(std::string_view(buffer_.data(), at));
  buffer_.erase(0, at + delimiter_.size());
  EndPart();
  state_ = State::kAfterDelimiter;
  *progressed = true;
  return Status::Ok();
}

void FormParser::EmitBody(std::string_view data) {
  if (data.empty()) return;
  switch (part_kind_) {
    case PartKind::kField: fields_.back().value.append(data); break;
    case PartKind::kFile:
      if (callbacks_.on_file_data) callbacks_.on_file_data(data);
      break;
    case PartKind::kIgnored: break;
  }
}

void FormParser::EndPart() {
  if (part_kind_ != PartKind::kFile) return;
  part_kind_ = PartKind::kIgnored;
  file_state_ = FileState::kDone;
  if (callbacks_.on_file_end) callbacks_.on_file_end();
}

FileRelay::FileRelay(std::weak_ptr<http::BodyStream> request) : request_(std::move(request)) {
  std::weak_ptr<http::BodyStream> weak = request_;
  stream_->SetResumeHook([weak] {
    if (auto s = weak.lock()) s->Resume();
  });
}

void FileRelay::Deliver(std::string_view data) {
  if (stream_->ended()) return;
  stream_->Deliver(data);
  auto request = request_.lock();
  if (request && stream_->paused() && !stream_->ended()) request->Pause();
}

void FileRelay::End(Status status) {
  if (stream_->ended()) return;
  stream_->End(std::move(status));  // drops the resume hook
  if (auto request = request_.lock(); request && request->paused()) request->Resume();
}

}  // namespace stratus::triggers::objects
