#include "triggers/objects/objects_body.h"

#include <mutex>

#include "emulator/util/log.h"
#include "triggers/objects/objects_chunked.h"

namespace stratus::triggers::objects {
namespace {

constexpr size_t kWriteChunk = 1 << 20;    // bytes handed to the disk per write
constexpr size_t kMaxBuffered = 4 << 20;   // beyond this, reading pauses
constexpr size_t kReadChunk = 1 << 20;

// Hashing, inline buffering and the blob writer's one-write-at-a-time queue. A chunk bound for
// disk is hashed on the thread pool (MD5 runs at ~600 MB/s: on the loop it would cap a large
// PUT there and stall every other request meanwhile) while the chunk before it is being
// written: the hash chain and the write chain each take chunks in order and share them
// read-only, so a large PUT costs about its hashing time. An inline body is hashed at the end.
class BlobSink : public std::enable_shared_from_this<BlobSink> {
 public:
  BlobSink(storage::BlobStore& blobs, IngestOptions options)
      : blobs_(blobs), options_(std::move(options)), hasher_(options_.algorithms) {}
  ~BlobSink() {
    if (writer_) writer_->Abort();
  }

  // ResourceExhausted once the body outgrows max_size.
  Status Feed(std::string_view data) {
    if (!status_.ok()) return status_;
    size_ += data.size();
    if (size_ > options_.max_size) {
      status_ = Status::ResourceExhausted("body larger than " + std::to_string(options_.max_size));
      return status_;
    }
    buffer_.append(data);
    if (!writer_ && (!options_.allow_inline || buffer_.size() > kInlineLimit)) {
      writer_ = blobs_.NewWriter();
      if (options_.fresh) options_.fresh->Note(writer_->id());
    }
    if (writer_ && buffer_.size() >= kWriteChunk) {
      Enqueue();
      Pump();
    }
    return Status::Ok();
  }
  // After a failure nothing more is kept, so the stream may run to its end unhindered.
  bool Saturated() const {
    return status_.ok() && buffer_.size() + queued_bytes_ >= kMaxBuffered;
  }
  void OnDrain(std::function<void()> fn) { on_drain_ = std::move(fn); }
  void Fail(Status status) {
    if (status_.ok()) status_ = std::move(status);
  }

  void Finish(std::map<std::string, std::string> trailers, IngestDone done) {
    trailers_ = std::move(trailers);
    done_ = std::move(done);
    finishing_ = true;
    if (writer_ && !buffer_.empty() && status_.ok()) Enqueue();  // the tail
    Pump();
  }

 private:
  struct Chunk {
    std::shared_ptr<const std::string> data;
    bool hashed = false, written = false;
  };

  void Enqueue() {
    queued_bytes_ += buffer_.size();
    chunks_.push_back(Chunk{std::make_shared<const std::string>(std::move(buffer_))});
    buffer_ = std::string();
    buffer_.reserve(kWriteChunk + (256 << 10));  // no regrowth while the next chunk gathers
  }

  // Starts what can start, frees what both chains are done with, and completes at the end.
  void Pump() {
    if (status_.ok()) {
      StartHash();
      StartWrite();
    }
    while (!chunks_.empty() && chunks_.front().hashed && chunks_.front().written) {
      queued_bytes_ -= chunks_.front().data->size();
      chunks_.pop_front();
      --next_hash_;
      --next_write_;
    }
    if (finishing_) {
      if (hashes_pending_ == 0 && !writing_ && (chunks_.empty() || !status_.ok())) Complete();
      return;
    }
    // Reading resumes as soon as there is room, not once both chains are idle: waiting for
    // idle left the hash thread without a chunk while the next one gathered (~25% of a large
    // PUT's time).
    if (!Saturated() && on_drain_) {
      auto drain = on_drain_;  // the callback may replace itself
      drain();
    }
  }

