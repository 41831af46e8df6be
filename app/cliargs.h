// SPDX-License-Identifier: GPL-3.0-or-later
// Command-line plumbing shared by the sightline commands: option parsing (--name value,
// --name=value, flags), one-line errors on stderr, and a server connection from the options.
#pragma once

#include "cli.h"
#include "mlflow/client.h"

#include <QString>
#include <QStringList>

#include <map>
#include <string>

namespace sightline {

struct Args {
    std::map<QString, QStringList> options; // --name -> values (repeatable)
    QStringList positional;
    QString error;

    bool has(const QString &name) const { return options.count(name) > 0; }
    QString value(const QString &name, const QString &fallback = {}) const
    {
        auto it = options.find(name);
        return it == options.end() || it->second.isEmpty() ? fallback : it->second.back();
    }
    QStringList values(const QString &name) const
    {
        auto it = options.find(name);
        return it == options.end() ? QStringList() : it->second;
    }
};

// Parses args[from...]: options listed in `withValue` take a value, those in `flags` do not.
Args parseArgs(const QStringList &args, int from, const QStringList &withValue,
               const QStringList &flags);

// Prints "sightline: MESSAGE" (on one line) to stderr and returns `code`.
int fail(const std::string &message, int code = ExitFailure);
int fail(const QString &message, int code = ExitFailure);
int fail(const char *message, int code = ExitFailure);

// Counts UTF-8 code points, which is close enough to terminal columns for table output.
size_t displayWidth(const std::string &s);

// The server from --server (else MLFLOW_TRACKING_URI), credentials from the MLFLOW_TRACKING_*
// variables, --insecure and --ca-file. Empty baseUrl and `error` set when it is missing or bad.
MlflowConnection connectionFromArgs(const Args &args, std::string &error);

} // namespace sightline
