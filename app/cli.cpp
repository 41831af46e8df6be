// SPDX-License-Identifier: GPL-3.0-or-later
#include "cli.h"

#include "demo/demoworkspace.h"
#include "mlflow/client.h"
#include "query/columns.h"
#include "query/filter.h"
#include "store/store.h"
#include "sync/syncengine.h"

#include <nlohmann/json.hpp>

#include <QFileInfo>

#include <algorithm>
#include <chrono>
#include <cmath>
#include <cstdio>
#include <iostream>
#include <map>
#include <optional>
#include <unistd.h>

namespace sightline {

int renderCommand(const QStringList &args); // render.cpp

namespace {

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

int fail(const std::string &message, int code = ExitFailure)
{
    std::string m = message;
    std::replace(m.begin(), m.end(), '\n', ' ');
    std::cerr << "sightline: " << m << std::endl;
    return code;
}

int fail(const QString &message, int code = ExitFailure)
{
    return fail(message.toStdString(), code);
}

int fail(const char *message, int code = ExitFailure)
{
    return fail(std::string(message), code);
}

std::string csvField(const std::string &s)
{
    if (s.find_first_of(",\"\r\n") == std::string::npos)
        return s;
    std::string out = "\"";
    for (char c : s) {
        if (c == '"')
            out += '"';
        out += c;
    }
    return out + "\"";
}

// Counts UTF-8 code points, which is close enough to terminal columns for table output.
size_t displayWidth(const std::string &s)
{
    size_t n = 0;
    for (unsigned char c : s)
        n += (c & 0xC0) != 0x80;
    return n;
}

std::string elide(const std::string &s, size_t width)
{
    if (displayWidth(s) <= width)
        return s;
    std::string out;
    size_t n = 0;
    for (size_t i = 0; i < s.size(); ++i) {
        unsigned char c = static_cast<unsigned char>(s[i]);
        if ((c & 0xC0) != 0x80) {
            if (n + 1 >= width)
                break;
            ++n;
        }
        out += s[i];
    }
    return out + "…";
}

std::string sanitizeForTerminal(std::string s)
{
    for (char &c : s)
        if (static_cast<unsigned char>(c) < 0x20 || c == 0x7f)
            c = ' ';
    return s;
}

std::optional<std::string> workspaceOf(const Args &a, std::string &error)
{
    QString w = a.value(QStringLiteral("workspace"));
    if (w.isEmpty()) {
        error = "Give the workspace file with --workspace FILE.";
        return std::nullopt;
    }
    return w.toStdString();
}

int demoCommand(const QStringList &args)
{
    Args a = parseArgs(args, 2, {QStringLiteral("out"), QStringLiteral("long-steps"),
                                 QStringLiteral("seed")}, {QStringLiteral("quiet")});
    if (!a.error.isEmpty())
        return fail(a.error, ExitUsage);
    QString out = a.value(QStringLiteral("out"));
    if (out.isEmpty())
        return fail(QStringLiteral("Give the file to write with --out FILE."), ExitUsage);
    DemoOptions options;
    bool ok = true;
    if (a.has(QStringLiteral("long-steps")))
        options.longRunSteps = a.value(QStringLiteral("long-steps")).toInt(&ok);
    if (!ok || options.longRunSteps < 10 || options.longRunSteps > 10'000'000)
        return fail(QStringLiteral("--long-steps takes a number from 10 to 10000000."), ExitUsage);
    if (a.has(QStringLiteral("seed")))
        options.seed = a.value(QStringLiteral("seed")).toULongLong(&ok);
    if (!ok)
        return fail(QStringLiteral("--seed takes a whole number."), ExitUsage);
    const bool tty = isatty(2) && !a.has(QStringLiteral("quiet"));
    auto result = writeDemoWorkspace(out.toStdString(), options, [&](int percent) {
        if (tty)
            std::cerr << "\rWriting demo workspace… " << percent << "%" << std::flush;
    });
    if (tty)
        std::cerr << "\r\033[K";
    if (!result)
        return fail(result.error().message);
    std::cout << "Wrote " << out.toStdString() << ": " << result->experiments << " experiments, "
              << result->runs << " runs, " << result->points << " metric points, "
              << result->registeredModels << " registered models." << std::endl;
    return ExitOk;
}

int syncCommand(const QStringList &args)
{
    Args a = parseArgs(args, 2,
                       {QStringLiteral("server"), QStringLiteral("workspace"),
                        QStringLiteral("experiment"), QStringLiteral("parallel"),
                        QStringLiteral("ca-file")},
                       {QStringLiteral("no-registry"), QStringLiteral("insecure"),
                        QStringLiteral("quiet")});
    if (!a.error.isEmpty())
        return fail(a.error, ExitUsage);
    std::string err;
    auto workspace = workspaceOf(a, err);
    if (!workspace)
        return fail(err, ExitUsage);
    MlflowConnection conn;
    conn.baseUrl = a.value(QStringLiteral("server")).toStdString();
    conn.applyEnvironment();
    if (conn.baseUrl.empty())
        return fail(QStringLiteral("Give the server with --server URL (or set MLFLOW_TRACKING_URI)."),
                    ExitUsage);
    if (conn.baseUrl.rfind("http://", 0) != 0 && conn.baseUrl.rfind("https://", 0) != 0)
        return fail("The server address must start with http:// or https://.", ExitUsage);
    if (a.has(QStringLiteral("insecure")))
        conn.insecureTls = true;
    if (a.has(QStringLiteral("ca-file")))
        conn.caBundlePath = a.value(QStringLiteral("ca-file")).toStdString();
    SyncOptions options;
    for (const auto &e : a.values(QStringLiteral("experiment")))
        options.experimentNames.push_back(e.toStdString());
    options.registry = !a.has(QStringLiteral("no-registry"));
    HttpOptions http;
    if (a.has(QStringLiteral("parallel"))) {
        bool ok = false;
        int n = a.value(QStringLiteral("parallel")).toInt(&ok);
        if (!ok || n < 1 || n > 64)
            return fail("--parallel takes a number from 1 to 64.", ExitUsage);
        options.maxInFlight = n;
        http.maxParallel = n;
    }

    auto store = Store::open(*workspace);
    if (!store)
        return fail(store.error().message);
    MlflowClient client(conn, http);
    SyncEngine engine(**store, client);
    const bool tty = isatty(2) && !a.has(QStringLiteral("quiet"));
    engine.setProgressCallback([&](const SyncProgress &p) {
        if (!tty)
            return;
        std::cerr << "\r\033[K" << p.message;
        if (p.total > 0)
            std::cerr << " " << p.done << "/" << p.total;
        std::cerr << std::flush;
    });
    auto report = engine.run(options);
    if (tty)
        std::cerr << "\r\033[K";
    if (!report)
        return fail(report.error().message);
    for (const auto &w : report->warnings)
        std::cerr << "sightline: warning: " << w << std::endl;
    char secs[32];
    std::snprintf(secs, sizeof secs, "%.2f", report->seconds);
    std::cout << "Synced " << report->experiments << " experiments, " << report->runs << " runs ("
              << report->runsRemoved << " removed), " << report->historiesFetched
              << " histories fetched (" << report->historiesSkipped << " unchanged), "
              << report->points << " points, " << report->registeredModels << " models, "
              << report->modelVersions << " versions in " << secs << " s with "
              << report->requests << " requests." << std::endl;
    return report->warnings.empty() ? ExitOk : ExitFailure;
}

int runsCommand(const QStringList &args)
{
    Args a = parseArgs(args, 2,
                       {QStringLiteral("workspace"), QStringLiteral("experiment"),
                        QStringLiteral("filter"), QStringLiteral("columns"),
                        QStringLiteral("format"), QStringLiteral("limit")},
                       {});
    if (!a.error.isEmpty())
        return fail(a.error, ExitUsage);
    std::string err;
    auto workspace = workspaceOf(a, err);
    if (!workspace)
        return fail(err, ExitUsage);
    const QString format = a.value(QStringLiteral("format"), QStringLiteral("table"));
    if (format != QLatin1String("table") && format != QLatin1String("csv")
        && format != QLatin1String("json"))
        return fail("--format takes table, csv or json.", ExitUsage);
    std::vector<RunColumn> columns = defaultRunColumns();
    if (a.has(QStringLiteral("columns"))) {
        auto parsed = parseRunColumns(a.value(QStringLiteral("columns")).toStdString());
        if (!parsed)
            return fail(parsed.error().message, ExitUsage);
        columns = *parsed;
    }
    const std::string filterText = a.value(QStringLiteral("filter")).toStdString();
    auto filter = RunFilter::parse(filterText);
    if (!filter)
        return fail("Invalid filter: " + filter.error().message, ExitUsage);
    long limit = -1;
    if (a.has(QStringLiteral("limit"))) {
        bool ok = false;
        limit = a.value(QStringLiteral("limit")).toLong(&ok);
        if (!ok || limit < 0)
            return fail("--limit takes a whole number.", ExitUsage);
    }
    if (!QFileInfo::exists(QString::fromStdString(*workspace)))
        return fail("No workspace file at " + *workspace + ".");
    auto store = Store::open(*workspace, Store::Mode::ReadOnly);
    if (!store)
        return fail(store.error().message);

    std::map<std::string, std::string> experimentNames;
    for (const auto &e : (*store)->experiments())
        experimentNames[e.experimentId] = e.name;
    std::vector<std::string> ids;
    for (const auto &name : a.values(QStringLiteral("experiment"))) {
        auto it = std::find_if(experimentNames.begin(), experimentNames.end(),
                               [&](const auto &kv) { return kv.second == name.toStdString(); });
        if (it == experimentNames.end())
            return fail("The workspace has no experiment named '" + name.toStdString() + "'.");
        ids.push_back(it->first);
    }
    auto records = (*store)->runRecords(ids);
    std::vector<const RunRecord *> rows;
    for (const auto &r : records)
        if (filter->matches(r.run) && (limit < 0 || static_cast<long>(rows.size()) < limit))
            rows.push_back(&r);

    auto cells = [&](const RunRecord &r) {
        std::vector<CellValue> out;
        auto en = experimentNames.find(r.run.experimentId);
        for (const auto &c : columns)
            out.push_back(cellValue(r, c, en == experimentNames.end() ? std::string() : en->second));
        return out;
    };

    if (format == QLatin1String("json")) {
        nlohmann::json arr = nlohmann::json::array();
        for (const auto *r : rows) {
            nlohmann::json o = nlohmann::json::object();
            auto cs = cells(*r);
            for (size_t i = 0; i < columns.size(); ++i) {
                const auto &c = cs[i];
                const auto &col = columns[i];
                if (!c.present)
                    o[col.title()] = nullptr;
                else if (col.kind == RunColumn::Kind::Metric)
                    o[col.title()] = std::isfinite(c.number) ? nlohmann::json(c.number)
                                                             : nlohmann::json(c.text);
                else if (col.kind == RunColumn::Kind::Attribute
                         && (col.key == "start_time" || col.key == "end_time"))
                    o[col.title()] = static_cast<int64_t>(c.number);
                else
                    o[col.title()] = c.text;
            }
            arr.push_back(std::move(o));
        }
        std::cout << arr.dump(2, ' ', false, nlohmann::json::error_handler_t::replace) << std::endl;
        return ExitOk;
    }
    if (format == QLatin1String("csv")) {
        for (size_t i = 0; i < columns.size(); ++i)
            std::cout << (i ? "," : "") << csvField(columns[i].title());
        std::cout << "\r\n";
        for (const auto *r : rows) {
            auto cs = cells(*r);
            for (size_t i = 0; i < cs.size(); ++i)
                std::cout << (i ? "," : "") << csvField(cs[i].text);
            std::cout << "\r\n";
        }
        std::cout.flush();
        return ExitOk;
    }
    // Table: widths from the content, capped so one long param cannot blow the layout up.
    constexpr size_t kMaxWidth = 40;
    std::vector<size_t> widths;
    for (const auto &c : columns)
        widths.push_back(std::min(kMaxWidth, displayWidth(c.title())));
    std::vector<std::vector<std::string>> table;
    for (const auto *r : rows) {
        std::vector<std::string> line;
        auto cs = cells(*r);
        for (size_t i = 0; i < cs.size(); ++i) {
            line.push_back(sanitizeForTerminal(cs[i].text));
            widths[i] = std::min(kMaxWidth, std::max(widths[i], displayWidth(line.back())));
        }
        table.push_back(std::move(line));
    }
    auto printLine = [&](const std::vector<std::string> &line, const std::vector<bool> &right) {
        std::string out;
        for (size_t i = 0; i < line.size(); ++i) {
            std::string s = elide(line[i], widths[i]);
            std::string pad(widths[i] - displayWidth(s), ' ');
            out += (i ? "  " : "") + (right[i] ? pad + s : s + (i + 1 < line.size() ? pad : ""));
        }
        std::cout << out << "\n";
    };
    std::vector<bool> right;
    std::vector<std::string> header;
    for (const auto &c : columns) {
        right.push_back(c.kind == RunColumn::Kind::Metric);
        header.push_back(c.title());
    }
    printLine(header, std::vector<bool>(columns.size(), false));
    for (const auto &line : table)
        printLine(line, right);
    std::cout << rows.size() << " of " << records.size() << " runs" << std::endl;
    return ExitOk;
}

} // namespace

QString cliUsage()
{
    return QStringLiteral(
        "Usage:\n"
        "  sightline [--demo] [--workspace FILE]   open the workbench (GUI)\n"
        "  sightline demo --out FILE [--long-steps N]\n"
        "  sightline sync --server URL --workspace FILE [--experiment NAME]... [--parallel N]\n"
        "                 [--no-registry] [--insecure] [--ca-file FILE]\n"
        "  sightline runs --workspace FILE [--experiment NAME]... [--filter EXPR]\n"
        "                 [--columns LIST] [--format table|csv|json] [--limit N]\n"
        "  sightline render --workspace FILE --pane runs --out FILE.png [--size WxH]\n"
        "                 [--filter EXPR]\n"
        "\n"
        "Server credentials come from MLFLOW_TRACKING_TOKEN or MLFLOW_TRACKING_USERNAME and\n"
        "MLFLOW_TRACKING_PASSWORD; MLFLOW_TRACKING_URI sets the default server.\n");
}

bool isCliCommand(const QString &first)
{
    return first == QLatin1String("demo") || first == QLatin1String("sync")
        || first == QLatin1String("runs") || first == QLatin1String("render")
        || first == QLatin1String("help") || first == QLatin1String("--help")
        || first == QLatin1String("-h");
}

int runCli(const QStringList &args)
{
    const QString cmd = args.value(1);
    try {
        if (cmd == QLatin1String("demo"))
            return demoCommand(args);
        if (cmd == QLatin1String("sync"))
            return syncCommand(args);
        if (cmd == QLatin1String("runs"))
            return runsCommand(args);
        if (cmd == QLatin1String("render"))
            return renderCommand(args);
        std::cout << cliUsage().toStdString();
        return ExitOk;
    } catch (const std::exception &e) {
        return fail(std::string("Unexpected error: ") + e.what());
    }
}

} // namespace sightline
