// SPDX-License-Identifier: GPL-3.0-or-later
#include "net/httpclient.h"

#include "net/url.h"

#include <curl/curl.h>

#include <algorithm>
#include <charconv>
#include <atomic>
#include <cctype>
#include <cerrno>
#include <chrono>
#include <cstdio>
#include <ctime>
#include <deque>
#include <future>
#include <limits>
#include <map>
#include <mutex>
#include <optional>
#include <random>
#include <thread>
#include <unordered_map>

namespace sightline {

namespace {

using Clock = std::chrono::steady_clock;

constexpr int kMaxRedirects = 5;
// The loop wakes at least this often even when libcurl asks for nothing; a safety net only,
// new work and cancels wake it through curl_multi_wakeup.
constexpr int kMaxPollMs = 1000;

void ensureCurlInitialised()
{
    static std::once_flag once;
    std::call_once(once, [] { curl_global_init(CURL_GLOBAL_DEFAULT); });
}

std::string upper(std::string_view text)
{
    std::string out(text);
    std::transform(out.begin(), out.end(), out.begin(),
                   [](unsigned char c) { return static_cast<char>(std::toupper(c)); });
    return out;
}

bool startsWithNoCase(std::string_view text, std::string_view prefix)
{
    if (text.size() < prefix.size())
        return false;
    for (size_t i = 0; i < prefix.size(); ++i) {
        if (std::tolower(static_cast<unsigned char>(text[i]))
            != std::tolower(static_cast<unsigned char>(prefix[i])))
            return false;
    }
    return true;
}

std::string_view trim(std::string_view text)
{
    while (!text.empty() && std::isspace(static_cast<unsigned char>(text.front())))
        text.remove_prefix(1);
    while (!text.empty() && std::isspace(static_cast<unsigned char>(text.back())))
        text.remove_suffix(1);
    return text;
}

std::string formatDuration(long ms)
{
    if (ms % 1000 == 0)
        return std::to_string(ms / 1000) + " s";
    char buffer[32];
    std::snprintf(buffer, sizeof buffer, "%.1f s", static_cast<double>(ms) / 1000.0);
    return buffer;
}

// Retry-After is either delay-seconds or an HTTP date; -1 when absent or unparseable.
long parseRetryAfterMs(std::string_view value)
{
    value = trim(value);
    if (value.empty())
        return -1;
    if (std::all_of(value.begin(), value.end(),
                    [](unsigned char c) { return std::isdigit(c); })) {
        if (value.size() > 9)
            return std::numeric_limits<long>::max() / 2;
        return std::stol(std::string(value)) * 1000;
    }
    const std::string text(value);
    const time_t when = curl_getdate(text.c_str(), nullptr);
    if (when == -1)
        return -1;
    const auto now = std::chrono::system_clock::now();
    const auto delta = std::chrono::system_clock::from_time_t(when) - now;
    return std::max<long>(0, static_cast<long>(
        std::chrono::duration_cast<std::chrono::milliseconds>(delta).count()));
}

// 429/503: an overloaded server asking us to come back; 502/504: a proxy in front of MLflow
// that got no answer (typically while the server restarts). Asking again is likely to help.
// A 500 is deliberately absent: in MLflow it is an unhandled exception raised by this very
// request, and it repeats identically.
bool isRetryableStatus(int status)
{
    return status == 429 || status == 502 || status == 503 || status == 504;
}

// Retrying these is safe even for non-idempotent requests: the server says it did not act.
// Behind a 502/504 the server may well have acted.
bool isRefusalStatus(int status)
{
    return status == 429 || status == 503;
}

bool isRedirectStatus(int status)
{
    return status == 301 || status == 302 || status == 303 || status == 307 || status == 308;
}

bool hasLineBreak(std::string_view text)
{
    return text.find_first_of("\r\n") != std::string_view::npos;
}

// Header injection guard: a line break in a value would smuggle in headers of its own.
std::string checkRequest(const HttpRequest &request, const HttpOptions &options)
{
    if (hasLineBreak(options.auth.token) || hasLineBreak(options.auth.username)
        || hasLineBreak(options.auth.password))
        return "The credentials contain a line break.";
    if (hasLineBreak(request.contentType) || hasLineBreak(request.method)
        || std::any_of(request.headers.begin(), request.headers.end(), hasLineBreak))
        return "A request header contains a line break.";
    return {};
}

bool isCredentialHeader(std::string_view line)
{
    return startsWithNoCase(line, "authorization:") || startsWithNoCase(line, "cookie:")
        || startsWithNoCase(line, "proxy-authorization:");
}

struct Transfer {
    enum class State { Queued, Running, Waiting };

