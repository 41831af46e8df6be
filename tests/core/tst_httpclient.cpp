// SPDX-License-Identifier: GPL-3.0-or-later
// Tests for HttpClient and the URL functions against two scripted local HTTP servers (a small
// Python program started per test run): retries, Retry-After, timeouts, cancellation,
// redirects and where credentials may go, compression, parallelism and error wording.
#include "net/httpclient.h"
#include "net/url.h"

#include <QElapsedTimer>
#include <QProcess>
#include <QStandardPaths>
#include <QtTest>

#include <chrono>
#include <condition_variable>
#include <memory>
#include <mutex>
#include <stdexcept>
#include <string>
#include <thread>
#include <vector>

using namespace sightline;

// Readable QCOMPARE failures for std::string.
namespace QTest {
template<>
inline char *toString(const std::string &text)
{
    return qstrdup(text.c_str());
}
} // namespace QTest

namespace {

// Two servers (A and B, different ports on 127.0.0.1) plus a port nobody listens on. The
// query parameter `id` keys a per-behaviour hit counter, so `fail=N` behaviours misbehave for
// the first N hits and then answer 200.
const char *const kServerScript = R"PY(
import base64, email.utils, gzip, http.server, socket, sys, threading, time, urllib.parse

counts = {}
lock = threading.Lock()

def hit(key):
    with lock:
        counts[key] = counts.get(key, 0) + 1
        return counts[key]

class Handler(http.server.BaseHTTPRequestHandler):
    protocol_version = 'HTTP/1.1'

    def log_message(self, *args):
        pass

    def reply(self, code, body=b'', headers=()):
        if isinstance(body, str):
            body = body.encode()
        self.send_response(code)
        for k, v in headers:
            self.send_header(k, v)
        if not any(k.lower() == 'content-type' for k, _ in headers):
            self.send_header('Content-Type', 'text/plain')
        self.send_header('Content-Length', str(len(body)))
        self.end_headers()
        if self.command != 'HEAD':
            self.wfile.write(body)

    def do_any(self):
        url = urllib.parse.urlsplit(self.path)
        q = dict(urllib.parse.parse_qsl(url.query))
        path = url.path
        length = int(self.headers.get('Content-Length') or 0)
        body = self.rfile.read(length) if length else b''
        if path == '/hits':
            with lock:
                return self.reply(200, str(counts.get(q.get('id'), 0)))
        n = hit(q.get('id', path))
        fail = int(q.get('fail', '0'))
        if path == '/ok':
            return self.reply(200, 'ok')
        if path == '/peer':
            return self.reply(200, str(self.client_address[1]))
        if path == '/delay':
            time.sleep(int(q.get('ms', '300')) / 1000.0)
            return self.reply(200, 'ok')
        if path == '/flaky':
            if n <= fail:
                headers = []
                ra = q.get('ra')
                if ra and ra.startswith('date:'):
                    ra = email.utils.formatdate(time.time() + int(ra[5:]), usegmt=True)
                if ra:
                    headers.append(('Retry-After', ra))
                return self.reply(int(q.get('status', '503')), 'busy', headers)
            return self.reply(200, 'done %d' % n)
        if path == '/status':
            return self.reply(int(q.get('code', '404')), 'status')
        if path == '/drop':
            if n <= fail:
                self.close_connection = True
                return
            return self.reply(200, 'done %d' % n)
        if path == '/truncated':
            if n <= fail:
                self.send_response(200)
                self.send_header('Content-Length', '100')
                self.end_headers()
                self.wfile.write(b'0123456789')
                self.wfile.flush()
                self.close_connection = True
                return
            return self.reply(200, 'done %d' % n)
        if path == '/redirect':
            return self.reply(int(q.get('code', '302')), '', [('Location', q['to'])])
        if path == '/loop':
            return self.reply(302, '', [('Location', '/loop')])
        if path == '/auth':
            return self.reply(200, '%s|%s' % (self.headers.get('Authorization', 'none'),
                                              self.headers.get('X-Extra', 'none')))
        if path == '/gzip':
            data = b'hello gzip ' * 100
            if 'gzip' not in (self.headers.get('Accept-Encoding') or ''):
                return self.reply(406, 'gzip expected')
            return self.reply(200, gzip.compress(data), [('Content-Encoding', 'gzip')])
        if path == '/echo':
            return self.reply(200, '%s|%s|%s' % (self.command, self.headers.get('Content-Type', ''),
                                                 body.decode()))
        if path == '/basic':
            expected = 'Basic ' + base64.b64encode(b'alice:s3cret').decode()
            if self.headers.get('Authorization') == expected:
                return self.reply(200, 'welcome')
            return self.reply(401, 'who?', [('WWW-Authenticate', 'Basic realm="x"')])
        return self.reply(404, 'unknown')

