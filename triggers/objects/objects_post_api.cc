// POST Object: an upload from an HTML form (multipart/form-data posted to the bucket's URL).
// The fields before the file are buffered; the file streams through a BodyStream of its own
// into IngestBody, whose back-pressure reaches the connection; the answer waits for the end
// of the request body. Nothing is stored unless the form, its policy and the file all pass.
#include "emulator/emulator.h"
#include "emulator/storage/blob_store.h"
#include "emulator/util/escape.h"
#include "triggers/objects/objects.h"
#include "triggers/objects/objects_checks.h"
#include "triggers/objects/objects_form.h"
#include "triggers/objects/objects_policy.h"
#include "triggers/objects/objects_xml.h"

namespace stratus::triggers::objects {
namespace {

constexpr size_t kMaxKeyBytes = 1024;

// Codes and messages as S3 answers them (its error table names RequestIsNotMultiPartContent
// and UserKeyMustBeSpecified, but the wire carries PreconditionFailed and InvalidArgument).
S3Error MalformedPost() {
  return S3Error{400, "MalformedPOSTRequest",
                 "The body of your POST request is not well-formed multipart/form-data.", {}};
}
S3Error PreDataTooLarge() {
  return S3Error{400, "MaxPostPreDataLengthExceeded",
                 "Your POST request fields preceeding the upload file was too large.", {}}
      .With("MaxPostPreDataLengthBytes", std::to_string(kMaxPreFileBytes));
}
S3Error MissingKey() {
  return errors::InvalidArgument(
             "Bucket POST must contain a field named 'key'.  If it is specified, please check "
             "the order of the fields.")
      .With("ArgumentName", "key")
      .With("ArgumentValue", "");
}
S3Error NoFile() {
  return errors::InvalidArgument("POST requires exactly one file upload per request.")
      .With("ArgumentName", "file")
      .With("ArgumentValue", "0");
}

std::string Lower(std::string_view s) {
  std::string out(s);
  for (auto& c : out) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  return out;
}

// Form fields that act as the request headers of a PUT.
bool IsHeaderField(const std::string& lower) {
  static const char* const kNames[] = {
      "content-type", "content-encoding", "content-disposition", "content-language",
      "cache-control", "expires", "content-md5", "x-amz-website-redirect-location",
      "x-amz-checksum-algorithm"};
  for (const char* n : kNames) {
    if (lower == n) return true;
  }
  return lower.rfind("x-amz-meta-", 0) == 0 || lower.rfind("x-amz-checksum-", 0) == 0;
}

// "Only the text following the last slash (/) or backslash (\) is used."
std::string BaseName(const std::string& filename) {
  size_t slash = filename.find_last_of("/\\");
  return slash == std::string::npos ? filename : filename.substr(slash + 1);
}

std::string ReplaceAll(std::string text, std::string_view from, std::string_view to) {
  for (size_t at = text.find(from); at != std::string::npos; at = text.find(from, at + to.size())) {
    text.replace(at, from.size(), to);
  }
  return text;
}

// application/x-www-form-urlencoded, as S3 writes the redirect's query: '/' as %2F, ' ' as '+'.
std::string FormEncode(std::string_view text) { return ReplaceAll(PercentEncode(text, false), "%20", "+"); }

const FormField* FindField(const std::vector<FormField>& fields, std::string_view name) {
  for (const auto& f : fields) {
    if (http::EqualsIgnoreCase(f.name, name)) return &f;
  }
  return nullptr;
}

}  // namespace

// One POST Object request's progress through its body.
struct PostState {
  std::unique_ptr<FormParser> parser;
  std::weak_ptr<http::BodyStream> request_stream;
  std::unique_ptr<FileRelay> file;  // feeds IngestBody
  std::vector<FormField> fields;                  // before the file, ${filename} expanded
  std::optional<PostPolicy> policy;
  http::Request form;  // the fields a PUT takes as headers, for the shared checks
  std::string key;
  std::optional<S3Error> error;  // the first failure, answered once the body has ended
  bool body_ended = false;
  bool ingest_done = false;
  Result<IngestResult> ingested = Status::Internal("no file");

