#include "emulator/functions/sandbox.h"

#include <signal.h>
#include <unistd.h>

#include <cstring>

namespace stratus::functions {

namespace {
// After the process exits, how long to wait for a grandchild to release its output pipes.
constexpr auto kPipeDrainGrace = std::chrono::milliseconds(200);
}  // namespace

std::string ExitInfo::Describe() const {
  if (term_signal != 0) {
    std::string name = strsignal(term_signal);
    for (auto& c : name) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
    return "signal: " + name;
  }
  return "exit status " + std::to_string(exit_status);
}

// Lives until every handle is closed, even after the Sandbox is gone.
struct Sandbox::State : std::enable_shared_from_this<State> {
  uv_process_t process{};
  uv_pipe_t out{}, err{};
  Clock* clock = nullptr;
  Timer drain_timer;  // a grandchild may hold the pipes open after the exit
  OutputFn on_output;
  ExitFn on_exit;
  ExitInfo exit_info;
  bool exited = false, exit_reported = false, owner_gone = false;
  int open_handles = 0;  // handles not yet closed; the last close drops `self`
  int open_pipes = 0;    // pipes not yet at EOF
  std::shared_ptr<State> self;  // keeps the state alive while libuv holds pointers into it
  char buffer[64 * 1024];

  void CloseHandle(uv_handle_t* handle) {
    if (uv_is_closing(handle)) return;
    uv_close(handle, [](uv_handle_t* h) {
      auto* state = static_cast<State*>(h->data);
      if (--state->open_handles == 0) state->self.reset();  // may free state
    });
  }

  void PipeDone(uv_pipe_t* pipe) {
    CloseHandle(reinterpret_cast<uv_handle_t*>(pipe));
    --open_pipes;
    MaybeReportExit();
  }

  void MaybeReportExit() {
    if (!exited || exit_reported || (open_pipes > 0 && !drain_expired)) return;
    exit_reported = true;
    CloseHandle(reinterpret_cast<uv_handle_t*>(&out));
    CloseHandle(reinterpret_cast<uv_handle_t*>(&err));
    drain_timer.Cancel();
    auto exit_fn = std::move(on_exit);
    on_output = nullptr;
    if (exit_fn && !owner_gone) exit_fn(exit_info);
  }