    do_GET = do_POST = do_PUT = do_PATCH = do_DELETE = do_HEAD = do_any

class Server(http.server.ThreadingHTTPServer):
    daemon_threads = True
    request_queue_size = 64
    def handle_error(self, request, client_address):
        pass

servers = [Server(('127.0.0.1', 0), Handler) for _ in range(2)]
probe = socket.socket()
probe.bind(('127.0.0.1', 0))
closed = probe.getsockname()[1]
probe.close()
for s in servers:
    threading.Thread(target=s.serve_forever, daemon=True).start()
print(servers[0].server_address[1], servers[1].server_address[1], closed, flush=True)
sys.stdin.read()
)PY";

// Gathers responses delivered on the client's thread.
class Collector {
public:
    HttpClient::Callback callback()
    {
        return [this](HttpResponse response) {
            std::lock_guard lock(m_mutex);
            m_responses.push_back(std::move(response));
            m_changed.notify_all();
        };
    }

    bool waitFor(size_t count, int timeoutMs = 5000)
    {
        std::unique_lock lock(m_mutex);
        return m_changed.wait_for(lock, std::chrono::milliseconds(timeoutMs),
                                  [&] { return m_responses.size() >= count; });
    }

    std::vector<HttpResponse> responses()
    {
        std::lock_guard lock(m_mutex);
        return m_responses;
    }

private:
    std::mutex m_mutex;
    std::condition_variable m_changed;
    std::vector<HttpResponse> m_responses;
};

HttpOptions fastOptions()
{
    HttpOptions options;
    options.backoffBaseMs = 10;
    options.backoffMaxMs = 50;
    return options;
}

HttpRequest get(const std::string &url)
{
    HttpRequest request;
    request.url = url;
    return request;
}

} // namespace

class TestHttpClient : public QObject {
    Q_OBJECT

private slots:
    void initTestCase();
    void cleanupTestCase();

    void urlEncoding();
    void urlRedaction();
    void urlOrigins();

    void getAndPost();
    void bodiesAreReceivedIntoHandedBackBuffers();
    void keepAliveReusesConnection();
    void gzipIsDecoded();
    void parallelTransfersOverlap();
    void maxParallelLimitsConcurrency();

    void retriesServiceUnavailableHonouringRetryAfter();
    void retryAfter429();
    void retryAfterHttpDate();
    void retryAfterIsCapped();
    void retriesGatewayErrorsWithBackoff();
    void exhaustedRetriesReturnLastStatus();
    void noRetryOn404Or500();
    void retriesDroppedConnection();
    void retriesTruncatedBody();
    void nonIdempotentNotRetriedAfterDrop();
    void totalTimeoutPerAttempt();
    void lowSpeedAbort();
    void connectionRefused();
    void proxyFromEnvironment();

    void cancelDuringSlowRequest();
    void cancelDuringBackoff();
    void cancelAllCancelsEverything();
    void tokensAndStaleCancel();

    void bearerKeptOnSameHostRedirect();
    void bearerNotForwardedToOtherPort();
    void bearerNotForwardedToOtherHostName();
    void credentialsStayOffAfterLeavingOrigin();
    void basicAuth();
    void redirectMethodRules();
    void tooManyRedirects();

    void errorsRedactSecrets();
    void invalidUrl();
    void headerInjectionRejected();
    void performFromCallbackFails();
    void throwingCallbackDoesNotKillClient();
    void destructorWithTransfersInFlight();
    void statsAreCounted();

private:
    std::string a(const std::string &path) const { return m_a + path; }
    std::string b(const std::string &path) const { return m_b + path; }
    int hits(const std::string &id);

    QProcess m_server;
    std::string m_a;    // http://127.0.0.1:<port A>
    std::string m_b;    // http://127.0.0.1:<port B>
    int m_portA = 0;
    int m_closedPort = 0;
};

