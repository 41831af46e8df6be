// SPDX-License-Identifier: GPL-3.0-or-later
#include "cli.h"
#include "cliargs.h"

#include "demo/demodrift.h"
#include "demo/demoworkspace.h"
#include "drift/report.h"
#include "drift/reportformat.h"
#include "drift/table.h"
#include "lineage/driftbadge.h"
#include "mlflow/client.h"
#include "query/columns.h"
#include "query/filter.h"
#include "store/store.h"
#include "sync/syncengine.h"
#include "util/csvfield.h"

#include <nlohmann/json.hpp>

#include <QDateTime>
#include <QFileInfo>

#include <algorithm>
#include <chrono>
#include <cmath>
#include <cstdio>
#include <functional>
#include <iostream>
#include <map>
#include <optional>
#include <unistd.h>

namespace sightline {

int renderCommand(const QStringList &args); // render.cpp

namespace {

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

    // Drift demo data beside the workspace: demo.sqlite -> demo-reference.csv, demo-current.csv.
    const QString suffix = QFileInfo(out).suffix();
    const QString stem = suffix.isEmpty() ? out : out.chopped(suffix.size() + 1);
    auto drift = writeDemoDriftData((stem + QStringLiteral("-reference.csv")).toStdString(),
                                    (stem + QStringLiteral("-current.csv")).toStdString());
    if (!drift)
        return fail(drift.error().message);
    auto join = [](const std::vector<std::string> &names) {
        std::string out;
        for (const auto &n : names)
            out += (out.empty() ? "" : ", ") + n;
        return out;
    };
    std::cout << "Wrote " << drift->referencePath << " and " << drift->currentPath << ": "
              << drift->rows << " rows each for sightline drift; drift in "
              << join(drift->driftedColumns) << ", and in " << join(drift->segmentDriftColumns)
              << " for " << drift->segmentColumn << " " << drift->driftedSegment << " only."
              << std::endl;
    return ExitOk;
}

int syncCommand(const QStringList &args)
{
    Args a = parseArgs(args, 2,
                       {QStringLiteral("server"), QStringLiteral("workspace"),
                        QStringLiteral("experiment"), QStringLiteral("parallel"),
                        QStringLiteral("ca-file")},
                       {QStringLiteral("no-registry"), QStringLiteral("insecure"),
                        QStringLiteral("quiet"), QStringLiteral("full"),
                        QStringLiteral("no-bulk")});
    if (!a.error.isEmpty())
        return fail(a.error, ExitUsage);
    std::string err;
    auto workspace = workspaceOf(a, err);
    if (!workspace)
        return fail(err, ExitUsage);
    MlflowConnection conn = connectionFromArgs(a, err);
    if (conn.baseUrl.empty())
        return fail(err, ExitUsage);
    SyncOptions options;
    for (const auto &e : a.values(QStringLiteral("experiment")))
        options.experimentNames.push_back(e.toStdString());
    options.registry = !a.has(QStringLiteral("no-registry"));
    // Lists every run again rather than only new, running and deleted ones.
    options.full = a.has(QStringLiteral("full"));
    // One get-history request per history, for servers (or proxies) where the web UI's bulk
    // route misbehaves.
    options.bulkHistories = !a.has(QStringLiteral("no-bulk"));
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

// "COLUMN=VALUE", split at the last '=' because column names may hold one and values never do.
bool splitAssignment(const QString &text, std::string &column, std::string &value)
{
    const qsizetype eq = text.lastIndexOf(QLatin1Char('='));
    if (eq <= 0 || eq == text.size() - 1)
        return false;
    column = text.left(eq).toStdString();
    value = text.mid(eq + 1).toStdString();
    return true;
}

// Progress on stderr, redrawn in place, only when stderr is a terminal.
class DriftProgress {
public:
    explicit DriftProgress(bool enabled) : m_enabled(enabled) {}
    ~DriftProgress() { clear(); }
    std::function<void(double)> stage(const std::string &what)
    {
        if (!m_enabled)
            return {};
        m_stage = what;
        m_percent = -1;
        show(0.0);
        return [this](double fraction) { show(fraction); };
    }
    void clear()
    {
        if (m_enabled && !m_stage.empty())
            std::cerr << "\r\033[K" << std::flush;
        m_stage.clear();
    }

private:
    void show(double fraction)
    {
        const int percent = static_cast<int>(fraction * 100.0);
        if (percent == m_percent)
            return;
        m_percent = percent;
        std::cerr << "\r\033[K" << m_stage << "… " << percent << "%" << std::flush;
    }

    bool m_enabled;
    std::string m_stage;
    int m_percent = -1;
};

// Exit codes of `drift`, a pipeline gate: 0 no dataset drift, 1 dataset drift, 2 any error.
constexpr int kDriftError = 2;

// Keeps the report's result for the lineage graph's drift badge (sightline drift --workspace).
Result<void> recordDriftInWorkspace(const drift::DriftReport &report, const QString &workspace,
                                    const QString &dataset)
{
    std::string name, digest;
    lineage::splitDatasetSpec(dataset.toStdString(), name, digest);
    if (name.empty())
        return makeError("invalid", "--dataset takes NAME or NAME@DIGEST.");
    auto store = Store::open(workspace.toStdString());
    if (!store)
        return store.error();
    return (*store)->recordDriftResult(lineage::driftResultOf(
        report, name, digest, QDateTime::currentMSecsSinceEpoch()));
}

int driftCommand(const QStringList &args)
{
    if (args.contains(QStringLiteral("--help")) || args.contains(QStringLiteral("-h"))) {
        std::cout << cliUsage().toStdString();
        return ExitOk;
    }
    Args a = parseArgs(args, 2,
                       {QStringLiteral("profile-out"), QStringLiteral("profile"),
                        QStringLiteral("time-column"), QStringLiteral("window"),
                        QStringLiteral("segment"), QStringLiteral("method"),
                        QStringLiteral("threshold"), QStringLiteral("format"),
                        QStringLiteral("bins"), QStringLiteral("type"), QStringLiteral("threads"),
                        QStringLiteral("drift-share"), QStringLiteral("log-base"),
                        QStringLiteral("workspace"), QStringLiteral("dataset")},
                       {QStringLiteral("all-statistics"), QStringLiteral("quiet")});
    if (!a.error.isEmpty())
        return fail(a.error, kDriftError);
    if (a.has(QStringLiteral("workspace")) != a.has(QStringLiteral("dataset")))
        return fail("--workspace and --dataset go together: the report's result is recorded "
                    "for the dataset NAME[@DIGEST] in the workspace.",
                    kDriftError);
    using namespace drift;
    const QString format = a.value(QStringLiteral("format"), QStringLiteral("table"));
    if (format != QLatin1String("table") && format != QLatin1String("csv")
        && format != QLatin1String("json"))
        return fail("--format takes table, json or csv.", kDriftError);
    const bool fromProfile = a.has(QStringLiteral("profile"));
    const QString profileOut = a.value(QStringLiteral("profile-out"));
    if (fromProfile && !profileOut.isEmpty())
        return fail("Give --profile or --profile-out, not both.", kDriftError);
    if (fromProfile && a.positional.size() != 1)
        return fail("With --profile, give only the current file: sightline drift --profile FILE "
                    "CURRENT.",
                    kDriftError);
    if (!fromProfile && (a.positional.size() > 2 || a.positional.isEmpty()
                         || (a.positional.size() == 1 && profileOut.isEmpty())))
        return fail("Give the reference and the current file: sightline drift REFERENCE CURRENT.",
                    kDriftError);
    if (fromProfile && a.has(QStringLiteral("bins")))
        return fail("--bins applies when fitting a reference; the profile has its own bins.",
                    kDriftError);

    DriftOptions options;
    options.allStatistics = a.has(QStringLiteral("all-statistics"));
    bool ok = true;
    if (a.has(QStringLiteral("bins"))) {
        options.bins = a.value(QStringLiteral("bins")).toInt(&ok);
        if (!ok || options.bins < 1 || options.bins > 10000)
            return fail("--bins takes a number from 1 to 10000.", kDriftError);
    }
    if (a.has(QStringLiteral("threads"))) {
        options.threads = a.value(QStringLiteral("threads")).toInt(&ok);
        if (!ok || options.threads < 1 || options.threads > 256)
            return fail("--threads takes a number from 1 to 256.", kDriftError);
    }
    if (a.has(QStringLiteral("drift-share"))) {
        options.datasetDriftShare = a.value(QStringLiteral("drift-share")).toDouble(&ok);
        if (!ok || !(options.datasetDriftShare > 0.0 && options.datasetDriftShare <= 1.0))
            return fail("--drift-share takes a number above 0 and at most 1.", kDriftError);
    }
    if (a.has(QStringLiteral("log-base"))) {
        const QString base = a.value(QStringLiteral("log-base"));
        options.jsLogBase = base == QLatin1String("e") ? std::numbers::e : base.toDouble(&ok);
        if (!ok || !(options.jsLogBase > 0.0) || options.jsLogBase == 1.0)
            return fail("--log-base takes e or a positive number other than 1.", kDriftError);
    }
    for (const auto &m : a.values(QStringLiteral("method"))) {
        std::string column, name;
        Method method;
        if (!splitAssignment(m, column, name))
            return fail("--method takes COLUMN=METHOD, for example --method age=ks.", kDriftError);
        if (!parseMethod(name, method))
            return fail("Unknown method '" + name
                            + "'; use psi, ks, wasserstein, js, hellinger, chi2, linf or ztest.",
                        kDriftError);
        options.columns[column].method = method;
    }
    for (const auto &t : a.values(QStringLiteral("threshold"))) {
        std::string column, value;
        if (!splitAssignment(t, column, value))
            return fail("--threshold takes COLUMN=NUMBER, for example --threshold age=0.2.",
                        kDriftError);
        const double x = QString::fromStdString(value).toDouble(&ok);
        if (!ok || !std::isfinite(x))
            return fail("The threshold '" + value + "' of column " + column + " is not a number.",
                        kDriftError);
        options.columns[column].threshold = x;
    }
    CsvOptions csv;
    csv.threads = options.threads;
    for (const auto &t : a.values(QStringLiteral("type"))) {
        std::string column, value;
        ColumnType type;
        if (!splitAssignment(t, column, value) || !parseColumnType(value, type))
            return fail("--type takes COLUMN=numeric|categorical|boolean|timestamp.",
                        kDriftError);
        csv.typeOverrides[column] = type;
    }
    if (a.has(QStringLiteral("time-column")))
        options.timeColumn = a.value(QStringLiteral("time-column")).toStdString();
    if (a.has(QStringLiteral("window"))) {
        auto window = parseWindowSpec(a.value(QStringLiteral("window")).toStdString());
        if (!window)
            return fail(window.error().message, kDriftError);
        options.window = *window;
    }
    if (options.timeColumn && options.window.kind == WindowSpec::Kind::None)
        return fail("--time-column needs --window, for example --window 1d or --window 5000rows.",
                    kDriftError);
    if (options.window.kind == WindowSpec::Kind::Duration && !options.timeColumn)
        return fail("Windows by duration need --time-column COLUMN.", kDriftError);
    if (a.has(QStringLiteral("segment")))
        options.segmentColumn = a.value(QStringLiteral("segment")).toStdString();

    DriftProgress progress(isatty(2) && !a.has(QStringLiteral("quiet")));
    auto fileName = [](const QString &path) {
        return QFileInfo(path).fileName().toStdString();
    };

    ReferenceProfile profile;
    if (fromProfile) {
        auto loaded = ReferenceProfile::load(a.value(QStringLiteral("profile")).toStdString());
        if (!loaded)
            return fail(loaded.error().message, kDriftError);
        profile = std::move(loaded).value();
    } else {
        const QString refPath = a.positional[0];
        csv.progress = progress.stage("Reading " + fileName(refPath));
        auto reference = readCsv(refPath.toStdString(), csv);
        if (!reference)
            return fail(reference.error().message, kDriftError);
        options.progress = progress.stage("Fitting the reference");
        auto fitted = fitProfile(*reference, options);
        if (!fitted)
            return fail(fitted.error().message, kDriftError);
        profile = std::move(fitted).value();
        profile.source = fileName(refPath);
        // The reference table is no longer needed: free it before the current file is read.
        reference = Table();
        if (!profileOut.isEmpty()) {
            progress.stage("Writing the profile");
            if (auto saved = profile.save(profileOut.toStdString()); !saved)
                return fail(saved.error().message, kDriftError);
        }
        if (a.positional.size() == 1) {
            progress.clear();
            std::cout << "Wrote the profile " << profileOut.toStdString() << ": " << profile.rows
                      << " rows, " << profile.columns.size() << " columns." << std::endl;
            return ExitOk;
        }
    }

    // The current file is read with the reference's types, so "1" and "0" in a column the
    // reference saw as categories do not turn into numbers.
    const QString curPath = a.positional.back();
    std::map<std::string, ColumnType> types = profile.columnTypes();
    for (const auto &[column, type] : csv.typeOverrides)
        types.emplace(column, type);
    csv.typeOverrides = std::move(types);
    csv.progress = progress.stage("Reading " + fileName(curPath));
    auto current = readCsv(curPath.toStdString(), csv);
    if (!current)
        return fail(current.error().message, kDriftError);
    options.progress = progress.stage("Scoring");
    auto report = scoreTable(profile, *current, options);
    progress.clear();
    if (!report)
        return fail(report.error().message, kDriftError);
    if (format == QLatin1String("json"))
        std::cout << toJson(*report);
    else if (format == QLatin1String("csv"))
        std::cout << toCsv(*report);
    else
        std::cout << toTable(*report);
    std::cout.flush();
    if (!std::cout)
        return fail("Could not write the report.", kDriftError);
    if (a.has(QStringLiteral("workspace")))
        if (auto r = recordDriftInWorkspace(*report, a.value(QStringLiteral("workspace")),
                                            a.value(QStringLiteral("dataset")));
            !r)
            return fail(r.error().message, kDriftError);
    return report->datasetDrift ? ExitFailure : ExitOk;
}

} // namespace

QString cliUsage()
{
    return QStringLiteral(
        "Usage:\n"
        "  sightline [--demo] [--workspace FILE]   open the workbench (GUI)\n"
        "  sightline demo --out FILE [--long-steps N]\n"
        "                 also writes FILE's stem + -reference.csv and -current.csv: drift demo\n"
        "                 data for sightline drift\n"
        "  sightline sync --server URL --workspace FILE [--experiment NAME]... [--parallel N]\n"
        "                 [--full] [--no-bulk] [--no-registry] [--insecure] [--ca-file FILE]\n"
        "  sightline runs --workspace FILE [--experiment NAME]... [--filter EXPR]\n"
        "                 [--columns LIST] [--format table|csv|json] [--limit N]\n"
        "  sightline render --workspace FILE --pane runs|compare|approval|lineage --out FILE.png\n"
        "                 [--size WxH] [--filter EXPR] [--set NAME]\n"
        "                 [--tab charts|parallel|scatter|diff] [--model M [--version V]]\n"
        "                 [--run ID] [--dataset NAME[@DIGEST]] [--up N] [--down N]\n"
        "  sightline drift REFERENCE CURRENT [--format table|json|csv] [--all-statistics]\n"
        "                 [--method COLUMN=psi|ks|wasserstein|js|hellinger|chi2|linf|ztest]...\n"
        "                 [--threshold COLUMN=X]... [--type COLUMN=numeric|categorical|boolean|\n"
        "                 timestamp]... [--bins N] [--time-column C --window 1d|6h|5000rows]\n"
        "                 [--segment C] [--drift-share X] [--log-base e|2|X] [--threads N]\n"
        "                 [--quiet]\n"
        "  sightline drift REFERENCE --profile-out FILE [CURRENT]   fit once, save the profile\n"
        "  sightline drift --profile FILE CURRENT                   score against a profile\n"
        "                 exit 0: no dataset drift, 1: dataset drift, 2: error\n"
        "                 --workspace FILE --dataset NAME[@DIGEST] records the result there\n"
        "  sightline gate --server URL --model M --version V [--alias A | --stage S]\n"
        "                 [--policy FILE] [--workspace FILE] [--format table|json]\n"
        "                 exit 0: every gate passes, 1: a gate fails or is unknown, 2: error\n"
        "  sightline promote --server URL --model M --version V (--alias A | --stage S)\n"
        "                 --comment TEXT [--policy FILE] [--workspace FILE] [--keep-existing]\n"
        "                 makes the request, or applies it once the policy's approvals are met\n"
        "  sightline approve|reject --server URL --model M --version V --comment TEXT\n"
        "  sightline rollback --server URL --model M --alias A --comment TEXT\n"
        "                 exit 0: done, 1: refused (gates, reviewers, freeze, holder moved), 2: error\n"
        "  sightline lineage --workspace FILE (--model M --version V | --run ID |\n"
        "                 --dataset NAME[@DIGEST]) [--up N] [--down N] [--format dot|json|svg]\n"
        "  sightline audit verify|export [--workspace FILE | --log FILE] [--format json|csv]\n"
        "                 [--out FILE]   verify: exit 0 intact, 1 altered, 2 error\n"
        "\n"
        "Server credentials come from MLFLOW_TRACKING_TOKEN or MLFLOW_TRACKING_USERNAME and\n"
        "MLFLOW_TRACKING_PASSWORD; MLFLOW_TRACKING_URI sets the default server. The approval\n"
        "commands act as the server login (MLFLOW_TRACKING_USERNAME), else the OS user; they use\n"
        "the workspace's cache, policies (FILE.policies/MODEL.json or default.json) and audit log\n"
        "(FILE.audit.jsonl), by default those of the default workspace.\n");
}

bool isCliCommand(const QString &first)
{
    return first == QLatin1String("demo") || first == QLatin1String("sync")
        || first == QLatin1String("runs") || first == QLatin1String("render")
        || first == QLatin1String("drift") || isApprovalCommand(first) || isLineageCommand(first)
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
        if (cmd == QLatin1String("drift"))
            return driftCommand(args);
        if (isApprovalCommand(cmd))
            return runApprovalCommand(args);
        if (isLineageCommand(cmd))
            return runLineageCommand(args);
        std::cout << cliUsage().toStdString();
        return ExitOk;
    } catch (const std::exception &e) {
        // drift promises 2 for every error, so a pipeline never mistakes a crash for drift.
        return fail(std::string("Unexpected error: ") + e.what(),
                    cmd == QLatin1String("drift") ? 2 : ExitFailure);
    }
}

} // namespace sightline
