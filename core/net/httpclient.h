// SPDX-License-Identifier: GPL-3.0-or-later
// HttpClient: the one place Sightline speaks HTTP. A libcurl multi handle driven by its own
// thread runs many transfers in parallel over kept-alive connections, retries transient
// failures with backoff, follows redirects without leaking credentials to other hosts, and
// hands every reply back as a value. No Qt here; the models layer marshals replies onto the
// GUI thread itself.
#pragma once

#include "util/bufferpool.h"

#include <cstdint>
#include <functional>
#include <memory>
#include <string>
#include <utility>
#include <vector>

namespace sightline {

struct HttpAuth {
    enum class Kind { None, Bearer, Basic } kind = Kind::None;
    std::string token;    // Bearer (MLFLOW_TRACKING_TOKEN); surrounding whitespace is ignored
    std::string username; // Basic (MLFLOW_TRACKING_USERNAME)
    std::string password; // Basic (MLFLOW_TRACKING_PASSWORD)
};

struct HttpOptions {
    int maxParallel = 8;          // transfers on the wire at once; the rest wait in a queue
    int connectTimeoutMs = 10000;
    int totalTimeoutMs = 120000;  // per attempt; 0 = none
    // Abort when fewer than lowSpeedLimitBytes/s arrive for lowSpeedTimeSec. libcurl applies
    // this from the moment the request is sent, so it also bounds how long a server may think
    // before the first byte of its answer. 0 in either field disables the check.
    int lowSpeedLimitBytes = 1;
    int lowSpeedTimeSec = 30;
    int maxRetries = 4;           // retries after the first attempt
    int backoffBaseMs = 250;      // exponential: base * 2^retry, full jitter, capped below
    int backoffMaxMs = 10000;
    int retryAfterCapMs = 60000;  // a server's Retry-After is honoured up to this
    bool verifyTls = true;        // false only on explicit request (MLFLOW_TRACKING_INSECURE_TLS)
    std::string caBundlePath;     // custom CA (MLFLOW_TRACKING_SERVER_CERT_PATH)
    HttpAuth auth;
    std::string userAgent = "Sightline/0.1";
};

struct HttpRequest {
    std::string method = "GET";
    std::string url;
    std::string body;
    std::string contentType = "application/json"; // sent only with a body
    // Extra header lines ("Name: value"). Like HttpAuth, Authorization, Cookie and
    // Proxy-Authorization lines go only to the original scheme/host/port: once a redirect
    // leaves it they are dropped for the rest of the chain.
    std::vector<std::string> headers;
    // False for requests that must not run twice (creating a run, logging a batch): they are
    // then retried only when the failure shows the server never acted on them (connection
    // refused, 429, 503), not after timeouts or dropped connections.
    bool idempotent = true;
};

struct HttpResponse {
    uint64_t token = 0;       // the request token given by send()
    int status = 0;           // HTTP status, 0 when no response
    std::string body;         // decoded (gzip/deflate are undone)
    std::string contentType;
    std::string effectiveUrl; // after redirects, without user info
    int attempts = 0;         // 1 + retries; redirect hops are not attempts
    long retryAfterMs = -1;   // this answer's Retry-After (delay or date), -1 when it had none
    int redirects = 0;
    bool cancelled = false;
    // Transport error in one sentence, empty on a transport success (any status). Never
    // contains secrets: no tokens, passwords, Authorization headers or URL user info.
    std::string error;
    bool transportOk() const { return error.empty() && !cancelled; }
};

struct HttpStats {
    uint64_t requestsStarted = 0; // send() calls
    uint64_t attempts = 0;        // attempts put on the wire, retries included
    uint64_t retries = 0;
    uint64_t redirects = 0;
    uint64_t bytesReceived = 0;   // decoded body bytes
    uint64_t cancelled = 0;
    uint64_t transportErrors = 0; // requests that finished with a non-empty error
};

class HttpClient {
public:
    // Bodies are received into buffers taken from `buffers` when given: hand them back there
    // once read (BufferPool::give), from any thread.
    explicit HttpClient(HttpOptions options = {}, std::shared_ptr<BufferPool> buffers = {});
    // Cancels everything (callbacks still run, with cancelled=true) and joins the thread.
    // Must not be called from one of this client's callbacks.
    ~HttpClient();

    HttpClient(const HttpClient &) = delete;
    HttpClient &operator=(const HttpClient &) = delete;

    using Callback = std::function<void(HttpResponse)>;

    // Queues a request; callable from any thread. The callback runs exactly once, on the
    // client's thread, when the request finishes (after retries) or is cancelled; keep it
    // short, it holds up every other transfer. Exceptions escaping it are swallowed.
    // Returns the token, which the response carries too.
    uint64_t send(HttpRequest request, Callback callback);

    // Blocking convenience for code already on a worker thread. Called from one of this
    // client's callbacks it would deadlock, so it then fails at once with an error.
    HttpResponse perform(HttpRequest request);

    // Immediate, from any thread: the transfer (or its backoff wait) is abandoned and the
    // callback gets cancelled=true. Unknown or finished tokens are ignored.
    void cancel(uint64_t token);
    void cancelAll(); // everything sent before this call

    HttpStats stats() const;
    const HttpOptions &options() const;

private:
    class Impl;
    std::unique_ptr<Impl> m_impl;
};

} // namespace sightline