  // Hands every gathered chunk to the hash chain: one pool task at a time hashes the waiting
  // chunks back to back and reports each on the loop. Going back to the loop between chunks
  // left the hashing thread idle until the loop, busy reading, took its answer (~10% of a
  // large PUT's time).
  void StartHash() {
    bool start = false;
    {
      std::lock_guard<std::mutex> lock(hash_mu_);
      while (next_hash_ < chunks_.size()) {
        hash_waiting_.push_back(chunks_[next_hash_++].data);
        ++hashes_pending_;
      }
      start = !hash_waiting_.empty() && !hash_running_;
      if (start) hash_running_ = true;
    }
    if (!start) return;
    auto self = shared_from_this();
    blobs_.loop().QueueWork([self] { self->HashWaiting(); }, [self] {});
  }

  // Pool thread: hashes the waiting chunks in order until none is left.
  void HashWaiting() {
    for (;;) {
      std::shared_ptr<const std::string> data;
      {
        std::lock_guard<std::mutex> lock(hash_mu_);
        if (hash_waiting_.empty()) {
          hash_running_ = false;
          return;
        }
        data = std::move(hash_waiting_.front());
        hash_waiting_.pop_front();
      }
      if (options_.before_hash_step) options_.before_hash_step();
      hasher_.Update(*data);
      blobs_.loop().Post([self = shared_from_this()] {
        --self->hashes_pending_;
        self->MarkFirst(&Chunk::hashed);
        self->Pump();
      });
    }
  }

  void StartWrite() {
    if (writing_ || next_write_ >= chunks_.size()) return;
    writing_ = true;
    auto self = shared_from_this();
    writer_->Append(chunks_[next_write_++].data, [self](Status s) {
      self->writing_ = false;
      if (!s.ok()) self->Fail(std::move(s));
      self->MarkFirst(&Chunk::written);
      self->Pump();
    });
  }

  // Each chain takes chunks in order, so the one it just finished is its first unmarked.
  void MarkFirst(bool Chunk::*done) {
    for (Chunk& chunk : chunks_) {
      if (!(chunk.*done)) {
        chunk.*done = true;
        return;
      }
    }
  }

  void Complete() {
    IngestDone done = std::move(done_);
    if (!done) return;
    if (!status_.ok()) {
      if (writer_) writer_->Abort();
      done(status_);
      return;
    }
    if (!writer_) hasher_.Update(buffer_);  // inline: never went through the chains
    IngestResult result;
    result.digests = hasher_.Finish();
    result.trailers = std::move(trailers_);
    if (!writer_) {
      result.inline_body = std::move(buffer_);
      done(std::move(result));
      return;
    }
    auto self = shared_from_this();
    writer_->Finish([self, done, result = std::move(result)](
                        Result<storage::BlobInfo> info) mutable {
      if (!info.ok()) {
        done(info.status());
        return;
      }
      self->writer_.reset();  // finished: nothing to abort any more
      result.blob = info.value();
      done(std::move(result));
    });
  }

