// Helpers for the remote_write tests: a scratch directory, a CommittedSamples built from plain
// values, and a fake HttpClient that records decoded requests and answers from a script.
#pragma once

#include <gtest/gtest.h>
#include <stdlib.h>

#include <deque>
#include <filesystem>
#include <functional>
#include <mutex>
#include <string>
#include <vector>

#include "agent/http_client/http_client.h"
#include "agent/store/sample_tap.h"

namespace tocsin::remote::testing {

class TempDir {
 public:
  TempDir() {
    std::string tmpl = (std::filesystem::temp_directory_path() / "tocsin-remote-XXXXXX").string();
    EXPECT_NE(::mkdtemp(tmpl.data()), nullptr);
    path_ = tmpl;
  }
  ~TempDir() {
    std::error_code ec;
    std::filesystem::remove_all(path_, ec);
  }
  std::string path() const { return path_; }

 private:
  std::string path_;
};

struct PlainSample {
  uint64_t id;
  Labels labels;
  TimestampMs t;
  double v;
};

class PlainBatch final : public CommittedSamples {
 public:
  explicit PlainBatch(std::vector<PlainSample> s) : s_(std::move(s)) {}
  size_t size() const override { return s_.size(); }
  uint64_t series_id(size_t i) const override { return s_[i].id; }
  Labels labels(size_t i) const override { return s_[i].labels; }
  TimestampMs timestamp(size_t i) const override { return s_[i].t; }
  double value(size_t i) const override { return s_[i].v; }

 private:
  std::vector<PlainSample> s_;
};

// Answers each request with the next scripted response (then 200s); records every request.
class ScriptedHttpClient final : public HttpClient {
 public:
  HttpResponse Do(const HttpRequest& request) override {
    std::lock_guard lock(mu_);
    requests_.push_back(request);
    HttpResponse r = default_;
    if (!script_.empty()) {
      r = script_.front();
      script_.pop_front();
    }
    if (r.Ok2xx()) accepted_.push_back(request);
    return r;
  }
  void Push(int status, std::map<std::string, std::string> headers = {}, std::string body = "") {
    std::lock_guard lock(mu_);
    HttpResponse r;
    r.status = status;
    r.headers = std::move(headers);
    r.body = std::move(body);
    script_.push_back(r);
  }
  // The answer once the script is used up (200 without headers unless set).
  void SetDefault(int status, std::map<std::string, std::string> headers = {}) {
    std::lock_guard lock(mu_);
    default_.status = status;
    default_.headers = std::move(headers);
  }
  std::vector<HttpRequest> accepted() {
    std::lock_guard lock(mu_);
    return accepted_;
  }
  std::vector<HttpRequest> requests() {
    std::lock_guard lock(mu_);
    return requests_;
  }

 private:
  std::mutex mu_;
  std::deque<HttpResponse> script_;
  HttpResponse default_ = [] {
    HttpResponse r;
    r.status = 200;
    return r;
  }();
  std::vector<HttpRequest> requests_;
  std::vector<HttpRequest> accepted_;
};

}  // namespace tocsin::remote::testing