void TestHttpClient::initTestCase()
{
    // A proxy configured on the test machine must not reroute the local servers.
    for (const char *name : {"http_proxy", "https_proxy", "all_proxy", "HTTPS_PROXY", "ALL_PROXY"})
        qunsetenv(name);
    qputenv("no_proxy", "127.0.0.1,localhost");
    const QString python = QStandardPaths::findExecutable(QStringLiteral("python3"));
    if (python.isEmpty())
        QSKIP("python3 is needed for the local test server");
    m_server.setProgram(python);
    m_server.setArguments({QStringLiteral("-c"), QString::fromUtf8(kServerScript)});
    m_server.setProcessChannelMode(QProcess::ForwardedErrorChannel);
    m_server.start();
    QVERIFY(m_server.waitForStarted(5000));
    QElapsedTimer timer;
    timer.start();
    while (!m_server.canReadLine() && timer.elapsed() < 5000)
        m_server.waitForReadyRead(100);
    const QByteArray line = m_server.readLine().trimmed();
    const QList<QByteArray> ports = line.split(' ');
    QVERIFY2(ports.size() == 3, line.constData());
    m_portA = ports[0].toInt();
    m_a = "http://127.0.0.1:" + ports[0].toStdString();
    m_b = "http://127.0.0.1:" + ports[1].toStdString();
    m_closedPort = ports[2].toInt();
}

void TestHttpClient::cleanupTestCase()
{
    if (m_server.state() == QProcess::NotRunning)
        return;
    m_server.closeWriteChannel(); // the script exits when stdin closes
    if (!m_server.waitForFinished(2000)) {
        m_server.kill();
        m_server.waitForFinished(2000);
    }
}

int TestHttpClient::hits(const std::string &id)
{
    HttpClient client;
    return std::stoi(client.perform(get(a("/hits?id=" + id))).body);
}

void TestHttpClient::urlEncoding()
{
    QCOMPARE(urlEncode("abc-._~XYZ019"), std::string("abc-._~XYZ019"));
    QCOMPARE(urlEncode("a b&c=d/é"), std::string("a%20b%26c%3Dd%2F%C3%A9"));
    QCOMPARE(urlEncode(""), std::string());
}

void TestHttpClient::urlRedaction()
{
    QCOMPARE(redactUrl("https://bob:hunter2@mlflow.example.com/api?x=1"),
             std::string("https://mlflow.example.com/api?x=1"));
    QCOMPARE(redactUrl("http://bob@host:5000"), std::string("http://host:5000"));
    QCOMPARE(redactUrl("https://s3.example.com/a?X-Amz-Signature=abc&X-Amz-Date=1&token=t"),
             std::string("https://s3.example.com/a?X-Amz-Signature=***&X-Amz-Date=1&token=***"));
    QCOMPARE(redactUrl("https://h/p#access_token=abc&state=1"),
             std::string("https://h/p#access_token=***&state=1"));
    QCOMPARE(redactUrl("bob:pw@host/path"), std::string("host/path"));
    QCOMPARE(redactUrl("http://host/a@b"), std::string("http://host/a@b"));
    QCOMPARE(stripUserInfo("http://u:p@h/x?token=1"), std::string("http://h/x?token=1"));
}

void TestHttpClient::urlOrigins()
{
    const auto plain = urlOrigin("http://Example.COM/x");
    QVERIFY(plain);
    QCOMPARE(plain->scheme, std::string("http"));
    QCOMPARE(plain->host, std::string("example.com"));
    QCOMPARE(plain->port, 80);
    QCOMPARE(urlOrigin("https://u:p@h:8443?q")->hostPort(), std::string("h:8443"));
    QCOMPARE(urlOrigin("https://[::1]:5000/")->hostPort(), std::string("[::1]:5000"));
    QVERIFY(urlOrigin("http://h") == urlOrigin("HTTP://h:80/other"));
    QVERIFY(urlOrigin("http://h") != urlOrigin("https://h:80"));
    QVERIFY(!urlOrigin("ftp://h/"));
    QVERIFY(!urlOrigin("/relative"));
    QVERIFY(!urlOrigin("http://h:99999/"));
}

void TestHttpClient::getAndPost()
{
    HttpClient client;
    HttpResponse ok = client.perform(get(a("/ok")));
    QVERIFY(ok.transportOk());
    QCOMPARE(ok.status, 200);
    QCOMPARE(ok.body, std::string("ok"));
    QCOMPARE(ok.contentType, std::string("text/plain"));
    QCOMPARE(ok.effectiveUrl, a("/ok"));
    QCOMPARE(ok.attempts, 1);

    HttpRequest post = get(a("/echo"));
    post.method = "POST";
    post.body = R"({"ids":["1"]})";
    QCOMPARE(client.perform(post).body, std::string(R"(POST|application/json|{"ids":["1"]})"));

    post.method = "PATCH";
    QCOMPARE(client.perform(post).body, std::string(R"(PATCH|application/json|{"ids":["1"]})"));

    HttpRequest del = get(a("/echo"));
    del.method = "DELETE";
    QCOMPARE(client.perform(del).body, std::string("DELETE||"));

    HttpRequest head = get(a("/ok"));
    head.method = "HEAD";
    HttpResponse headReply = client.perform(head);
    QCOMPARE(headReply.status, 200);
    QVERIFY(headReply.body.empty());
}

