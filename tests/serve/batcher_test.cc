// DynamicBatcher: batching by options, splitting, error isolation, timeouts.
// The fake backend's gate makes batch composition deterministic: hold the
// first call, queue the rest, then release.
#include <gtest/gtest.h>

#include <atomic>
#include <future>
#include <set>
#include <thread>

#include "s2s/serve/batcher.h"
#include "s2s/serve/request.h"
#include "serve/fake_backend.h"

namespace s2s::serve {
namespace {

using testing::FakeBackend;

Clock::time_point far_deadline() { return Clock::now() + std::chrono::seconds(30); }

// Waits (at most 10 s) until the batcher holds `n` queued sentences.
bool wait_queued(const DynamicBatcher& b, std::int64_t n) {
  auto until = Clock::now() + std::chrono::seconds(10);
  while (b.queued_sentences() != n) {
    if (Clock::now() > until) return false;
    std::this_thread::sleep_for(std::chrono::milliseconds(1));
  }
  return true;
}

std::string text_of(const std::vector<Result>& r, std::size_t i) { return r.at(i).hypotheses.at(0).text; }

TEST(ServeBatcher, RequestsArrivingTogetherShareOneCallPerOptions) {
  auto fake = std::make_shared<FakeBackend>();
  DynamicBatcher b(fake, {.max_batch = 32, .wait_ms = 5, .max_queued_cost = 100});
  DecodeOptions greedy, beam2;
  beam2.beam = 2;
  fake->hold();
  auto first = std::async(std::launch::async, [&] { return b.translate({"x y"}, greedy, far_deadline()); });
  ASSERT_TRUE(fake->wait_started(1));
  std::vector<std::future<std::vector<Result>>> futures;
  std::vector<std::pair<std::string, DecodeOptions>> sent;
  for (int i = 0; i < 9; ++i) {
    DecodeOptions o = i % 3 == 2 ? beam2 : greedy;
    std::string s = "s" + std::to_string(i) + " t";
    sent.emplace_back(s, o);
    futures.push_back(std::async(std::launch::async, [&b, s, o] { return b.translate({s}, o, far_deadline()); }));
  }
  ASSERT_TRUE(wait_queued(b, 9));
  fake->release();
  EXPECT_EQ(text_of(first.get(), 0), "y x");
  for (std::size_t i = 0; i < futures.size(); ++i) {
    std::vector<Result> r = futures[i].get();
    ASSERT_EQ(r.size(), 1u);
    EXPECT_EQ(r[0].hypotheses.at(0).text, fake->expected(sent[i].first, sent[i].second).hypotheses.at(0).text);
  }
  std::vector<FakeBackend::Call> calls = fake->calls();
  ASSERT_EQ(calls.size(), 3u);  // the held call, then one per distinct options
  std::multiset<std::pair<std::size_t, std::int64_t>> shapes;
  for (std::size_t i = 1; i < calls.size(); ++i) shapes.insert({calls[i].inputs.size(), calls[i].options.beam});
  EXPECT_EQ(shapes, (std::multiset<std::pair<std::size_t, std::int64_t>>{{6, 1}, {3, 2}}));
}

TEST(ServeBatcher, SplitsAtMaxBatchKeepingOrder) {
  auto fake = std::make_shared<FakeBackend>();
  DynamicBatcher b(fake, {.max_batch = 4, .wait_ms = 0, .max_queued_cost = 100});
  std::vector<std::string> inputs;
  for (int i = 0; i < 10; ++i) inputs.push_back("w" + std::to_string(i) + " v");
  std::vector<Result> r = b.translate(inputs, {}, far_deadline());
  ASSERT_EQ(r.size(), 10u);
  for (int i = 0; i < 10; ++i) EXPECT_EQ(text_of(r, i), "v w" + std::to_string(i));
  std::vector<std::size_t> sizes;
  for (const auto& c : fake->calls()) sizes.push_back(c.inputs.size());
  EXPECT_EQ(sizes, (std::vector<std::size_t>{4, 4, 2}));
}

TEST(ServeBatcher, MaxBatchOneDecodesEachSentenceAlone) {
  auto fake = std::make_shared<FakeBackend>();
  DynamicBatcher b(fake, {.max_batch = 1, .wait_ms = 5, .max_queued_cost = 100});
  fake->hold();
  auto first = std::async(std::launch::async, [&] { return b.translate({"a"}, {}, far_deadline()); });
  ASSERT_TRUE(fake->wait_started(1));
  auto second = std::async(std::launch::async, [&] { return b.translate({"b", "c"}, {}, far_deadline()); });
  ASSERT_TRUE(wait_queued(b, 2));
  fake->release();
  first.get();
  EXPECT_EQ(text_of(second.get(), 1), "c");
  for (const auto& c : fake->calls()) EXPECT_EQ(c.inputs.size(), 1u);
  EXPECT_EQ(fake->calls().size(), 3u);
}

TEST(ServeBatcher, OneFailingRequestDoesNotFailItsBatchMates) {
  auto fake = std::make_shared<FakeBackend>();
  DynamicBatcher b(fake, {.max_batch = 32, .wait_ms = 5, .max_queued_cost = 100});
  fake->hold();
  auto first = std::async(std::launch::async, [&] { return b.translate({"a"}, {}, far_deadline()); });
  ASSERT_TRUE(fake->wait_started(1));
  auto ok1 = std::async(std::launch::async, [&] { return b.translate({"p q"}, {}, far_deadline()); });
  ASSERT_TRUE(wait_queued(b, 1));
  auto bad = std::async(std::launch::async, [&] { return b.translate({"FAIL"}, {}, far_deadline()); });
  ASSERT_TRUE(wait_queued(b, 2));
  auto crash = std::async(std::launch::async, [&] { return b.translate({"CRASH"}, {}, far_deadline()); });
  ASSERT_TRUE(wait_queued(b, 3));
  auto ok2 = std::async(std::launch::async, [&] { return b.translate({"r s"}, {}, far_deadline()); });
  ASSERT_TRUE(wait_queued(b, 4));
  fake->release();
  first.get();
  EXPECT_EQ(text_of(ok1.get(), 0), "q p");
  EXPECT_EQ(text_of(ok2.get(), 0), "s r");
  try {
    bad.get();
    ADD_FAILURE() << "FAIL was translated";
  } catch (const HttpError& e) {
    EXPECT_EQ(e.status(), 400);
    EXPECT_STREQ(e.what(), "fake: cannot translate FAIL");
  }
  try {
    crash.get();
    ADD_FAILURE() << "CRASH was translated";
  } catch (const HttpError& e) {
    EXPECT_EQ(e.status(), 500);
    EXPECT_STREQ(e.what(), "internal error: fake: crashed");
  }
}

TEST(ServeBatcher, DeadlineGivesTimeoutAndTheBatcherKeepsWorking) {
  auto fake = std::make_shared<FakeBackend>();
  DynamicBatcher b(fake, {.max_batch = 32, .wait_ms = 0, .max_queued_cost = 100});
  fake->hold();
  auto busy = std::async(std::launch::async, [&] { return b.translate({"busy"}, {}, far_deadline()); });
  ASSERT_TRUE(fake->wait_started(1));
  // Queued and out of time before it started: never decoded.
  try {
    b.translate({"never"}, {}, Clock::now() + std::chrono::milliseconds(50));
    ADD_FAILURE() << "no timeout";
  } catch (const HttpError& e) {
    EXPECT_EQ(e.status(), 504);
  }
  EXPECT_EQ(b.queued_sentences(), 0);
  EXPECT_EQ(b.queued_cost(), 0);
  fake->release();
  EXPECT_EQ(text_of(busy.get(), 0), "busy");
  EXPECT_EQ(text_of(b.translate({"c d"}, {}, far_deadline()), 0), "d c");
  for (const auto& c : fake->calls()) EXPECT_NE(c.inputs.at(0), "never");
  EXPECT_EQ(fake->cancelled_calls(), 0);
}

// Waits (at most 10 s) until the fake has given up `n` calls.
bool wait_cancelled(const FakeBackend& f, int n) {
  auto until = Clock::now() + std::chrono::seconds(10);
  while (f.cancelled_calls() < n) {
    if (Clock::now() > until) return false;
    std::this_thread::sleep_for(std::chrono::milliseconds(1));
  }
  return true;
}

TEST(ServeBatcher, DecodingStopsOnceItsOnlyRequestIsOutOfTime) {
  auto fake = std::make_shared<FakeBackend>();
  Metrics metrics;
  DynamicBatcher b(fake, {.max_batch = 32, .wait_ms = 0, .max_queued_cost = 100}, &metrics);
  fake->hold();  // the call "decodes" until released or cancelled
  try {
    b.translate({"slow"}, {}, Clock::now() + std::chrono::milliseconds(50));
    ADD_FAILURE() << "no timeout";
  } catch (const HttpError& e) {
    EXPECT_EQ(e.status(), 504);
  }
  ASSERT_TRUE(wait_cancelled(*fake, 1)) << "the abandoned call kept running";
  // The worker is free again although the gate is still shut.
  auto next = std::async(std::launch::async, [&] { return b.translate({"x y"}, {}, far_deadline()); });
  ASSERT_TRUE(fake->wait_started(2));
  fake->release();
  EXPECT_EQ(text_of(next.get(), 0), "y x");
  std::string m = metrics.render();
  EXPECT_NE(m.find("s2s_cancelled_requests_total{model=\"fake\",reason=\"deadline\"} 1\n"), std::string::npos) << m;
  EXPECT_NE(m.find("s2s_cancelled_batches_total{model=\"fake\"} 1\n"), std::string::npos) << m;
  EXPECT_NE(m.find("s2s_cancelled_sentences_total{model=\"fake\"} 1\n"), std::string::npos) << m;
}

TEST(ServeBatcher, ClientThatLeavesGets499AndItsDecodingStops) {
  auto fake = std::make_shared<FakeBackend>();
  Metrics metrics;
  DynamicBatcher b(fake, {.max_batch = 32, .wait_ms = 0, .max_queued_cost = 100}, &metrics);
  fake->hold();
  std::atomic<bool> gone{false};
  auto request = std::async(std::launch::async, [&] {
    try {
      b.translate({"a b"}, {}, far_deadline(), [&] { return gone.load(); });
    } catch (const HttpError& e) {
      return e.status();
    }
    return 200;
  });
  ASSERT_TRUE(fake->wait_started(1));
  gone = true;
  EXPECT_EQ(request.get(), 499);
  ASSERT_TRUE(wait_cancelled(*fake, 1));
  std::string m = metrics.render();
  EXPECT_NE(m.find("s2s_cancelled_requests_total{model=\"fake\",reason=\"client_closed\"} 1\n"), std::string::npos)
      << m;
  fake->release();
}

TEST(ServeBatcher, ABatchKeepsDecodingWhileOneOfItsRequestsStillWaits) {
  auto fake = std::make_shared<FakeBackend>();
  // Both requests in one call: it starts once two sentences are queued.
  DynamicBatcher b(fake, {.max_batch = 2, .wait_ms = 10000, .max_queued_cost = 100});
  fake->hold();
  std::atomic<bool> gone{false};
  auto leaving = std::async(std::launch::async, [&] {
    try {
      b.translate({"a b"}, {}, far_deadline(), [&] { return gone.load(); });
    } catch (const HttpError& e) {
      return e.status();
    }
    return 200;
  });
  ASSERT_TRUE(wait_queued(b, 1));
  auto staying = std::async(std::launch::async, [&] { return b.translate({"c d"}, {}, far_deadline()); });
  ASSERT_TRUE(fake->wait_started(1));
  ASSERT_EQ(fake->calls().at(0).inputs.size(), 2u);
  gone = true;
  EXPECT_EQ(leaving.get(), 499);
  std::this_thread::sleep_for(std::chrono::milliseconds(20));  // the fake polls every millisecond
  EXPECT_EQ(fake->cancelled_calls(), 0);
  fake->release();
  EXPECT_EQ(text_of(staying.get(), 0), "d c");
}

TEST(ServeBatcher, TheQueueIsBoundedByCostNotByRequests) {
  auto fake = std::make_shared<FakeBackend>();
  DynamicBatcher b(fake, {.max_batch = 1, .wait_ms = 0, .max_queued_cost = 12});
  DecodeOptions beam4;
  beam4.beam = 4;
  EXPECT_EQ(fake->cost("a b", beam4), 12);  // (2 tokens + 1) x beam 4
  // Alone more than the queue holds: 413 at once, whatever the load.
  try {
    b.translate({"a b c"}, beam4, far_deadline());
    ADD_FAILURE() << "a request over the whole budget was accepted";
  } catch (const HttpError& e) {
    EXPECT_EQ(e.status(), 413);
    EXPECT_NE(std::string(e.what()).find("costs 16"), std::string::npos) << e.what();
    EXPECT_NE(std::string(e.what()).find("--max-queued-cost"), std::string::npos) << e.what();
  }
  fake->hold();
  auto running = std::async(std::launch::async, [&] { return b.translate({"r"}, {}, far_deadline()); });
  ASSERT_TRUE(fake->wait_started(1));
  // Many cheap sentences fit where one expensive one does not.
  auto cheap = std::async(std::launch::async, [&] {
    return b.translate({"1", "2", "3", "4", "5"}, {}, far_deadline());  // 5 x 2
  });
  ASSERT_TRUE(wait_queued(b, 5));
  EXPECT_EQ(b.queued_cost(), 10);
  try {
    b.translate({"x"}, beam4, far_deadline());  // 8 more
    ADD_FAILURE() << "the cost limit was not enforced";
  } catch (const HttpError& e) {
    EXPECT_EQ(e.status(), 503);
    EXPECT_GE(e.retry_after_s(), 1);
    EXPECT_NE(std::string(e.what()).find("busy"), std::string::npos);
  }
  fake->release();
  running.get();
  EXPECT_EQ(cheap.get().size(), 5u);
  EXPECT_EQ(b.queued_cost(), 0);
  EXPECT_EQ(text_of(b.translate({"x"}, beam4, far_deadline()), 0), "x <b=4>");
}

TEST(ServeBatcher, FullQueueAndStoppedBatcherAnswer503) {
  auto fake = std::make_shared<FakeBackend>();
  DynamicBatcher b(fake, {.max_batch = 1, .wait_ms = 0, .max_queued_cost = 4});
  fake->hold();
  auto first = std::async(std::launch::async, [&] { return b.translate({"a"}, {}, far_deadline()); });
  ASSERT_TRUE(fake->wait_started(1));
  auto second = std::async(std::launch::async, [&] { return b.translate({"b", "c"}, {}, far_deadline()); });
  ASSERT_TRUE(wait_queued(b, 2));
  try {
    b.translate({"d"}, {}, far_deadline());
    ADD_FAILURE() << "queue limit not enforced";
  } catch (const HttpError& e) {
    EXPECT_EQ(e.status(), 503);
    EXPECT_NE(std::string(e.what()).find("busy"), std::string::npos);
  }
  fake->release();
  first.get();
  second.get();
  b.stop();
  try {
    b.translate({"e"}, {}, far_deadline());
    ADD_FAILURE() << "a stopped batcher accepted work";
  } catch (const HttpError& e) {
    EXPECT_EQ(e.status(), 503);
  }
}

TEST(ServeBatcher, StopFinishesQueuedWork) {
  auto fake = std::make_shared<FakeBackend>();
  auto b = std::make_unique<DynamicBatcher>(fake, BatchingOptions{.max_batch = 1, .wait_ms = 0, .max_queued_cost = 100});
  fake->hold();
  auto first = std::async(std::launch::async, [&] { return b->translate({"a b"}, {}, far_deadline()); });
  ASSERT_TRUE(fake->wait_started(1));
  auto second = std::async(std::launch::async, [&] { return b->translate({"c d"}, {}, far_deadline()); });
  ASSERT_TRUE(wait_queued(*b, 1));
  auto stopper = std::async(std::launch::async, [&] { b->stop(); });
  fake->release();
  stopper.get();
  EXPECT_EQ(text_of(first.get(), 0), "b a");
  EXPECT_EQ(text_of(second.get(), 0), "d c");
}

}  // namespace
}  // namespace s2s::serve