  void Reject(S3Error e) {
    if (!error) error = std::move(e);
    // IngestBody discards what it has written when its stream ends in error.
    if (file) file->End(Status::InvalidArgument("form rejected"));
  }
};

void ObjectsTrigger::FailAfterBody(const CallPtr& call, S3Error error) {
  auto stream = call->request->body_stream;
  if (!stream || stream->ended()) {
    Fail(call, error);
    return;
  }
  stream->OnData([](std::string_view) {});
  stream->OnEnd([this, call, error = std::move(error)](Status s) {
    if (s.ok()) Fail(call, error);
  });
}

void ObjectsTrigger::PostObject(const CallPtr& call) {
  auto boundary = FormBoundary(call->Header("Content-Type"));
  if (!boundary) {
    FailAfterBody(call, errors::PreconditionFailed("Bucket POST must be of the enclosure-type multipart/form-data"));
    return;
  }
  if (boundary->empty()) {
    FailAfterBody(call, MalformedPost());
    return;
  }
  auto bucket = store_->FindBucket(call->target.bucket);
  if (!bucket.ok() || !*bucket) {
    FailAfterBody(call, bucket.ok() ? errors::NoSuchBucket(call->target.bucket) : FromStatus(bucket.status()));
    return;
  }
  auto stream = call->request->body_stream;
  if (!stream) {
    Fail(call, MalformedPost());
    return;
  }
  auto state = std::make_shared<PostState>();
  state->request_stream = stream;
  PostState* raw = state.get();  // the parser lives inside the state
  FormParser::Callbacks callbacks;
  std::weak_ptr<PostState> weak = state;
  callbacks.on_file = [this, call, weak](const FilePart& part) {
    if (auto locked = weak.lock()) BeginPostFile(call, locked, part);
  };
  callbacks.on_file_data = [raw](std::string_view data) {
    if (raw->file) raw->file->Deliver(data);
  };
  callbacks.on_file_end = [raw] {
    if (raw->file) raw->file->End(Status::Ok());
  };
  state->parser = std::make_unique<FormParser>(std::move(*boundary), std::move(callbacks));
  stream->OnData([state](std::string_view chunk) {
    if (state->error) return;
    Status s = state->parser->Feed(chunk);
    if (!s.ok()) state->Reject(s.code() == Status::Code::kResourceExhausted ? PreDataTooLarge() : MalformedPost());
  });
  stream->OnEnd([this, call, state](Status status) {
    if (!status.ok()) {  // the client went away: drop the file, answer nobody
      if (state->file) state->file->End(status);
      return;
    }
    if (!state->error && !state->parser->Finish().ok()) state->Reject(MalformedPost());
    if (!state->error && !state->parser->saw_file()) state->Reject(NoFile());
    state->body_ended = true;
    FinishPost(call, state);
  });
}

void ObjectsTrigger::BeginPostFile(const CallPtr& call, const std::shared_ptr<PostState>& state,
                                   const FilePart& part) {
  state->fields = state->parser->fields();
  if (part.filename) {
    std::string name = BaseName(*part.filename);
    for (auto& f : state->fields) f.value = ReplaceAll(f.value, "${filename}", name);
  }
  const FormField* key = FindField(state->fields, "key");
  if (key == nullptr || key->value.empty()) return state->Reject(MissingKey());
  state->key = key->value;
  if (const FormField* policy = FindField(state->fields, "policy")) {
    S3Error error;
    state->policy.emplace();
    if (!PostPolicy::Parse(policy->value, &*state->policy, &error) ||
        !state->policy->Check(NowMs(), state->fields, call->target.bucket, &error)) {
      return state->Reject(error);
    }
  }
  if (state->key.size() > kMaxKeyBytes) return state->Reject(errors::KeyTooLong());
  for (const auto& f : state->fields) {
    if (IsHeaderField(Lower(f.name))) state->form.headers.Add(f.name, f.value);
  }
  IngestOptions options;
  S3Error error;
  if (!ChecksumsRequested(state->form, &options.algorithms, &error)) return state->Reject(error);
  options.fresh = fresh_;
  state->file = std::make_unique<FileRelay>(state->request_stream);
  // The ingest holds the state until the file's stream ends, which every path reaches.
  IngestBody(emulator_->blobs(), state->file->stream(), std::move(options),
             [this, call, state](Result<IngestResult> body) {
               state->ingested = std::move(body);
               state->ingest_done = true;
               FinishPost(call, state);
             });
}

void ObjectsTrigger::FinishPost(const CallPtr& call, const std::shared_ptr<PostState>& state) {
  if (!state->body_ended || (state->file && !state->ingest_done)) return;
  auto& body = state->ingested;
  auto drop_blob = [&] {
    if (body.ok() && body->blob) RemoveBlobs(emulator_->blobs(), {body->blob->id});
  };
  S3Error error;
  if (state->error) {
    drop_blob();
    Fail(call, *state->error);
    return;
  }
  if (!body.ok()) {
    Fail(call, IngestError(body.status()));
    return;
  }
  auto record = std::make_shared<ObjectRecord>();
  if ((state->policy && !state->policy->CheckSize(body->digests.size, &error)) ||
      !VerifyBody(state->form, *body, &record->attributes.checksums, &error)) {
    drop_blob();
    Fail(call, error);
    return;
  }
  ObjectAttributes attributes = AttributesFromRequest(state->form);
  record->attributes.headers = std::move(attributes.headers);
  record->attributes.metadata = std::move(attributes.metadata);
  record->bucket = call->target.bucket;
  record->key = state->key;
  StoreObject(call, record, std::move(*body), [this, call, record, state] {
    Emit(call, "ObjectCreated:Post", record->key, record->size, record->etag, record->version_id);
    http::Response response = PostResponse(*call, state->fields, *record);
    AddVersionHeader(record->bucket, record->version_id, &response);
    Send(call, std::move(response));
  });
}

http::Response ObjectsTrigger::PostResponse(const Call& call, const std::vector<FormField>& fields,
                                            const ObjectRecord& record) {
  std::string etag = "\"" + record.etag + "\"";
  std::string host = call.Header("Host");
  if (host.empty()) host = "127.0.0.1";
  std::string location = "http://" + host + (call.target.virtual_host ? "" : "/" + record.bucket) +
                         "/" + PercentEncode(record.key, false);
  http::Response response;
  response.headers.Add("ETag", etag);
  for (const auto& [name, value] : record.attributes.checksums) response.headers.Add(name, value);
  const FormField* redirect = FindField(fields, "success_action_redirect");
  if (redirect == nullptr) redirect = FindField(fields, "redirect");
  // "If Amazon S3 cannot interpret the URL, it acts as if the field is not present."
  if (redirect != nullptr && (redirect->value.rfind("http://", 0) == 0 || redirect->value.rfind("https://", 0) == 0)) {
    response.status = 303;
    std::string url = redirect->value;
    url += url.find('?') == std::string::npos ? "?" : "&";
    url += "bucket=" + FormEncode(record.bucket) + "&key=" + FormEncode(record.key) + "&etag=" + FormEncode(etag);
    response.headers.Add("Location", url);
    return response;
  }
  response.headers.Add("Location", location);
  const FormField* status = FindField(fields, "success_action_status");
  std::string wanted = status ? status->value : "";
  response.status = wanted == "200" ? 200 : wanted == "201" ? 201 : 204;
  if (response.status == 201) {
    XmlWriter xml("PostResponse", false);
    xml.Leaf("Location", location).Leaf("Bucket", record.bucket).Leaf("Key", record.key).Leaf("ETag", etag);
    response.body = xml.Finish();
    response.headers.Add("Content-Type", "application/xml");
  }
  return response;
}

}  // namespace stratus::triggers::objects