    uint64_t token = 0;
    HttpRequest request; // method and body change when a redirect turns a POST into a GET
    HttpClient::Callback callback;
    UrlOrigin origin;    // of the URL given to send(); credentials go nowhere else
    std::string url;     // the current hop
    State state = State::Queued;
    bool redirectHop = false;
    bool leftOrigin = false; // once a redirect left the origin, credentials stay off
    int attempts = 0;
    int redirects = 0;
    Clock::time_point retryAt;

    CURL *easy = nullptr;
    curl_slist *headers = nullptr;
    std::string received;
    long retryAfterMs = -1;
    char errorBuffer[CURL_ERROR_SIZE] = {};
};

} // namespace

class HttpClient::Impl {
public:
    Impl(HttpOptions options, std::shared_ptr<BufferPool> buffers);
    ~Impl();

    uint64_t send(HttpRequest request, Callback callback);
    void cancel(uint64_t token);
    void cancelAll();
    bool onLoopThread() const { return std::this_thread::get_id() == m_thread.get_id(); }

    const HttpOptions m_options;
    const std::shared_ptr<BufferPool> m_buffers; // may be null

    std::atomic<uint64_t> m_requestsStarted{0};
    std::atomic<uint64_t> m_attempts{0};
    std::atomic<uint64_t> m_retries{0};
    std::atomic<uint64_t> m_redirects{0};
    std::atomic<uint64_t> m_bytesReceived{0};
    std::atomic<uint64_t> m_cancelled{0};
    std::atomic<uint64_t> m_transportErrors{0};

private:
    struct Command {
        enum class Kind { Add, Cancel, CancelAll } kind;
        std::unique_ptr<Transfer> transfer;
        uint64_t token = 0;
    };

    void post(Command command);
    void run();
    bool drainInbox();
    void fireTimers();
    void startQueued();
    void startAttempt(Transfer *transfer);
    void collectDone();
    void completeAttempt(Transfer *transfer, CURLcode code);
    void followRedirect(Transfer *transfer, int status, const std::string &location);
    void scheduleRetry(Transfer *transfer, long delayMs);
    long backoffMs(const Transfer *transfer);
    bool retriesLeft(const Transfer *transfer) const;
    void cancelTransfer(Transfer *transfer);
    void detach(Transfer *transfer);
    void finish(Transfer *transfer, HttpResponse response);
    void fail(Transfer *transfer, std::string error);
    std::string describe(const Transfer *transfer, CURLcode code, long osErrno,
                         curl_off_t pretransfer) const;
    int pollTimeoutMs() const;
    CURL *acquireEasy();
    void releaseEasy(CURL *easy);

    static size_t onBody(char *data, size_t size, size_t count, void *user);
    static size_t onHeader(char *data, size_t size, size_t count, void *user);

    std::atomic<uint64_t> m_nextToken{1};

    std::mutex m_mutex; // guards the three below
    std::vector<Command> m_inbox;
    bool m_stopping = false;
    bool m_closed = false;

    CURLM *m_multi = nullptr;
    std::thread m_thread;

