// Test helpers for the notifiers tests: a scripted in-memory HttpClient, a child-process handle
// for the Python fakes / real Alertmanager, bounded polling, and alert builders.
#pragma once

#include <arpa/inet.h>
#include <netinet/in.h>
#include <signal.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <unistd.h>

#include <chrono>
#include <cstdlib>
#include <deque>
#include <filesystem>
#include <fstream>
#include <functional>
#include <mutex>
#include <nlohmann/json.hpp>
#include <string>
#include <thread>
#include <vector>

#include "agent/core/alert.h"
#include "agent/http_client/http_client.h"
#include "tests/fakes/eventually.h"

namespace tocsin::testing {

// Records every request; answers from a script (default 200 "ok").
class RecordingHttpClient : public HttpClient {
 public:
  HttpResponse Do(const HttpRequest& r) override {
    std::lock_guard<std::mutex> lock(mu_);
    requests_.push_back(r);
    if (!script_.empty()) {
      HttpResponse resp = script_.front();
      script_.pop_front();
      return resp;
    }
    HttpResponse ok;
    ok.status = 200;
    ok.body = "ok";
    return ok;
  }
  void Script(HttpResponse r) {
    std::lock_guard<std::mutex> lock(mu_);
    script_.push_back(std::move(r));
  }
  std::vector<HttpRequest> requests() {
    std::lock_guard<std::mutex> lock(mu_);
    return requests_;
  }
  std::vector<nlohmann::json> Bodies(const std::string& url_prefix = "") {
    std::vector<nlohmann::json> out;
    for (const HttpRequest& r : requests()) {
      if (r.url.starts_with(url_prefix)) out.push_back(nlohmann::json::parse(r.body));
    }
    return out;
  }
  void Clear() {
    std::lock_guard<std::mutex> lock(mu_);
    requests_.clear();
  }

 private:
  std::mutex mu_;
  std::vector<HttpRequest> requests_;
  std::deque<HttpResponse> script_;
};

inline HttpResponse Status(int status, std::string body = "", std::string retry_after = "") {
  HttpResponse r;
  r.status = status;
  r.body = std::move(body);
  if (!retry_after.empty()) r.headers["retry-after"] = retry_after;
  return r;
}

// Polls `cond` every 20 ms for at most `limit`; true once it holds.
inline bool WaitFor(const std::function<bool()>& cond,
                    std::chrono::milliseconds limit = std::chrono::seconds(30)) {
  return Eventually(cond, limit, std::chrono::milliseconds(20));
}

// A loopback TCP port that was free a moment ago (for servers that take a port, not 0).
inline int FreePort() {
  int fd = ::socket(AF_INET, SOCK_STREAM, 0);
  sockaddr_in addr{};
  addr.sin_family = AF_INET;
  addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  addr.sin_port = 0;
  ::bind(fd, reinterpret_cast<sockaddr*>(&addr), sizeof addr);
  socklen_t len = sizeof addr;
  ::getsockname(fd, reinterpret_cast<sockaddr*>(&addr), &len);
  int port = ntohs(addr.sin_port);
  ::close(fd);
  return port;
}

inline std::string TempDir(const std::string& name) {
  std::string dir = std::filesystem::temp_directory_path().string() + "/tocsin-notifiers-" + name +
                    "-" + std::to_string(::getpid());
  std::filesystem::remove_all(dir);
  std::filesystem::create_directories(dir);
  return dir;
}

// A child process (execvp), killed on destruction.
class Child {
 public:
  Child() = default;
  explicit Child(std::vector<std::string> argv, const std::string& log_file = "") {
    Start(argv, log_file);
  }
  ~Child() { Kill(SIGKILL); }
  Child(const Child&) = delete;
  Child& operator=(const Child&) = delete;