void TestHttpClient::bodiesAreReceivedIntoHandedBackBuffers()
{
    auto pool = std::make_shared<BufferPool>();
    HttpClient client({}, pool);
    std::string used(1 << 20, 'z'); // an earlier body, handed back once read
    const size_t capacity = used.capacity();
    pool->give(std::move(used));
    HttpResponse r = client.perform(get(a("/ok")));
    QCOMPARE(r.body, std::string("ok"));
    QCOMPARE(r.body.capacity(), capacity);
    QCOMPARE(pool->size(), size_t(0));
    // With nothing handed back, bodies come from the allocator as usual.
    HttpResponse again = client.perform(get(a("/ok")));
    QCOMPARE(again.body, std::string("ok"));
}

void TestHttpClient::keepAliveReusesConnection()
{
    HttpClient client;
    const std::string first = client.perform(get(a("/peer"))).body;
    const std::string second = client.perform(get(a("/peer"))).body;
    QVERIFY(!first.empty());
    QCOMPARE(second, first); // same client port: the connection was kept alive
}

void TestHttpClient::gzipIsDecoded()
{
    HttpClient client;
    HttpResponse response = client.perform(get(a("/gzip")));
    QCOMPARE(response.status, 200); // 406 would mean no Accept-Encoding: gzip was sent
    std::string expected;
    for (int i = 0; i < 100; ++i)
        expected += "hello gzip ";
    QCOMPARE(response.body, expected);
}

void TestHttpClient::parallelTransfersOverlap()
{
    Collector collector;
    HttpClient client; // maxParallel 8
    QElapsedTimer timer;
    timer.start();
    for (int i = 0; i < 8; ++i)
        client.send(get(a("/delay?ms=300")), collector.callback());
    QVERIFY(collector.waitFor(8));
    QVERIFY2(timer.elapsed() < 1000, qPrintable(QString::number(timer.elapsed())));
    for (const HttpResponse &response : collector.responses())
        QCOMPARE(response.status, 200);
}

void TestHttpClient::maxParallelLimitsConcurrency()
{
    Collector collector;
    HttpOptions options;
    options.maxParallel = 2;
    HttpClient client(options);
    QElapsedTimer timer;
    timer.start();
    for (int i = 0; i < 4; ++i)
        client.send(get(a("/delay?ms=200")), collector.callback());
    QVERIFY(collector.waitFor(4));
    QVERIFY2(timer.elapsed() >= 400, qPrintable(QString::number(timer.elapsed())));
    QVERIFY2(timer.elapsed() < 800, qPrintable(QString::number(timer.elapsed())));
}

void TestHttpClient::retriesServiceUnavailableHonouringRetryAfter()
{
    HttpClient client(fastOptions());
    QElapsedTimer timer;
    timer.start();
    HttpResponse response = client.perform(get(a("/flaky?id=r503&fail=2&status=503&ra=1")));
    QVERIFY2(timer.elapsed() >= 2000, qPrintable(QString::number(timer.elapsed())));
    QCOMPARE(response.status, 200);
    QCOMPARE(response.body, std::string("done 3"));
    QCOMPARE(response.attempts, 3);
    QCOMPARE(client.stats().retries, uint64_t(2));
}

void TestHttpClient::retryAfter429()
{
    HttpClient client(fastOptions());
    QElapsedTimer timer;
    timer.start();
    HttpResponse response = client.perform(get(a("/flaky?id=r429&fail=1&status=429&ra=1")));
    QVERIFY2(timer.elapsed() >= 1000, qPrintable(QString::number(timer.elapsed())));
    QCOMPARE(response.status, 200);
    QCOMPARE(response.attempts, 2);
}

void TestHttpClient::retryAfterHttpDate()
{
    HttpClient client(fastOptions());
    QElapsedTimer timer;
    timer.start();
    HttpResponse response = client.perform(get(a("/flaky?id=rdate&fail=1&status=503&ra=date:2")));
    // The date has whole-second precision, so the wait is between 1 and 2 s.
    QVERIFY2(timer.elapsed() >= 900, qPrintable(QString::number(timer.elapsed())));
    QCOMPARE(response.status, 200);
    QCOMPARE(response.attempts, 2);
}

