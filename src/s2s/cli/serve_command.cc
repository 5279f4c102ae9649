// s2s serve: the HTTP translation server (serve/server.h) over one or more
// model directories. Runs until SIGTERM/SIGINT, then drains and exits 0.
#include <csignal>
#include <cstdio>

#include "s2s/cli/args.h"
#include "s2s/cli/commands.h"
#include "s2s/cli/decode_options.h"
#include "s2s/core/error.h"
#include "s2s/core/parallel.h"
#include "s2s/serve/model_backend.h"
#include "s2s/serve/server.h"

namespace s2s::cli {

namespace {

// -m/--model may repeat, which Args does not allow: take them out first.
std::vector<std::string> take_models(std::span<const std::string> argv, std::vector<std::string>& rest) {
  std::vector<std::string> models;
  for (std::size_t i = 0; i < argv.size(); ++i) {
    const std::string& a = argv[i];
    if (a == "-m" || a == "--model") {
      S2S_CHECK(i + 1 < argv.size() && !argv[i + 1].starts_with("-"), "s2s serve: option ", a,
                " expects a value (DIR or NAME=DIR)");
      models.push_back(argv[++i]);
    } else if (a.starts_with("--model=")) {
      models.push_back(a.substr(8));
    } else {
      rest.push_back(a);
    }
  }
  return models;
}

}  // namespace

int serve_command(std::span<const std::string> argv) {
  // Before any thread exists (OpenMP's included), so only the server's
  // signal thread ever sees SIGTERM/SIGINT.
  serve::block_termination_signals();

  Args args("s2s serve",
            "Serves models over HTTP: POST /v1/translate (JSON), GET /v1/models, /health, /metrics, and a web\n"
            "page at /. Requests that arrive together are decoded in one batch. SIGTERM or SIGINT stops\n"
            "accepting, answers the requests in flight, then exits 0. See docs/serve.md.");
  serve::ServerOptions d;
  args.add_string("model", "DIR", std::string(""),
                  "(-m) model directory, DIR or NAME=DIR; repeat for several (the first is the default)")
      .add_string("host", "ADDR", d.host, "address to listen on (0.0.0.0: every interface)")
      .add_int("port", d.port, "TCP port (0: any free port, printed at start)")
      .add_int("max-batch", d.batching.max_batch, "sentences decoded together at most")
      .add_int("batch-wait-ms", d.batching.wait_ms, "longest a request waits for others to batch with")
      .add_int("max-queued-cost", d.batching.max_queued_cost,
               "work waiting per model (beam x longest possible output, summed over sentences); beyond it 503")
      .add_int("max-body-bytes", d.max_body_bytes, "largest request body")
      .add_int("max-inputs", d.limits.max_inputs, "sentences per request")
      .add_int("max-input-chars", d.limits.max_input_chars, "characters per sentence")
      .add_int("max-beam", d.limits.max_beam, "largest beam (and n_best) a request may ask for")
      .add_int("timeout-ms", d.timeout_ms, "per-request limit, queueing included (then 504)")
      .add_string("compute-type", "TYPE", std::string("auto"),
                  "fp32, int8, bf16 or auto (the type each model is stored in) for every model, or a comma list "
                  "with one per -m (docs/precision.md)")
      .add_int("threads", 0, "threads decoding uses (0: all cores)")
      .add_int("http-threads", d.http_threads, "connections served at once");
  std::vector<std::string> rest;
  std::vector<std::string> models = take_models(argv, rest);
  if (!args.parse(rest)) {
    std::printf("%s", args.help().c_str());
    return 0;
  }
  S2S_CHECK(!models.empty(), "s2s serve: missing required option -m/--model DIR (see s2s serve --help)");

  serve::ServerOptions o;
  o.host = args.get_string("host");
  auto int_option = [&](const char* name, std::int64_t lo, std::int64_t hi) {
    std::int64_t v = args.get_int(name);
    S2S_CHECK(v >= lo && v <= hi, "s2s serve: --", name, " must be between ", lo, " and ", hi, ", got ", v);
    return v;
  };
  o.port = static_cast<int>(int_option("port", 0, 65535));
  o.batching.max_batch = int_option("max-batch", 1, 4096);
  o.batching.wait_ms = int_option("batch-wait-ms", 0, 10000);
  o.batching.max_queued_cost = int_option("max-queued-cost", 1, std::int64_t{1} << 40);
  o.max_body_bytes = int_option("max-body-bytes", 64, std::int64_t{1} << 30);
  o.limits.max_inputs = int_option("max-inputs", 1, 1 << 20);
  o.limits.max_input_chars = int_option("max-input-chars", 1, 1 << 20);
  o.limits.max_beam = int_option("max-beam", 1, 256);
  o.timeout_ms = int_option("timeout-ms", 1, std::int64_t{24} * 3600 * 1000);
  o.http_threads = static_cast<int>(int_option("http-threads", 1, 4096));
  o.batching.threads = static_cast<int>(int_option("threads", 0, 4096));
  if (o.batching.threads > 0) set_num_threads(o.batching.threads);  // model loading too

  // Names first: a clash is reported before any model is loaded.
  std::vector<std::pair<std::string, std::string>> specs;
  for (const std::string& spec : models) {
    specs.push_back(serve::parse_model_spec(spec));
    for (std::size_t i = 0; i + 1 < specs.size(); ++i)
      S2S_CHECK(specs[i].first != specs.back().first, "s2s serve: two models are named '", specs.back().first,
                "' (use -m NAME=DIR)");
  }
  std::vector<std::string> dirs;
  for (const auto& spec : specs) dirs.push_back(spec.second);
  const std::vector<kernels::ComputeType> types = read_compute_types("s2s serve", args.get_string("compute-type"), dirs);
  std::vector<std::shared_ptr<serve::TranslationBackend>> backends;
  for (const auto& [name, dir] : specs) {
    backends.push_back(serve::load_model_backend(name, dir, types[backends.size()]));
    std::fprintf(stderr, "s2s serve: loaded %s from %s (%s)\n", name.c_str(), dir.c_str(),
                 backends.back()->info().description.c_str());
  }
  serve::Server server(o, backends);
  int port = server.bind();
  std::fprintf(stderr, "s2s serve: listening on %s (max batch %lld, wait %lld ms)\n", serve::listen_url(o.host, port).c_str(),
               static_cast<long long>(o.batching.max_batch), static_cast<long long>(o.batching.wait_ms));
  int sig = serve::serve_until_signal(server);
  std::fprintf(stderr, "s2s serve: %s, requests in flight answered; exiting\n",
               sig ? (sig == SIGTERM ? "SIGTERM" : "SIGINT") : "stopped");
  return 0;
}

}  // namespace s2s::cli
