// SPDX-License-Identifier: GPL-3.0-or-later
#include "cliargs.h"

#include <algorithm>
#include <iostream>

namespace sightline {

// --name value, --name=value, and flags (names listed in `flags`).
Args parseArgs(const QStringList &args, int from, const QStringList &withValue,
               const QStringList &flags)
{
    Args a;
    for (int i = from; i < args.size(); ++i) {
        QString arg = args[i];
        if (!arg.startsWith(QLatin1String("--")) || arg == QLatin1String("--")) {
            a.positional << arg;
            continue;
        }
        QString name = arg.mid(2);
        QString value;
        bool inlineValue = false;
        if (int eq = name.indexOf(QLatin1Char('=')); eq >= 0) {
            value = name.mid(eq + 1);
            name = name.left(eq);
            inlineValue = true;
        }
        if (flags.contains(name)) {
            a.options[name] << QStringLiteral("1");
        } else if (withValue.contains(name)) {
            if (!inlineValue) {
                if (i + 1 >= args.size()) {
                    a.error = QStringLiteral("Option --%1 needs a value.").arg(name);
                    return a;
                }
                value = args[++i];
            }
            a.options[name] << value;
        } else {
            a.error = QStringLiteral("Unknown option --%1.").arg(name);
            return a;
        }
    }
    return a;
}

int fail(const std::string &message, int code)
{
    std::string m = message;
    std::replace(m.begin(), m.end(), '\n', ' ');
    std::cerr << "sightline: " << m << std::endl;
    return code;
}

int fail(const QString &message, int code)
{
    return fail(message.toStdString(), code);
}

int fail(const char *message, int code)
{
    return fail(std::string(message), code);
}

size_t displayWidth(const std::string &s)
{
    size_t n = 0;
    for (unsigned char c : s)
        n += (c & 0xC0) != 0x80;
    return n;
}

MlflowConnection connectionFromArgs(const Args &a, std::string &error)
{
    MlflowConnection conn;
    conn.baseUrl = a.value(QStringLiteral("server")).toStdString();
    conn.applyEnvironment();
    if (conn.baseUrl.empty()) {
        error = "Give the server with --server URL (or set MLFLOW_TRACKING_URI).";
        return conn;
    }
    if (conn.baseUrl.rfind("http://", 0) != 0 && conn.baseUrl.rfind("https://", 0) != 0) {
        error = "The server address must start with http:// or https://.";
        conn.baseUrl.clear();
        return conn;
    }
    if (a.has(QStringLiteral("insecure")))
        conn.insecureTls = true;
    if (a.has(QStringLiteral("ca-file")))
        conn.caBundlePath = a.value(QStringLiteral("ca-file")).toStdString();
    return conn;
}

} // namespace sightline
