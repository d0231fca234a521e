// Object bodies in and out. BodyIngest takes a body as it streams in (decoding aws-chunked
// framing when asked), hashes it in the same pass, and keeps it in memory when small (up to
// kInlineLimit) or streams it to a BlobWriter in large chunks with back-pressure: no more
// than kMaxBuffered bytes wait in memory, whatever the body's size. SegmentSource streams a
// byte range of an object's blobs back out with one read ahead.
// Threading: loop thread only; callbacks run on the loop.
#pragma once

#include <deque>
#include <functional>
#include <map>
#include <memory>
#include <optional>
#include <string>
#include <unordered_set>
#include <vector>

#include "emulator/http/message.h"
#include "emulator/storage/blob_store.h"
#include "triggers/objects/objects_checksums.h"
#include "triggers/objects/objects_store.h"

namespace stratus::triggers::objects {

inline constexpr uint64_t kMaxObjectSize = uint64_t(5) << 30;  // S3's single-PUT limit

// Ids of blobs written since start, until the start-up clean-up of unreferenced blobs has
// run: a body finished while that scan runs must not be taken for an orphan.
struct FreshBlobs {
  bool tracking = true;
  std::unordered_set<std::string> ids;
  void Note(const std::string& id) {
    if (tracking) ids.insert(id);
  }
};

struct IngestOptions {
  std::shared_ptr<FreshBlobs> fresh;
  bool aws_chunked = false;
  std::vector<ChecksumAlgorithm> algorithms;
  bool allow_inline = true;
  uint64_t max_size = kMaxObjectSize;
  // Runs on the hashing thread before each chunk is hashed (tests hold hashing back there to
  // fix the order of the hash and write chains).
  std::function<void()> before_hash_step;
};

struct IngestResult {
  Digests digests;
  std::optional<storage::BlobInfo> blob;  // the durable body, unless kept inline
  std::string inline_body;
  std::map<std::string, std::string> trailers;  // aws-chunked trailers, names lower-cased
};

// Failures: InvalidArgument (malformed aws-chunked framing), ResourceExhausted (larger than
// max_size), IoError (disk), or the BodyStream's own error (client went away).
using IngestDone = std::function<void(Result<IngestResult>)>;

// Reads `stream` to its end. `done` runs once; on failure no blob is left behind.
void IngestBody(storage::BlobStore& blobs, std::shared_ptr<http::BodyStream> stream,
                IngestOptions options, IngestDone done);

struct CopyOptions {
  uint64_t begin = 0;
  uint64_t end = UINT64_MAX;  // exclusive; the source's size at most
  bool allow_inline = true;   // false: the copy is a blob whatever its size (a part)
  std::string inline_source;  // the source's body when it is kept inline (no segments)
};

// Copies the bytes [begin, end) of `segments` (an existing object's blobs) or of an inline
// body into a new body, hashing it on the way.
void CopySegments(storage::BlobStore& blobs, std::vector<Segment> segments,
                  std::vector<ChecksumAlgorithm> algorithms, std::shared_ptr<FreshBlobs> fresh,
                  IngestDone done, CopyOptions copy = {});

// Opens a reader per segment, in order (so a later delete cannot pull a body from under a
// GET that has started). NotFound/IoError from the store.
using Readers = std::vector<std::shared_ptr<storage::BlobReader>>;
void OpenReaders(storage::BlobStore& blobs, const std::vector<Segment>& segments,
                 std::function<void(Result<Readers>)> done);

// The bytes [begin, end) of the concatenated readers.
std::shared_ptr<http::BodySource> MakeSegmentSource(Readers readers, uint64_t begin, uint64_t end);

// Deletes blobs, logging failures (used after a commit has dropped their rows).
void RemoveBlobs(storage::BlobStore& blobs, const std::vector<std::string>& ids);

}  // namespace stratus::triggers::objects