void TestHttpClient::retryAfterIsCapped()
{
    HttpOptions options = fastOptions();
    options.retryAfterCapMs = 200;
    HttpClient client(options);
    QElapsedTimer timer;
    timer.start();
    HttpResponse response = client.perform(get(a("/flaky?id=rcap&fail=1&status=503&ra=30")));
    QVERIFY2(timer.elapsed() >= 200, qPrintable(QString::number(timer.elapsed())));
    QVERIFY2(timer.elapsed() < 1500, qPrintable(QString::number(timer.elapsed())));
    QCOMPARE(response.status, 200);
}

void TestHttpClient::retriesGatewayErrorsWithBackoff()
{
    HttpClient client(fastOptions());
    QCOMPARE(client.perform(get(a("/flaky?id=r502&fail=2&status=502"))).attempts, 3);
    QCOMPARE(client.perform(get(a("/flaky?id=r504&fail=1&status=504"))).attempts, 2);
}

void TestHttpClient::exhaustedRetriesReturnLastStatus()
{
    HttpOptions options = fastOptions();
    options.maxRetries = 2;
    HttpClient client(options);
    HttpResponse response = client.perform(get(a("/flaky?id=rall&fail=100&status=503")));
    QCOMPARE(response.status, 503);
    QVERIFY(response.transportOk()); // a status is not a transport error
    QCOMPARE(response.attempts, 3);
    QCOMPARE(hits("rall"), 3);
}

void TestHttpClient::noRetryOn404Or500()
{
    HttpClient client(fastOptions());
    HttpResponse notFound = client.perform(get(a("/status?id=s404&code=404")));
    QCOMPARE(notFound.status, 404);
    QCOMPARE(notFound.attempts, 1);
    QCOMPARE(hits("s404"), 1);
    HttpResponse crash = client.perform(get(a("/status?id=s500&code=500")));
    QCOMPARE(crash.status, 500);
    QCOMPARE(crash.attempts, 1);
    QCOMPARE(hits("s500"), 1);
}

void TestHttpClient::retriesDroppedConnection()
{
    HttpClient client(fastOptions());
    HttpResponse response = client.perform(get(a("/drop?id=d1&fail=1")));
    QVERIFY(response.transportOk());
    QCOMPARE(response.body, std::string("done 2"));
    QCOMPARE(response.attempts, 2);

    HttpOptions options = fastOptions();
    options.maxRetries = 1;
    HttpClient strict(options);
    HttpResponse failed = strict.perform(get(a("/drop?id=d2&fail=100")));
    QCOMPARE(failed.status, 0);
    QCOMPARE(failed.attempts, 2);
    QCOMPARE(failed.error, "The server at 127.0.0.1:" + std::to_string(m_portA)
                               + " closed the connection without replying.");
}

void TestHttpClient::retriesTruncatedBody()
{
    HttpClient client(fastOptions());
    HttpResponse response = client.perform(get(a("/truncated?id=t1&fail=1")));
    QVERIFY(response.transportOk());
    QCOMPARE(response.body, std::string("done 2"));
    QCOMPARE(response.attempts, 2);

    HttpOptions options = fastOptions();
    options.maxRetries = 0;
    HttpClient once(options);
    HttpResponse failed = once.perform(get(a("/truncated?id=t2&fail=100")));
    QCOMPARE(failed.error, "The reply from 127.0.0.1:" + std::to_string(m_portA)
                               + " ended before it was complete.");
    QVERIFY(failed.body.empty());
}

void TestHttpClient::nonIdempotentNotRetriedAfterDrop()
{
    HttpClient client(fastOptions());
    HttpRequest create = get(a("/drop?id=ni&fail=1"));
    create.method = "POST";
    create.idempotent = false;
    HttpResponse response = client.perform(create);
    QVERIFY(!response.transportOk());
    QCOMPARE(response.attempts, 1);
    QCOMPARE(hits("ni"), 1);

    // ...but a refusal (503) says the server did nothing, so it is retried.
    HttpRequest refused = get(a("/flaky?id=ni503&fail=1&status=503"));
    refused.method = "POST";
    refused.idempotent = false;
    QCOMPARE(client.perform(refused).attempts, 2);
}

void TestHttpClient::totalTimeoutPerAttempt()
{
    HttpOptions options = fastOptions();
    options.totalTimeoutMs = 300;
    options.maxRetries = 1;
    HttpClient client(options);
    QElapsedTimer timer;
    timer.start();
    HttpResponse response = client.perform(get(a("/delay?ms=3000")));
    QVERIFY2(timer.elapsed() >= 600, qPrintable(QString::number(timer.elapsed())));
    QVERIFY2(timer.elapsed() < 1500, qPrintable(QString::number(timer.elapsed())));
    QCOMPARE(response.attempts, 2);
    QCOMPARE(response.error, "The server at 127.0.0.1:" + std::to_string(m_portA)
                                 + " did not answer within 0.3 s.");
}