    // Loop thread only.
    std::unordered_map<uint64_t, std::unique_ptr<Transfer>> m_transfers;
    std::deque<Transfer *> m_queue;
    std::multimap<Clock::time_point, Transfer *> m_timers;
    std::vector<CURL *> m_idleEasy;
    int m_running = 0;
    std::mt19937_64 m_random{std::random_device{}()};
};

HttpClient::Impl::Impl(HttpOptions options, std::shared_ptr<BufferPool> buffers)
    : m_options([&] {
          options.maxParallel = std::max(1, options.maxParallel);
          options.maxRetries = std::max(0, options.maxRetries);
          // Tokens read from files often end in a newline.
          options.auth.token = std::string(trim(options.auth.token));
          return std::move(options);
      }()),
      m_buffers(std::move(buffers))
{
    ensureCurlInitialised();
    m_multi = curl_multi_init();
    curl_multi_setopt(m_multi, CURLMOPT_MAX_TOTAL_CONNECTIONS, long(m_options.maxParallel));
    curl_multi_setopt(m_multi, CURLMOPT_MAX_HOST_CONNECTIONS, long(m_options.maxParallel));
    // Keep as many idle connections as we run transfers, so bursts reuse warm connections.
    curl_multi_setopt(m_multi, CURLMOPT_MAXCONNECTS, long(m_options.maxParallel));
    m_thread = std::thread([this] { run(); });
}

HttpClient::Impl::~Impl()
{
    {
        std::lock_guard lock(m_mutex);
        m_stopping = true;
    }
    curl_multi_wakeup(m_multi);
    m_thread.join();
    for (CURL *easy : m_idleEasy)
        curl_easy_cleanup(easy);
    curl_multi_cleanup(m_multi);
}

uint64_t HttpClient::Impl::send(HttpRequest request, Callback callback)
{
    auto transfer = std::make_unique<Transfer>();
    transfer->token = m_nextToken.fetch_add(1);
    transfer->request = std::move(request);
    transfer->callback = std::move(callback);
    const uint64_t token = transfer->token;
    m_requestsStarted.fetch_add(1);
    {
        std::unique_lock lock(m_mutex);
        if (m_closed) {
            // Only while the client is being destroyed: answer here, as promised, so a
            // perform() racing with destruction does not wait forever.
            lock.unlock();
            HttpResponse response;
            response.token = token;
            response.cancelled = true;
            response.error = "The request was cancelled.";
            m_cancelled.fetch_add(1);
            if (transfer->callback)
                transfer->callback(std::move(response));
            return token;
        }
        m_inbox.push_back({Command::Kind::Add, std::move(transfer), 0});
    }
    curl_multi_wakeup(m_multi);
    return token;
}

void HttpClient::Impl::cancel(uint64_t token)
{
    post({Command::Kind::Cancel, nullptr, token});
}

void HttpClient::Impl::cancelAll()
{
    post({Command::Kind::CancelAll, nullptr, 0});
}

void HttpClient::Impl::post(Command command)
{
    {
        std::lock_guard lock(m_mutex);
        if (m_closed)
            return;
        m_inbox.push_back(std::move(command));
    }
    curl_multi_wakeup(m_multi);
}

void HttpClient::Impl::run()
{
    while (drainInbox()) {
        fireTimers();
        startQueued();
        int stillRunning = 0;
        curl_multi_perform(m_multi, &stillRunning);
        collectDone();
        startQueued(); // redirects and freed slots; the next poll returns at once for them
        curl_multi_poll(m_multi, nullptr, 0, pollTimeoutMs(), nullptr);
    }

    // Shutting down: everything still known is cancelled; commands arriving from now on are
    // answered by send() itself.
    std::vector<Transfer *> all;
    for (auto &[token, transfer] : m_transfers)
        all.push_back(transfer.get());
    for (Transfer *transfer : all)
        cancelTransfer(transfer);
    std::vector<Command> late;
    {
        std::lock_guard lock(m_mutex);
        m_closed = true;
        late.swap(m_inbox);
    }
    for (Command &command : late) {
        if (command.kind != Command::Kind::Add)
            continue;
        Transfer *transfer = command.transfer.get();
        m_transfers.emplace(transfer->token, std::move(command.transfer));
        cancelTransfer(transfer);
    }
}

bool HttpClient::Impl::drainInbox()
{
    std::vector<Command> commands;
    bool stopping = false;
    {
        std::lock_guard lock(m_mutex);
        commands.swap(m_inbox);
        stopping = m_stopping;
    }
    // In order, so a cancel always sees the requests sent before it.
    for (Command &command : commands) {
        switch (command.kind) {
        case Command::Kind::Add: {
            Transfer *transfer = command.transfer.get();
            m_transfers.emplace(transfer->token, std::move(command.transfer));
            const std::optional<UrlOrigin> origin = urlOrigin(transfer->request.url);
            if (!origin) {
                fail(transfer, "The address " + redactUrl(transfer->request.url)
                                   + " is not an http or https URL.");
                break;
            }
            if (std::string problem = checkRequest(transfer->request, m_options);
                !problem.empty()) {
                fail(transfer, std::move(problem));
                break;
            }
            transfer->origin = *origin;
            transfer->url = transfer->request.url;
            m_queue.push_back(transfer);
            break;
        }
        case Command::Kind::Cancel:
            if (auto it = m_transfers.find(command.token); it != m_transfers.end())
                cancelTransfer(it->second.get());
            break;
        case Command::Kind::CancelAll: {
            std::vector<Transfer *> all;
            for (auto &[token, transfer] : m_transfers)
                all.push_back(transfer.get());
            for (Transfer *transfer : all)
                cancelTransfer(transfer);
            break;
        }
        }
    }
    return !stopping;
}

void HttpClient::Impl::fireTimers()
{
    const auto now = Clock::now();
    while (!m_timers.empty() && m_timers.begin()->first <= now) {
        Transfer *transfer = m_timers.begin()->second;
        m_timers.erase(m_timers.begin());
        transfer->state = Transfer::State::Queued;
        // Retries go first: they have waited already.
        m_queue.push_front(transfer);
    }
}

void HttpClient::Impl::startQueued()
{
    while (m_running < m_options.maxParallel && !m_queue.empty()) {
        Transfer *transfer = m_queue.front();
        m_queue.pop_front();
        startAttempt(transfer);
    }
}

int HttpClient::Impl::pollTimeoutMs() const
{
    long timeout = -1;
    curl_multi_timeout(m_multi, &timeout);
    if (timeout < 0 || timeout > kMaxPollMs)
        timeout = kMaxPollMs;
    if (!m_timers.empty()) {
        const auto wait = std::chrono::ceil<std::chrono::milliseconds>(
            m_timers.begin()->first - Clock::now());
        timeout = std::clamp<long>(static_cast<long>(wait.count()), 0, timeout);
    }
    if (!m_queue.empty() && m_running < m_options.maxParallel)
        timeout = 0;
    return static_cast<int>(timeout);
}

CURL *HttpClient::Impl::acquireEasy()
{
    // Connections and the DNS cache live in the multi handle and outlast any easy handle;
    // pooling the easy handles just saves setting them up again.
    if (!m_idleEasy.empty()) {
        CURL *easy = m_idleEasy.back();
        m_idleEasy.pop_back();
        curl_easy_reset(easy);
        return easy;
    }
    return curl_easy_init();
}

void HttpClient::Impl::releaseEasy(CURL *easy)
{
    if (static_cast<int>(m_idleEasy.size()) < m_options.maxParallel)
        m_idleEasy.push_back(easy);
    else
        curl_easy_cleanup(easy);
}

size_t HttpClient::Impl::onBody(char *data, size_t size, size_t count, void *user)
{
    auto *transfer = static_cast<Transfer *>(user);
    const size_t bytes = size * count;
    transfer->received.append(data, bytes);
    return bytes;
}

size_t HttpClient::Impl::onHeader(char *data, size_t size, size_t count, void *user)
{
    auto *transfer = static_cast<Transfer *>(user);
    const size_t bytes = size * count;
    const std::string_view line(data, bytes);
    if (startsWithNoCase(line, "HTTP/"))
        transfer->retryAfterMs = -1; // a new response (after a 1xx) starts afresh
    else if (startsWithNoCase(line, "retry-after:"))
        transfer->retryAfterMs = parseRetryAfterMs(line.substr(12));
    else if (startsWithNoCase(line, "content-length:")) {
        // Room for the whole body at once rather than doubling through a multi-megabyte
        // answer; a hint only, capped so that a lying header cannot reserve gigabytes.
        uint64_t length = 0;
        std::string_view digits = line.substr(15);
        while (!digits.empty() && (digits.front() == ' ' || digits.front() == '\t'))
            digits.remove_prefix(1);
        std::from_chars(digits.data(), digits.data() + digits.size(), length);
        constexpr uint64_t kMaxReserve = uint64_t(256) << 20;
        if (length > transfer->received.capacity())
            transfer->received.reserve(static_cast<size_t>(std::min(length, kMaxReserve)));
    }
    return bytes;
}

void HttpClient::Impl::startAttempt(Transfer *transfer)
{
    CURL *easy = acquireEasy();
    if (!easy) {
        fail(transfer, "Could not set up a network transfer.");
        return;
    }
    transfer->easy = easy;
    transfer->received.clear();
    if (m_buffers) { // the last body was handed on with its buffer: take one handed back
        std::string spare = m_buffers->take();
        if (spare.capacity() > transfer->received.capacity())
            transfer->received.swap(spare);
        m_buffers->give(std::move(spare)); // whichever is not used
    }
    transfer->retryAfterMs = -1;
    transfer->errorBuffer[0] = '\0';

    const HttpOptions &o = m_options;
    curl_easy_setopt(easy, CURLOPT_URL, transfer->url.c_str());
    curl_easy_setopt(easy, CURLOPT_PRIVATE, transfer);
    curl_easy_setopt(easy, CURLOPT_WRITEFUNCTION, &Impl::onBody);
    curl_easy_setopt(easy, CURLOPT_WRITEDATA, transfer);
    curl_easy_setopt(easy, CURLOPT_HEADERFUNCTION, &Impl::onHeader);
    curl_easy_setopt(easy, CURLOPT_HEADERDATA, transfer);
    curl_easy_setopt(easy, CURLOPT_ERRORBUFFER, transfer->errorBuffer);
    // Timeouts must not use SIGALRM: we are one thread among many.
    curl_easy_setopt(easy, CURLOPT_NOSIGNAL, 1L);
    curl_easy_setopt(easy, CURLOPT_HTTP_VERSION, long(CURL_HTTP_VERSION_1_1));
    curl_easy_setopt(easy, CURLOPT_ACCEPT_ENCODING, ""); // every encoding libcurl can undo
    curl_easy_setopt(easy, CURLOPT_TCP_KEEPALIVE, 1L);
    // Metric histories come in answers of megabytes: reading them 256 KB at a time instead of
    // libcurl's 16 KB takes a quarter fewer CPU cycles on the transfer thread.
    curl_easy_setopt(easy, CURLOPT_BUFFERSIZE, 256L * 1024);
#if LIBCURL_VERSION_NUM >= 0x075500
    curl_easy_setopt(easy, CURLOPT_PROTOCOLS_STR, "http,https");
#else
    curl_easy_setopt(easy, CURLOPT_PROTOCOLS, long(CURLPROTO_HTTP | CURLPROTO_HTTPS));
#endif
    // Redirects are followed by completeAttempt(), which decides per hop whether credentials
    // may go along; libcurl's own following differs between versions in what counts as
    // "another host", so it stays off.
    curl_easy_setopt(easy, CURLOPT_FOLLOWLOCATION, 0L);
    curl_easy_setopt(easy, CURLOPT_UNRESTRICTED_AUTH, 0L);
    // No CURLOPT_PROXY on purpose: libcurl then takes http_proxy, https_proxy, all_proxy and
    // no_proxy from the environment, as users of MLflow clients expect. (Upper-case HTTP_PROXY
    // is ignored by libcurl for http:// URLs, a CGI safety rule.)
    curl_easy_setopt(easy, CURLOPT_CONNECTTIMEOUT_MS, long(o.connectTimeoutMs));
    curl_easy_setopt(easy, CURLOPT_TIMEOUT_MS, long(o.totalTimeoutMs));
    if (o.lowSpeedLimitBytes > 0 && o.lowSpeedTimeSec > 0) {
        curl_easy_setopt(easy, CURLOPT_LOW_SPEED_LIMIT, long(o.lowSpeedLimitBytes));
        curl_easy_setopt(easy, CURLOPT_LOW_SPEED_TIME, long(o.lowSpeedTimeSec));
    }
    curl_easy_setopt(easy, CURLOPT_USERAGENT, o.userAgent.c_str());
    curl_easy_setopt(easy, CURLOPT_SSL_VERIFYPEER, o.verifyTls ? 1L : 0L);
    curl_easy_setopt(easy, CURLOPT_SSL_VERIFYHOST, o.verifyTls ? 2L : 0L);
    if (!o.caBundlePath.empty())
        curl_easy_setopt(easy, CURLOPT_CAINFO, o.caBundlePath.c_str());

    const HttpRequest &request = transfer->request;
    const std::string method = upper(request.method);
    const bool hasBody = !request.body.empty() || method == "POST" || method == "PUT"
                         || method == "PATCH";
    if (method == "HEAD") {
        curl_easy_setopt(easy, CURLOPT_NOBODY, 1L);
    } else if (hasBody) {
        curl_easy_setopt(easy, CURLOPT_POSTFIELDS, request.body.data());
        curl_easy_setopt(easy, CURLOPT_POSTFIELDSIZE_LARGE, curl_off_t(request.body.size()));
        if (method != "POST")
            curl_easy_setopt(easy, CURLOPT_CUSTOMREQUEST, method.c_str());
    } else if (method == "GET") {
        curl_easy_setopt(easy, CURLOPT_HTTPGET, 1L);
    } else {
        curl_easy_setopt(easy, CURLOPT_CUSTOMREQUEST, method.c_str());
    }

    if (urlOrigin(transfer->url) != transfer->origin)
        transfer->leftOrigin = true;
    const bool sameOrigin = !transfer->leftOrigin;
    curl_slist *headers = nullptr;
    // Without this libcurl waits up to a second for "100 Continue" before large bodies.
    headers = curl_slist_append(headers, "Expect:");
    if (hasBody && !request.contentType.empty())
        headers = curl_slist_append(headers, ("Content-Type: " + request.contentType).c_str());
    if (sameOrigin && o.auth.kind == HttpAuth::Kind::Bearer && !o.auth.token.empty())
        headers = curl_slist_append(headers, ("Authorization: Bearer " + o.auth.token).c_str());
    for (const std::string &line : request.headers) {
        if (sameOrigin || !isCredentialHeader(line))
            headers = curl_slist_append(headers, line.c_str());
    }
    transfer->headers = headers;
    curl_easy_setopt(easy, CURLOPT_HTTPHEADER, headers);
    if (sameOrigin && o.auth.kind == HttpAuth::Kind::Basic) {
        curl_easy_setopt(easy, CURLOPT_HTTPAUTH, long(CURLAUTH_BASIC));
        curl_easy_setopt(easy, CURLOPT_USERNAME, o.auth.username.c_str());
        curl_easy_setopt(easy, CURLOPT_PASSWORD, o.auth.password.c_str());
    }

    if (curl_multi_add_handle(m_multi, easy) != CURLM_OK) {
        detach(transfer);
        fail(transfer, "Could not start a network transfer.");
        return;
    }
    transfer->easy = easy;
    transfer->state = Transfer::State::Running;
    ++m_running;
    if (!transfer->redirectHop) {
        ++transfer->attempts;
        m_attempts.fetch_add(1);
    }
    transfer->redirectHop = false;
}

// Takes the transfer off the wire (if it is on it) and frees its per-attempt resources.
void HttpClient::Impl::detach(Transfer *transfer)
{
    if (transfer->easy) {
        if (transfer->state == Transfer::State::Running) {
            curl_multi_remove_handle(m_multi, transfer->easy);
            --m_running;
        }
        releaseEasy(transfer->easy);
        transfer->easy = nullptr;
    }
    curl_slist_free_all(transfer->headers);
    transfer->headers = nullptr;
}

void HttpClient::Impl::collectDone()
{
    int left = 0;
    while (CURLMsg *message = curl_multi_info_read(m_multi, &left)) {
        if (message->msg != CURLMSG_DONE)
            continue;
        // Copy out first: removing the handle frees the message.
        CURL *easy = message->easy_handle;
        const CURLcode code = message->data.result;
        char *priv = nullptr;
        curl_easy_getinfo(easy, CURLINFO_PRIVATE, &priv);
        completeAttempt(reinterpret_cast<Transfer *>(priv), code);
    }
}

bool HttpClient::Impl::retriesLeft(const Transfer *transfer) const
{
    return transfer->attempts <= m_options.maxRetries;
}

long HttpClient::Impl::backoffMs(const Transfer *transfer)
{
    // Full jitter (uniform in [0, cap]) spreads clients that failed together.
    const int exponent = std::clamp(transfer->attempts - 1, 0, 30);
    const int64_t cap = std::min<int64_t>(int64_t(m_options.backoffBaseMs) << exponent,
                                          m_options.backoffMaxMs);
    if (cap <= 0)
        return 0;
    std::uniform_int_distribution<int64_t> pick(0, cap);
    return static_cast<long>(pick(m_random));
}

void HttpClient::Impl::completeAttempt(Transfer *transfer, CURLcode code)
{
    CURL *easy = transfer->easy;
    long status = 0;
    curl_easy_getinfo(easy, CURLINFO_RESPONSE_CODE, &status);
    long osErrno = 0;
    curl_easy_getinfo(easy, CURLINFO_OS_ERRNO, &osErrno);
    // Zero until connection (and TLS) are up and the request is about to go out.
    curl_off_t pretransfer = 0;
    curl_easy_getinfo(easy, CURLINFO_PRETRANSFER_TIME_T, &pretransfer);
    char *contentType = nullptr;
    curl_easy_getinfo(easy, CURLINFO_CONTENT_TYPE, &contentType);
    char *effectiveUrl = nullptr;
    curl_easy_getinfo(easy, CURLINFO_EFFECTIVE_URL, &effectiveUrl);
    char *location = nullptr;
    curl_easy_getinfo(easy, CURLINFO_REDIRECT_URL, &location); // absolute, resolved by libcurl

    HttpResponse response;
    response.status = static_cast<int>(status);
    response.retryAfterMs = transfer->retryAfterMs;
    response.contentType = contentType ? contentType : "";
    response.effectiveUrl = stripUserInfo(effectiveUrl ? effectiveUrl : transfer->url);
    const std::string redirectTo = location ? location : "";
    std::string error;
    if (code != CURLE_OK)
        error = describe(transfer, code, osErrno, pretransfer);
    m_bytesReceived.fetch_add(transfer->received.size());
    response.body = std::move(transfer->received);
    transfer->received.clear();
    detach(transfer); // the getinfo strings die here

    if (code == CURLE_OK) {
        if (isRedirectStatus(response.status) && !redirectTo.empty()) {
            followRedirect(transfer, response.status, redirectTo);
            return;
        }
        const bool retryable = transfer->request.idempotent ? isRetryableStatus(response.status)
                                                            : isRefusalStatus(response.status);
        if (retryable && retriesLeft(transfer)) {
            const long delay = transfer->retryAfterMs >= 0
                                   ? std::min<long>(transfer->retryAfterMs,
                                                    m_options.retryAfterCapMs)
                                   : backoffMs(transfer);
            scheduleRetry(transfer, delay);
            return;
        }
        finish(transfer, std::move(response));
        return;
    }

    // Failures where nothing reached the server are safe to repeat for any request; the rest
    // (the server may have acted before the connection broke) only for idempotent ones.
    const bool nothingSent = code == CURLE_COULDNT_CONNECT
                             || (code == CURLE_OPERATION_TIMEDOUT && pretransfer == 0);
    const bool transient = nothingSent || code == CURLE_OPERATION_TIMEDOUT
                           || code == CURLE_RECV_ERROR || code == CURLE_SEND_ERROR
                           || code == CURLE_PARTIAL_FILE || code == CURLE_GOT_NOTHING;
    const bool retryable = transfer->request.idempotent ? transient : nothingSent;
    if (retryable && retriesLeft(transfer)) {
        scheduleRetry(transfer, backoffMs(transfer));
        return;
    }
    response.status = 0;
    response.retryAfterMs = -1;
    response.body.clear();
    response.error = std::move(error);
    finish(transfer, std::move(response));
}

void HttpClient::Impl::followRedirect(Transfer *transfer, int status, const std::string &location)
{
    const std::string from = urlOrigin(transfer->url)->hostPort();
    if (transfer->redirects >= kMaxRedirects) {
        fail(transfer, "The server at " + from + " redirected more than "
                           + std::to_string(kMaxRedirects) + " times.");
        return;
    }
    if (!urlOrigin(location)) {
        fail(transfer, "The server at " + from + " redirected to an address that is not http "
                                                 "or https.");
        return;
    }
    // What browsers and libcurl do: 303 always becomes a GET, 301/302 turn a POST into a GET;
    // 307/308 repeat the request as it was.
    const std::string method = upper(transfer->request.method);
    const bool toGet = (status == 303 && method != "HEAD")
                       || ((status == 301 || status == 302) && method == "POST");
    if (toGet) {
        transfer->request.method = "GET";
        transfer->request.body.clear();
    }
    transfer->url = location;
    ++transfer->redirects;
    m_redirects.fetch_add(1);
    transfer->redirectHop = true;
    transfer->state = Transfer::State::Queued;
    m_queue.push_front(transfer);
}

void HttpClient::Impl::scheduleRetry(Transfer *transfer, long delayMs)
{
    m_retries.fetch_add(1);
    transfer->state = Transfer::State::Waiting;
    transfer->retryAt = Clock::now() + std::chrono::milliseconds(std::max(0L, delayMs));
    m_timers.emplace(transfer->retryAt, transfer);
}

void HttpClient::Impl::cancelTransfer(Transfer *transfer)
{
    switch (transfer->state) {
    case Transfer::State::Running:
        detach(transfer);
        break;
    case Transfer::State::Queued:
        m_queue.erase(std::remove(m_queue.begin(), m_queue.end(), transfer), m_queue.end());
        break;
    case Transfer::State::Waiting: {
        auto [first, last] = m_timers.equal_range(transfer->retryAt);
        for (auto it = first; it != last; ++it) {
            if (it->second == transfer) {
                m_timers.erase(it);
                break;
            }
        }
        break;
    }
    }
    HttpResponse response;
    response.cancelled = true;
    response.error = "The request was cancelled.";
    m_cancelled.fetch_add(1);
    finish(transfer, std::move(response));
}

void HttpClient::Impl::fail(Transfer *transfer, std::string error)
{
    HttpResponse response;
    response.error = std::move(error);
    finish(transfer, std::move(response));
}

void HttpClient::Impl::finish(Transfer *transfer, HttpResponse response)
{
    auto it = m_transfers.find(transfer->token);
    std::unique_ptr<Transfer> owned = std::move(it->second);
    m_transfers.erase(it);
    detach(transfer);

    response.token = owned->token;
    response.attempts = owned->attempts;
    response.redirects = owned->redirects;
    if (!response.error.empty() && !response.cancelled)
        m_transportErrors.fetch_add(1);
    Callback callback = std::move(owned->callback);
    owned.reset();
    if (!callback)
        return;
    try {
        callback(std::move(response));
    } catch (...) {
        // A throwing callback must not take the network thread (and every transfer) down.
    }
}

std::string HttpClient::Impl::describe(const Transfer *transfer, CURLcode code, long osErrno,
                                       curl_off_t pretransfer) const
{
    const std::optional<UrlOrigin> origin = urlOrigin(transfer->url);
    const std::string where = origin ? origin->hostPort() : std::string("the server");
    switch (code) {
    case CURLE_COULDNT_CONNECT: {
        const char *reason = nullptr;
        switch (osErrno) {
        case ECONNREFUSED: reason = "connection refused"; break;
        case ETIMEDOUT: reason = "timed out"; break;
        case EHOSTUNREACH: reason = "host unreachable"; break;
        case ENETUNREACH: reason = "network unreachable"; break;
        default: break;
        }
        return "Could not connect to " + where + (reason ? std::string(": ") + reason : "") + ".";
    }
    case CURLE_OPERATION_TIMEDOUT:
        if (startsWithNoCase(transfer->errorBuffer, "Operation too slow"))
            return "The server at " + where + " sent less than "
                   + std::to_string(m_options.lowSpeedLimitBytes) + " bytes/s for "
                   + std::to_string(m_options.lowSpeedTimeSec) + " s.";
        if (pretransfer == 0) {
            // Whichever limit is shorter ended the connection attempt.
            const int total = m_options.totalTimeoutMs;
            const int limit = total > 0 ? std::min(m_options.connectTimeoutMs, total)
                                        : m_options.connectTimeoutMs;
            return "Could not connect to " + where + " within " + formatDuration(limit) + ".";
        }
        return "The server at " + where + " did not answer within "
               + formatDuration(m_options.totalTimeoutMs) + ".";
    case CURLE_COULDNT_RESOLVE_HOST:
        return "Could not resolve the host name " + (origin ? origin->host : std::string()) + ".";
    case CURLE_COULDNT_RESOLVE_PROXY:
        return "Could not resolve the proxy's host name.";
    case CURLE_PEER_FAILED_VERIFICATION:
        return "The TLS certificate of " + where + " could not be verified.";
    case CURLE_SSL_CACERT_BADFILE:
        return "The CA certificate file could not be read.";
    case CURLE_SSL_CONNECT_ERROR:
        return "The TLS handshake with " + where + " failed.";
    case CURLE_SEND_ERROR:
        return "The connection to " + where + " broke while sending the request.";
    case CURLE_RECV_ERROR:
        return "The connection to " + where + " broke while receiving the reply.";
    case CURLE_PARTIAL_FILE:
        return "The reply from " + where + " ended before it was complete.";
    case CURLE_GOT_NOTHING:
        return "The server at " + where + " closed the connection without replying.";
    case CURLE_BAD_CONTENT_ENCODING:
        return "The compressed reply from " + where + " could not be decoded.";
    case CURLE_UNSUPPORTED_PROTOCOL:
        return "The address is not an http or https URL.";
    case CURLE_URL_MALFORMAT:
        return "The address is not a valid URL.";
    case CURLE_OUT_OF_MEMORY:
        return "Ran out of memory while talking to " + where + ".";
    default:
        // libcurl's generic strings carry no URL or credentials, unlike its error buffer.
        return "The request to " + where + " failed: " + curl_easy_strerror(code) + ".";
    }
}

HttpClient::HttpClient(HttpOptions options, std::shared_ptr<BufferPool> buffers)
    : m_impl(std::make_unique<Impl>(std::move(options), std::move(buffers)))
{
}

HttpClient::~HttpClient() = default;

uint64_t HttpClient::send(HttpRequest request, Callback callback)
{
    return m_impl->send(std::move(request), std::move(callback));
}

HttpResponse HttpClient::perform(HttpRequest request)
{
    if (m_impl->onLoopThread()) {
        HttpResponse response;
        response.error = "A blocking request cannot be made from a network callback.";
        return response;
    }
    // Shared so the promise outlives set_value() even after perform() has returned.
    auto promise = std::make_shared<std::promise<HttpResponse>>();
    std::future<HttpResponse> future = promise->get_future();
    send(std::move(request), [promise](HttpResponse response) {
        promise->set_value(std::move(response));
    });
    return future.get();
}

void HttpClient::cancel(uint64_t token)
{
    m_impl->cancel(token);
}

void HttpClient::cancelAll()
{
    m_impl->cancelAll();
}

HttpStats HttpClient::stats() const
{
    HttpStats stats;
    stats.requestsStarted = m_impl->m_requestsStarted.load();
    stats.attempts = m_impl->m_attempts.load();
    stats.retries = m_impl->m_retries.load();
    stats.redirects = m_impl->m_redirects.load();
    stats.bytesReceived = m_impl->m_bytesReceived.load();
    stats.cancelled = m_impl->m_cancelled.load();
    stats.transportErrors = m_impl->m_transportErrors.load();
    return stats;
}

const HttpOptions &HttpClient::options() const
{
    return m_impl->m_options;
}

} // namespace sightline