  bool drain_expired = false;
};

Sandbox::Sandbox(loop::Loop& loop, Clock& clock) : state_(std::make_shared<State>()) {
  state_->clock = &clock;
  state_->self = state_;
  for (auto* handle : {reinterpret_cast<uv_handle_t*>(&state_->out),
                       reinterpret_cast<uv_handle_t*>(&state_->err)}) {
    uv_pipe_init(loop.raw(), reinterpret_cast<uv_pipe_t*>(handle), 0);
    handle->data = state_.get();
    ++state_->open_handles;
  }
}

Sandbox::~Sandbox() {
  state_->owner_gone = true;
  state_->on_output = nullptr;
  state_->on_exit = nullptr;
  if (!state_->exited && state_->process.pid > 0) {
    Kill(SIGKILL);  // its exit still arrives and closes the handles
    return;
  }
  if (state_->process.pid <= 0) {  // never spawned
    state_->exited = true;
    state_->drain_expired = true;
    state_->MaybeReportExit();
  }
}

Status Sandbox::Spawn(const Options& options, OutputFn on_output, ExitFn on_exit) {
  State* s = state_.get();
  std::vector<char*> argv, env;
  std::vector<std::string> env_strings;
  for (const auto& a : options.argv) argv.push_back(const_cast<char*>(a.c_str()));
  argv.push_back(nullptr);
  for (const auto& [k, v] : options.environment) env_strings.push_back(k + "=" + v);
  for (auto& e : env_strings) env.push_back(e.data());
  env.push_back(nullptr);

  uv_stdio_container_t stdio[3];
  stdio[0].flags = UV_IGNORE;
  stdio[1].flags = static_cast<uv_stdio_flags>(UV_CREATE_PIPE | UV_WRITABLE_PIPE);
  stdio[1].data.stream = reinterpret_cast<uv_stream_t*>(&s->out);
  stdio[2].flags = static_cast<uv_stdio_flags>(UV_CREATE_PIPE | UV_WRITABLE_PIPE);
  stdio[2].data.stream = reinterpret_cast<uv_stream_t*>(&s->err);

  uv_process_options_t opts{};
  opts.file = argv[0];
  opts.args = argv.data();
  opts.env = env.data();
  opts.cwd = options.cwd.c_str();
  opts.stdio = stdio;
  opts.stdio_count = 3;
  // A session (and so a process group) of its own: Kill() reaches every descendant.
  opts.flags = UV_PROCESS_DETACHED;
  opts.exit_cb = [](uv_process_t* process, int64_t status, int signal) {
    auto* state = static_cast<State*>(process->data);
    state->exited = true;
    state->exit_info = {status, signal};
    state->CloseHandle(reinterpret_cast<uv_handle_t*>(process));
    state->drain_timer = state->clock->After(kPipeDrainGrace, [state] {
      state->drain_expired = true;
      state->MaybeReportExit();
    });
    state->MaybeReportExit();
  };
  s->process.data = s;
  int rc = uv_spawn(s->out.loop, &s->process, &opts);
  if (rc != 0) {
    // libuv requires the process handle closed even when the spawn failed.
    ++s->open_handles;
    s->CloseHandle(reinterpret_cast<uv_handle_t*>(&s->process));
    s->process.pid = 0;
    return Status::Unavailable("cannot start " + options.argv[0] + ": " + uv_strerror(rc));
  }
  ++s->open_handles;
  s->on_output = std::move(on_output);
  s->on_exit = std::move(on_exit);
  s->open_pipes = 2;
  for (uv_pipe_t* pipe : {&s->out, &s->err}) {
    uv_read_start(
        reinterpret_cast<uv_stream_t*>(pipe),
        [](uv_handle_t* h, size_t, uv_buf_t* buf) {
          auto* st = static_cast<State*>(h->data);
          *buf = uv_buf_init(st->buffer, sizeof(st->buffer));
        },
        [](uv_stream_t* stream, ssize_t nread, const uv_buf_t* buf) {
          auto* st = static_cast<State*>(stream->data);
          auto keep = st->shared_from_this();
          if (nread > 0) {
            if (st->on_output) {
              st->on_output(stream == reinterpret_cast<uv_stream_t*>(&st->err),
                            std::string_view(buf->base, static_cast<size_t>(nread)));
            }
          } else if (nread < 0) {
            uv_read_stop(stream);
            st->PipeDone(reinterpret_cast<uv_pipe_t*>(stream));
          }
        });
  }
  return Status::Ok();
}

void Sandbox::DrainOutput() {
  State* s = state_.get();
  if (s->exit_reported || !s->on_output) return;
  auto keep = state_;
  for (uv_pipe_t* pipe : {&s->out, &s->err}) {
    auto* handle = reinterpret_cast<uv_handle_t*>(pipe);
    uv_os_fd_t fd;
    if (uv_is_closing(handle) || uv_fileno(handle, &fd) != 0) continue;
    // The pipe is non-blocking (libuv made it so): read what is there, stop at EAGAIN. EOF and
    // errors are left for libuv's own read callback to see.
    while (s->on_output) {
      ssize_t n = ::read(fd, s->buffer, sizeof(s->buffer));
      if (n <= 0) break;
      s->on_output(pipe == &s->err, std::string_view(s->buffer, static_cast<size_t>(n)));
    }
  }
}

void Sandbox::Kill(int signum) {
  if (state_->exited || state_->process.pid <= 0) return;
  // The group first; the process itself too, in case it left the group.
  ::kill(-state_->process.pid, signum);
  ::kill(state_->process.pid, signum);
}

pid_t Sandbox::pid() const { return state_->process.pid; }
bool Sandbox::running() const { return state_->process.pid > 0 && !state_->exited; }

}  // namespace stratus::functions