void TestHttpClient::lowSpeedAbort()
{
    HttpOptions options = fastOptions();
    options.lowSpeedLimitBytes = 1000;
    options.lowSpeedTimeSec = 1;
    options.maxRetries = 0;
    HttpClient client(options);
    QElapsedTimer timer;
    timer.start();
    HttpResponse response = client.perform(get(a("/delay?ms=3000")));
    QVERIFY2(timer.elapsed() < 2500, qPrintable(QString::number(timer.elapsed())));
    QCOMPARE(response.error, "The server at 127.0.0.1:" + std::to_string(m_portA)
                                 + " sent less than 1000 bytes/s for 1 s.");
}

void TestHttpClient::connectionRefused()
{
    HttpOptions options = fastOptions();
    options.maxRetries = 2;
    HttpClient client(options);
    const std::string port = std::to_string(m_closedPort);
    HttpResponse response = client.perform(get("http://127.0.0.1:" + port + "/api"));
    QCOMPARE(response.status, 0);
    QCOMPARE(response.attempts, 3);
    QCOMPARE(response.error, "Could not connect to 127.0.0.1:" + port + ": connection refused.");
}

void TestHttpClient::proxyFromEnvironment()
{
    // Server B plays the proxy: it gets the absolute URL and answers for the unresolvable host.
    qputenv("http_proxy", QByteArray::fromStdString(m_b));
    HttpClient client;
    HttpResponse response = client.perform(get("http://mlflow.invalid/echo"));
    qunsetenv("http_proxy");
    QVERIFY2(response.transportOk(), response.error.c_str());
    QCOMPARE(response.body, std::string("GET||"));
}

void TestHttpClient::cancelDuringSlowRequest()
{
    Collector collector;
    HttpClient client;
    const uint64_t token = client.send(get(a("/delay?ms=5000")), collector.callback());
    std::this_thread::sleep_for(std::chrono::milliseconds(150));
    QElapsedTimer timer;
    timer.start();
    client.cancel(token);
    QVERIFY(collector.waitFor(1, 2000));
    QVERIFY2(timer.elapsed() < 200, qPrintable(QString::number(timer.elapsed())));
    const HttpResponse response = collector.responses().front();
    QVERIFY(response.cancelled);
    QVERIFY(!response.transportOk());
    QCOMPARE(response.token, token);
    QCOMPARE(response.status, 0);
}

void TestHttpClient::cancelDuringBackoff()
{
    Collector collector;
    HttpClient client;
    const uint64_t token =
        client.send(get(a("/flaky?id=cb&fail=10&status=503&ra=5")), collector.callback());
    for (int i = 0; i < 100 && hits("cb") < 1; ++i)
        std::this_thread::sleep_for(std::chrono::milliseconds(10));
    std::this_thread::sleep_for(std::chrono::milliseconds(50)); // now waiting out Retry-After
    QElapsedTimer timer;
    timer.start();
    client.cancel(token);
    QVERIFY(collector.waitFor(1, 2000));
    QVERIFY2(timer.elapsed() < 200, qPrintable(QString::number(timer.elapsed())));
    const HttpResponse response = collector.responses().front();
    QVERIFY(response.cancelled);
    QCOMPARE(response.attempts, 1);
    QCOMPARE(hits("cb"), 1);
}

void TestHttpClient::cancelAllCancelsEverything()
{
    Collector collector;
    HttpOptions options;
    options.maxParallel = 2; // some running, some queued
    HttpClient client(options);
    for (int i = 0; i < 5; ++i)
        client.send(get(a("/delay?ms=3000")), collector.callback());
    client.send(get(a("/flaky?id=ca&fail=10&status=503&ra=5")), collector.callback());
    std::this_thread::sleep_for(std::chrono::milliseconds(100));
    QElapsedTimer timer;
    timer.start();
    client.cancelAll();
    QVERIFY(collector.waitFor(6, 2000));
    QVERIFY2(timer.elapsed() < 200, qPrintable(QString::number(timer.elapsed())));
    for (const HttpResponse &response : collector.responses())
        QVERIFY(response.cancelled);
    // The client stays usable.
    QCOMPARE(client.perform(get(a("/ok"))).status, 200);
}