  storage::BlobStore& blobs_;
  IngestOptions options_;
  BodyHasher hasher_;  // touched by one pool task at a time, in chunk order
  std::mutex hash_mu_;  // guards hash_waiting_ and hash_running_
  std::deque<std::shared_ptr<const std::string>> hash_waiting_;
  bool hash_running_ = false;  // a pool task is draining hash_waiting_
  size_t hashes_pending_ = 0;  // handed to the hash chain, not yet reported back
  std::unique_ptr<storage::BlobWriter> writer_;
  std::string buffer_;
  std::deque<Chunk> chunks_;  // gathered, not yet both hashed and written
  size_t next_hash_ = 0, next_write_ = 0;  // indexes into chunks_
  uint64_t queued_bytes_ = 0;
  uint64_t size_ = 0;
  bool writing_ = false, finishing_ = false;
  Status status_;
  std::function<void()> on_drain_;
  std::map<std::string, std::string> trailers_;
  IngestDone done_;
};

}  // namespace

void IngestBody(storage::BlobStore& blobs, std::shared_ptr<http::BodyStream> stream,
                IngestOptions options, IngestDone done) {
  struct State {
    std::shared_ptr<BlobSink> sink;
    std::unique_ptr<AwsChunkedDecoder> decoder;
    bool failed = false;
  };
  auto state = std::make_shared<State>();
  bool chunked = options.aws_chunked;
  state->sink = std::make_shared<BlobSink>(blobs, std::move(options));
  if (chunked) {
    BlobSink* sink = state->sink.get();
    state->decoder = std::make_unique<AwsChunkedDecoder>([sink](std::string_view data) {
      (void)sink->Feed(data);  // errors are kept by the sink and reported at the end
    });
  }
  std::weak_ptr<http::BodyStream> weak = stream;
  state->sink->OnDrain([weak] {
    if (auto s = weak.lock(); s && s->paused()) s->Resume();
  });
  stream->OnData([state, weak](std::string_view chunk) {
    if (state->failed) return;
    Status s = state->decoder ? state->decoder->Feed(chunk) : state->sink->Feed(chunk);
    if (!s.ok()) {
      state->failed = true;
      state->sink->Fail(s);
      return;
    }
    auto stream = weak.lock();
    if (stream && state->sink->Saturated()) stream->Pause();
  });
  stream->OnEnd([state, done = std::move(done)](Status status) mutable {
    std::map<std::string, std::string> trailers;
    if (status.ok() && state->decoder) {
      Status framing = state->decoder->Finish();
      if (!framing.ok()) status = framing;
      trailers = state->decoder->trailers();
    }
    if (!status.ok()) state->sink->Fail(status);
    // The sink must not keep the stream's callbacks (and so itself) alive.
    auto sink = std::move(state->sink);
    sink->OnDrain(nullptr);
    sink->Finish(std::move(trailers), std::move(done));
  });
}

namespace {

// Reads segment after segment into a sink, one read at a time, from `position` to `end`.
struct Copier : std::enable_shared_from_this<Copier> {
  storage::BlobStore& blobs;
  std::vector<Segment> segments;
  std::shared_ptr<BlobSink> sink;
  Readers readers;
  size_t index = 0;       // the segment being read
  uint64_t offset = 0;    // within it
  uint64_t position = 0;  // within the whole source
  uint64_t end = 0;
  IngestDone done;

  Copier(storage::BlobStore& b, std::vector<Segment> s) : blobs(b), segments(std::move(s)) {}

  void Fail(Status status) {
    sink->Fail(std::move(status));
    sink->Finish({}, std::move(done));
  }

  void Next() {
    while (index < readers.size() && offset >= readers[index]->size()) {
      offset -= readers[index]->size();
      ++index;
    }
    if (position >= end || index == readers.size()) {
      sink->Finish({}, std::move(done));
      return;
    }
    uint64_t len = std::min<uint64_t>({kReadChunk, readers[index]->size() - offset, end - position});
    auto self = shared_from_this();
    readers[index]->Read(offset, len, [self, len](Result<std::string> data) {
      if (!data.ok()) return self->Fail(data.status());
      if (data->size() != len) return self->Fail(Status::IoError("blob shorter than its recorded size"));
      self->offset += len;
      self->position += len;
      Status fed = self->sink->Feed(*data);
      if (!fed.ok()) {
        self->sink->Finish({}, std::move(self->done));
        return;
      }
      if (self->sink->Saturated()) {
        self->sink->OnDrain([self] {
          self->sink->OnDrain(nullptr);
          self->Next();
        });
        return;
      }
      self->Next();
    });
  }
};

}  // namespace

void CopySegments(storage::BlobStore& blobs, std::vector<Segment> segments,
                  std::vector<ChecksumAlgorithm> algorithms, std::shared_ptr<FreshBlobs> fresh,
                  IngestDone done, CopyOptions copy) {
  auto copier = std::make_shared<Copier>(blobs, std::move(segments));
  IngestOptions options;
  options.algorithms = std::move(algorithms);
  options.max_size = UINT64_MAX;
  options.fresh = std::move(fresh);
  options.allow_inline = copy.allow_inline;
  copier->sink = std::make_shared<BlobSink>(blobs, std::move(options));
  copier->done = std::move(done);
  copier->offset = copier->position = copy.begin;
  copier->end = copy.end;
  if (copier->segments.empty()) {
    std::string_view body = copy.inline_source;
    uint64_t from = std::min<uint64_t>(copy.begin, body.size());
    Status fed = copier->sink->Feed(body.substr(from, std::min<uint64_t>(copy.end, body.size()) - from));
    if (!fed.ok()) copier->sink->Fail(fed);
    copier->sink->Finish({}, std::move(copier->done));
    return;
  }
  OpenReaders(blobs, copier->segments, [copier](Result<Readers> readers) {
    if (!readers.ok()) {
      copier->done(readers.status());
      return;
    }
    copier->readers = std::move(readers.value());
    copier->Next();
  });
}

void OpenReaders(storage::BlobStore& blobs, const std::vector<Segment>& segments,
                 std::function<void(Result<Readers>)> done) {
  struct Opening {
    std::vector<Segment> segments;
    Readers readers;
    std::function<void(Result<Readers>)> done;
  };
  auto opening = std::make_shared<Opening>(Opening{segments, {}, std::move(done)});
  auto next = std::make_shared<std::function<void()>>();
  *next = [&blobs, opening, weak_next = std::weak_ptr<std::function<void()>>(next)] {
    if (opening->readers.size() == opening->segments.size()) {
      opening->done(std::move(opening->readers));
      return;
    }
    auto again = weak_next.lock();
    blobs.OpenReader(opening->segments[opening->readers.size()].blob_id,
                     [opening, again](Result<std::unique_ptr<storage::BlobReader>> reader) {
                       if (!reader.ok()) {
                         opening->done(reader.status());
                         return;
                       }
                       opening->readers.push_back(std::move(reader.value()));
                       (*again)();
                     });
  };
  (*next)();
}

namespace {

class SegmentSource : public http::BodySource, public std::enable_shared_from_this<SegmentSource> {
 public:
  SegmentSource(Readers readers, uint64_t begin, uint64_t end)
      : readers_(std::move(readers)), position_(begin), end_(end) {}

