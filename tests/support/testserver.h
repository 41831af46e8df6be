// SPDX-License-Identifier: GPL-3.0-or-later
// Starts the MLflow test server (mlflow_test_server.py) on 127.0.0.1 for one test, with a time
// bound, and drives its control endpoints (faults, statistics). Stopped by the destructor.
#pragma once

#include "mlflow/client.h"
#include "net/httpclient.h"

#include <QDir>
#include <QElapsedTimer>
#include <QFile>
#include <QProcess>
#include <QStandardPaths>
#include <QTemporaryDir>
#include <QThread>

#include <nlohmann/json.hpp>

#include <string>

namespace sightline::test {

class TestServer {
public:
    // `args`: e.g. {"--fixtures", dir} or {"--generate", "experiments=2,runs=50,..."}.
    explicit TestServer(const QStringList &args, int maxSeconds = 600)
    {
        const QString portFile = m_dir.filePath(QStringLiteral("port"));
        QStringList all{QStringLiteral(SIGHTLINE_TEST_SERVER), QStringLiteral("--host"),
                        QStringLiteral("127.0.0.1"), QStringLiteral("--port"), QStringLiteral("0"),
                        QStringLiteral("--port-file"), portFile, QStringLiteral("--max-seconds"),
                        QString::number(maxSeconds)};
        all += args;
        m_process.setProcessChannelMode(QProcess::ForwardedErrorChannel);
        m_process.start(python(), all);
        if (!m_process.waitForStarted(20000)) {
            qWarning("cannot start the MLflow test server: %s",
                     qPrintable(m_process.errorString()));
            return;
        }
        QElapsedTimer t;
        t.start();
        while (t.elapsed() < 60000) {
            QFile f(portFile);
            if (f.open(QIODevice::ReadOnly)) {
                m_port = f.readAll().trimmed().toInt();
                if (m_port > 0)
                    break;
            }
            if (m_process.state() == QProcess::NotRunning)
                break;
            QThread::msleep(30);
        }
    }

    ~TestServer() { stop(); }

    static QString python()
    {
        QString p = QStandardPaths::findExecutable(QStringLiteral("python3"));
        return p.isEmpty() ? QStringLiteral("python3") : p;
    }

    bool isRunning() const { return m_port > 0 && m_process.state() == QProcess::Running; }
    int port() const { return m_port; }
    qint64 processId() const { return m_process.processId(); }
    std::string url() const { return "http://127.0.0.1:" + std::to_string(m_port); }

    void stop()
    {
        if (m_process.state() != QProcess::NotRunning) {
            m_process.terminate();
            if (!m_process.waitForFinished(5000)) {
                m_process.kill();
                m_process.waitForFinished(5000);
            }
        }
    }

    nlohmann::json control(const std::string &method, const std::string &path,
                           const nlohmann::json &body = nullptr)
    {
        HttpOptions o;
        o.maxRetries = 0;
        HttpClient http(o);
        HttpRequest r;
        r.method = method;
        r.url = url() + path;
        if (!body.is_null())
            r.body = body.dump();
        HttpResponse resp = http.perform(r);
        return nlohmann::json::parse(resp.body, nullptr, false);
    }

    void setFaults(const nlohmann::json &faults)
    {
        control("POST", "/__control/faults", {{"faults", faults}});
    }
    void resetFaults() { control("POST", "/__control/reset", nlohmann::json::object()); }
    nlohmann::json stats() { return control("GET", "/__control/stats"); }
    void resetStats() { control("POST", "/__control/stats/reset", nlohmann::json::object()); }

    // Calls an MLflow write endpoint (runs/log-batch, runs/delete, ...) on the server.
    nlohmann::json post(const std::string &apiPath, const nlohmann::json &body)
    {
        return control("POST", "/api/2.0/mlflow/" + apiPath, body);
    }

private:
    QTemporaryDir m_dir;
    QProcess m_process;
    int m_port = 0;
};

inline MlflowConnection connectionTo(const TestServer &server)
{
    MlflowConnection c;
    c.name = "test";
    c.baseUrl = server.url();
    return c;
}

// Requests the server answered whose path contains `needle`, from its /__control/stats.
inline int requestsFor(const nlohmann::json &stats, const std::string &needle)
{
    int n = 0;
    if (stats.contains("by_path"))
        for (auto it = stats["by_path"].begin(); it != stats["by_path"].end(); ++it)
            if (it.key().find(needle) != std::string::npos)
                n += it.value().get<int>();
    return n;
}

} // namespace sightline::test
