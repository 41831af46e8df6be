// SPDX-License-Identifier: GPL-3.0-or-later
// Runs the real sightline binary for command-line tests: exit code, stdout and stderr.
#pragma once

#include <QProcess>
#include <QProcessEnvironment>
#include <QString>
#include <QStringList>

namespace sightline::test {

struct Outcome {
    int code = -1; // -1 when the process crashed or timed out
    QString out;
    QString err;
};

inline Outcome runSightline(const QStringList &args, int timeoutMs = 120000,
                           const QProcessEnvironment &env = QProcessEnvironment::systemEnvironment())
{
    QProcess p;
    p.setProcessEnvironment(env);
    p.start(QStringLiteral(SIGHTLINE_BINARY), args);
    if (!p.waitForFinished(timeoutMs)) {
        p.kill();
        p.waitForFinished();
        return {};
    }
    return {p.exitStatus() == QProcess::NormalExit ? p.exitCode() : -1,
            QString::fromUtf8(p.readAllStandardOutput()),
            QString::fromUtf8(p.readAllStandardError())};
}

} // namespace sightline::test