void TestHttpClient::tokensAndStaleCancel()
{
    Collector collector;
    HttpClient client;
    const uint64_t slow = client.send(get(a("/delay?ms=400")), collector.callback());
    const uint64_t fast = client.send(get(a("/delay?ms=100")), collector.callback());
    QVERIFY(slow != fast);
    QVERIFY(collector.waitFor(1));
    QCOMPARE(collector.responses().front().token, fast);
    client.cancel(fast); // finished already: ignored
    client.cancel(123456789); // never existed: ignored
    QVERIFY(collector.waitFor(2));
    const std::vector<HttpResponse> responses = collector.responses();
    QCOMPARE(responses.size(), size_t(2));
    QCOMPARE(responses[1].token, slow);
    QVERIFY(responses[1].transportOk());
    QCOMPARE(responses[1].status, 200);
}

void TestHttpClient::bearerKeptOnSameHostRedirect()
{
    HttpOptions options;
    options.auth.kind = HttpAuth::Kind::Bearer;
    options.auth.token = "tok-123\n"; // as read from a token file
    HttpClient client(options);
    HttpResponse response = client.perform(get(a("/redirect?to=/auth")));
    QCOMPARE(response.body, std::string("Bearer tok-123|none"));
    QCOMPARE(response.redirects, 1);
    QCOMPARE(response.attempts, 1);
    QCOMPARE(response.effectiveUrl, a("/auth"));
}

void TestHttpClient::bearerNotForwardedToOtherPort()
{
    HttpOptions options;
    options.auth.kind = HttpAuth::Kind::Bearer;
    options.auth.token = "tok-123";
    HttpClient client(options);
    HttpRequest request = get(a("/redirect?to=" + urlEncode(b("/auth"))));
    request.headers = {"Authorization: Bearer other", "X-Extra: kept"};
    HttpResponse response = client.perform(request);
    QCOMPARE(response.status, 200);
    QCOMPARE(response.body, std::string("none|kept"));
    QCOMPARE(response.effectiveUrl, b("/auth"));
}

void TestHttpClient::bearerNotForwardedToOtherHostName()
{
    HttpOptions options;
    options.auth.kind = HttpAuth::Kind::Bearer;
    options.auth.token = "tok-123";
    HttpClient client(options);
    const std::string target = "http://localhost:" + std::to_string(m_portA) + "/auth";
    HttpResponse response = client.perform(get(a("/redirect?to=" + urlEncode(target))));
    QCOMPARE(response.status, 200);
    QCOMPARE(response.body, std::string("none|none"));
}

void TestHttpClient::credentialsStayOffAfterLeavingOrigin()
{
    HttpOptions options;
    options.auth.kind = HttpAuth::Kind::Bearer;
    options.auth.token = "tok-123";
    HttpClient client(options);
    // A -> B -> A: B chose the final path on A, so A must not get the token either.
    const std::string back = b("/redirect?to=" + urlEncode(a("/auth")));
    HttpResponse response = client.perform(get(a("/redirect?to=" + urlEncode(back))));
    QCOMPARE(response.redirects, 2);
    QCOMPARE(response.body, std::string("none|none"));
}

void TestHttpClient::basicAuth()
{
    HttpOptions options;
    options.auth.kind = HttpAuth::Kind::Basic;
    options.auth.username = "alice";
    options.auth.password = "s3cret";
    HttpClient client(options);
    QCOMPARE(client.perform(get(a("/basic"))).status, 200);
    QCOMPARE(client.perform(get(a("/redirect?to=/basic"))).status, 200);
    QCOMPARE(client.perform(get(a("/redirect?to=" + urlEncode(b("/basic"))))).status, 401);
    QCOMPARE(client.perform(get(a("/redirect?to=" + urlEncode(b("/auth"))))).body,
             std::string("none|none"));

    HttpClient anonymous;
    QCOMPARE(anonymous.perform(get(a("/basic"))).status, 401);
}

void TestHttpClient::redirectMethodRules()
{
    HttpClient client;
    HttpRequest post = get(a("/redirect?code=303&to=/echo"));
    post.method = "POST";
    post.body = "{}";
    QCOMPARE(client.perform(post).body, std::string("GET||"));
    post.url = a("/redirect?code=302&to=/echo");
    QCOMPARE(client.perform(post).body, std::string("GET||"));
    post.url = a("/redirect?code=307&to=/echo");
    QCOMPARE(client.perform(post).body, std::string("POST|application/json|{}"));
    post.url = a("/redirect?code=308&to=/echo");
    QCOMPARE(client.perform(post).body, std::string("POST|application/json|{}"));
}