  void Pull(ChunkFn cb) override {
    pending_cb_ = std::move(cb);
    Issue();
    Deliver();
  }

 private:
  struct Slot {
    bool ready = false;
    Result<std::string> data = std::string();
  };

  // Keeps up to two reads in flight, in order.
  void Issue() {
    while (slots_.size() < 2 && position_ < end_) {
      uint64_t at = position_;
      size_t index = 0;
      while (index < readers_.size() && at >= readers_[index]->size()) {
        at -= readers_[index]->size();
        ++index;
      }
      if (index == readers_.size()) break;
      uint64_t left_in_segment = readers_[index]->size() - at;
      size_t len = static_cast<size_t>(std::min<uint64_t>({kReadChunk, left_in_segment, end_ - position_}));
      position_ += len;
      auto slot = std::make_shared<Slot>();
      slots_.push_back(slot);
      std::weak_ptr<SegmentSource> weak = shared_from_this();
      readers_[index]->Read(at, len, [weak, slot, len](Result<std::string> data) {
        slot->ready = true;
        slot->data = std::move(data);
        if (slot->data.ok() && slot->data->size() != len) {
          slot->data = Status::IoError("blob shorter than its recorded size");
        }
        if (auto self = weak.lock()) self->Deliver();
      });
    }
  }

  void Deliver() {
    if (!pending_cb_) return;
    if (slots_.empty()) {
      if (position_ >= end_) {
        auto cb = std::move(pending_cb_);
        cb(std::string(), true);
      }
      return;
    }
    if (!slots_.front()->ready) return;
    auto slot = slots_.front();
    slots_.pop_front();
    auto cb = std::move(pending_cb_);
    pending_cb_ = nullptr;
    bool last = slots_.empty() && position_ >= end_;
    if (!last) Issue();
    cb(std::move(slot->data), last);
  }

  Readers readers_;
  uint64_t position_;  // next byte to request
  uint64_t end_;
  std::deque<std::shared_ptr<Slot>> slots_;
  ChunkFn pending_cb_;
};

}  // namespace

std::shared_ptr<http::BodySource> MakeSegmentSource(Readers readers, uint64_t begin, uint64_t end) {
  return std::make_shared<SegmentSource>(std::move(readers), begin, end);
}

void RemoveBlobs(storage::BlobStore& blobs, const std::vector<std::string>& ids) {
  for (const auto& id : ids) {
    blobs.Remove(id, [id](Status s) {
      if (!s.ok() && s.code() != Status::Code::kNotFound) {
        log::Warn("objects: could not remove blob " + id + ": " + s.message());
      }
    });
  }
}

}  // namespace stratus::triggers::objects