  void Start(std::vector<std::string> argv, const std::string& log_file = "") {
    pid_ = ::fork();
    if (pid_ == 0) {
      if (!log_file.empty()) {
        FILE* f = std::freopen(log_file.c_str(), "a", stdout);
        (void)f;
        ::dup2(::fileno(stdout), 2);
      }
      std::vector<char*> args;
      for (std::string& a : argv) args.push_back(a.data());
      args.push_back(nullptr);
      ::execvp(args[0], args.data());
      std::_Exit(127);
    }
  }
  // Sends `sig` and reaps the child.
  int Kill(int sig) {
    if (pid_ <= 0) return -1;
    ::kill(pid_, sig);
    int status = 0;
    ::waitpid(pid_, &status, 0);
    pid_ = -1;
    return status;
  }
  // Waits for a normal exit (bounded); returns the exit code or -1.
  int Wait(std::chrono::milliseconds limit) {
    auto deadline = std::chrono::steady_clock::now() + limit;
    while (std::chrono::steady_clock::now() < deadline) {
      int status = 0;
      pid_t r = ::waitpid(pid_, &status, WNOHANG);
      if (r == pid_) {
        pid_ = -1;
        return WIFEXITED(status) ? WEXITSTATUS(status) : -1;
      }
      std::this_thread::sleep_for(std::chrono::milliseconds(20));
    }
    return -1;
  }
  pid_t pid() const { return pid_; }

 private:
  pid_t pid_ = -1;
};

inline std::string ReadFileOrEmpty(const std::string& path) {
  std::ifstream in(path);
  return std::string(std::istreambuf_iterator<char>(in), {});
}

// A Python fake from tests/fakes, on a given port (0 = any); knows its port once started.
class FakeServer {
 public:
  FakeServer(std::string script, std::vector<std::string> extra = {})
      : script_(std::string(TOCSIN_SOURCE_DIR) + "/tests/fakes/" + std::move(script)),
        extra_(std::move(extra)) {}
  // Returns false if it did not come up within 15 s.
  bool Start(int port = 0) {
    port_file_ = TempDir("fakeport") + "/port";
    std::vector<std::string> argv = {"python3",     script_,   "--port", std::to_string(port),
                                     "--port-file", port_file_};
    argv.insert(argv.end(), extra_.begin(), extra_.end());
    child_.Start(argv);
    bool up =
        WaitFor([&] { return !ReadFileOrEmpty(port_file_).empty(); }, std::chrono::seconds(15));
    if (up) port_ = std::stoi(ReadFileOrEmpty(port_file_));
    return up;
  }
  void Stop() { child_.Kill(SIGKILL); }
  int port() const { return port_; }
  std::string Url(const std::string& path) const {
    return "http://127.0.0.1:" + std::to_string(port_) + path;
  }
  nlohmann::json Received(CurlHttpClient& http) {
    HttpRequest r;
    r.method = "GET";
    r.url = Url("/_control/received");
    HttpResponse resp = http.Do(r);
    if (resp.status != 200) return nlohmann::json::array();
    return nlohmann::json::parse(resp.body)["requests"];
  }
  bool Faults(CurlHttpClient& http, const nlohmann::json& faults) {
    HttpRequest r;
    r.url = Url("/_control/faults");
    r.body = nlohmann::json{{"faults", faults}}.dump();
    return http.Do(r).status == 200;
  }

 private:
  std::string script_;
  std::vector<std::string> extra_;
  std::string port_file_;
  int port_ = 0;
  Child child_;
};

inline Alert MakeAlert(std::initializer_list<Label> labels, TimestampMs starts_at,
                       TimestampMs ends_at = 0) {
  Alert a;
  a.labels = Labels(labels);
  a.starts_at = starts_at;
  a.ends_at = ends_at;
  a.annotations["summary"] = "summary of " + std::string(a.labels.Get("alertname"));
  a.generator_url = "http://tocsin.example:9469/graph?g0.expr=up&g0.tab=1";
  return a;
}

inline const char* kRoutingKey = "R0123456789abcdef0123456789abcde";  // 32 chars

}  // namespace tocsin::testing