void TestHttpClient::tooManyRedirects()
{
    HttpClient client;
    HttpResponse response = client.perform(get(a("/loop")));
    QCOMPARE(response.redirects, 5);
    QCOMPARE(response.status, 0);
    QCOMPARE(response.error, "The server at 127.0.0.1:" + std::to_string(m_portA)
                                 + " redirected more than 5 times.");
}

void TestHttpClient::errorsRedactSecrets()
{
    HttpOptions options = fastOptions();
    options.maxRetries = 0;
    options.auth.kind = HttpAuth::Kind::Bearer;
    options.auth.token = "tok-secret";
    HttpClient client(options);
    const std::string port = std::to_string(m_closedPort);
    HttpRequest request = get("http://bob:hunter2@127.0.0.1:" + port + "/api?token=abc");
    request.headers = {"Authorization: Bearer hdr-secret"};
    HttpResponse response = client.perform(request);
    QCOMPARE(response.error, "Could not connect to 127.0.0.1:" + port + ": connection refused.");
    for (const char *secret : {"bob", "hunter2", "tok-secret", "hdr-secret", "abc"})
        QVERIFY(response.error.find(secret) == std::string::npos);
    QVERIFY(response.effectiveUrl.find("hunter2") == std::string::npos);
}

void TestHttpClient::invalidUrl()
{
    HttpClient client;
    HttpResponse response = client.perform(get("ftp://bob:hunter2@files/x?token=abc"));
    QCOMPARE(response.error,
             std::string("The address ftp://files/x?token=*** is not an http or https URL."));
    QCOMPARE(response.attempts, 0);
    QVERIFY(!client.perform(get("not a url")).transportOk());
}

void TestHttpClient::headerInjectionRejected()
{
    HttpClient client;
    HttpRequest request = get(a("/auth"));
    request.headers = {"X-Extra: a\r\nAuthorization: Bearer forged"};
    HttpResponse response = client.perform(request);
    QCOMPARE(response.error, std::string("A request header contains a line break."));
    QCOMPARE(response.attempts, 0);

    HttpOptions options;
    options.auth.kind = HttpAuth::Kind::Bearer;
    options.auth.token = "tok\r\nX-Evil: 1";
    HttpClient bad(options);
    QCOMPARE(bad.perform(get(a("/auth"))).error,
             std::string("The credentials contain a line break."));
}

void TestHttpClient::performFromCallbackFails()
{
    Collector collector;
    HttpClient client;
    std::string nestedError;
    client.send(get(a("/ok")), [&](HttpResponse) {
        nestedError = client.perform(get(a("/ok"))).error;
        collector.callback()(HttpResponse{});
    });
    QVERIFY(collector.waitFor(1));
    QVERIFY(!nestedError.empty());
}

void TestHttpClient::throwingCallbackDoesNotKillClient()
{
    HttpClient client;
    client.send(get(a("/ok")), [](HttpResponse) { throw std::runtime_error("boom"); });
    QCOMPARE(client.perform(get(a("/ok"))).status, 200);
}

void TestHttpClient::destructorWithTransfersInFlight()
{
    Collector collector;
    auto client = std::make_unique<HttpClient>(fastOptions());
    for (int i = 0; i < 4; ++i)
        client->send(get(a("/delay?ms=5000")), collector.callback());
    client->send(get(a("/flaky?id=dtor&fail=10&status=503&ra=5")), collector.callback());
    std::this_thread::sleep_for(std::chrono::milliseconds(150));
    QElapsedTimer timer;
    timer.start();
    client.reset();
    QVERIFY2(timer.elapsed() < 500, qPrintable(QString::number(timer.elapsed())));
    const std::vector<HttpResponse> responses = collector.responses();
    QCOMPARE(responses.size(), size_t(5)); // every callback ran, none after the destructor
    for (const HttpResponse &response : responses)
        QVERIFY(response.cancelled);
}

void TestHttpClient::statsAreCounted()
{
    HttpClient client(fastOptions());
    client.perform(get(a("/flaky?id=st&fail=1&status=503")));
    client.perform(get(a("/redirect?to=/ok")));
    const HttpStats stats = client.stats();
    QCOMPARE(stats.requestsStarted, uint64_t(2));
    QCOMPARE(stats.attempts, uint64_t(3));
    QCOMPARE(stats.retries, uint64_t(1));
    QCOMPARE(stats.redirects, uint64_t(1));
    QCOMPARE(stats.bytesReceived, uint64_t(std::string("busy" "done 2" "" "ok").size()));
    QCOMPARE(client.options().maxParallel, 8);
}

QTEST_GUILESS_MAIN(TestHttpClient)

#include "tst_httpclient.moc"
