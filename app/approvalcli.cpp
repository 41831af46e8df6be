// SPDX-License-Identifier: GPL-3.0-or-later
// The approval commands for pipelines: gate, promote, approve, reject, rollback and audit.
// Exit codes: 0 done (gate: every gate passes), 1 refused by the policy or the server's state
// (gate: a gate fails or is unknown), 2 an error (bad options, unreadable policy, network).
#include "approval/auditlog.h"
#include "approval/workflow.h"
#include "cliargs.h"
#include "store/store.h"

#include <QDir>
#include <QFile>
#include <QFileInfo>

#include <iostream>
#include <memory>

namespace sightline {

namespace {

constexpr int kRefused = 1;
constexpr int kError = 2;

using json = nlohmann::json;

const QStringList kServerOptions{QStringLiteral("server"), QStringLiteral("ca-file"),
                                 QStringLiteral("workspace"), QStringLiteral("policy"),
                                 QStringLiteral("model"), QStringLiteral("comment")};
const QStringList kServerFlags{QStringLiteral("insecure")};

std::string workspaceFor(const Args &a)
{
    const QString w = a.value(QStringLiteral("workspace"));
    return w.isEmpty() ? defaultWorkspacePath("default") : w.toStdString();
}

int exitFor(const Error &e)
{
    return e.code == "refused" || e.code == "blocked" ? kRefused : kError;
}

// Everything a command that talks to the server needs; the cache and audit log of the workspace.
struct Session {
    MlflowConnection connection;
    std::unique_ptr<MlflowClient> client;
    std::unique_ptr<Store> store;
    std::unique_ptr<AuditLog> audit;
    std::unique_ptr<ApprovalService> service;
    std::string policyOrigin;
};

// Opens the session for `model`; on failure prints the reason and returns nullopt with `exit`.
std::unique_ptr<Session> openSession(const Args &a, const std::string &model, bool withWorkspace,
                                     int &exit)
{
    auto s = std::make_unique<Session>();
    std::string err;
    s->connection = connectionFromArgs(a, err);
    if (s->connection.baseUrl.empty()) {
        exit = fail(err, kError);
        return nullptr;
    }
    const std::string workspace = workspaceFor(a);
    auto policy = loadPolicyFor(model, a.value(QStringLiteral("policy")).toStdString(),
                                a.has(QStringLiteral("workspace")) || withWorkspace ? workspace
                                                                                      : std::string(),
                                &s->policyOrigin);
    if (!policy) {
        exit = fail(policy.error().message, kError);
        return nullptr;
    }
    s->client = std::make_unique<MlflowClient>(s->connection);
    ApprovalService::Options o;
    o.policy = *policy;
    o.archiveExisting = !a.has(QStringLiteral("keep-existing"));
    if (withWorkspace) {
        QDir().mkpath(QFileInfo(QString::fromStdString(workspace)).absolutePath());
        auto store = Store::open(workspace);
        if (!store) {
            exit = fail(store.error().message, kError);
            return nullptr;
        }
        s->store = std::move(*store);
        s->audit = std::make_unique<AuditLog>(auditLogPath(workspace));
        o.store = s->store.get();
        o.audit = s->audit.get();
    }
    s->service = std::make_unique<ApprovalService>(*s->client, o);
    return s;
}

std::optional<PromotionTarget> targetOf(const Args &a, const char *fallbackAlias, int &exit)
{
    const QString alias = a.value(QStringLiteral("alias"));
    const QString stage = a.value(QStringLiteral("stage"));
    if (!alias.isEmpty() && !stage.isEmpty()) {
        exit = fail("Give either --alias or --stage, not both.", kError);
        return std::nullopt;
    }
    if (!stage.isEmpty()) {
        for (const char *s : {"Staging", "Production", "Archived", "None"})
            if (stage.compare(QLatin1String(s), Qt::CaseInsensitive) == 0)
                return PromotionTarget{PromotionTarget::Stage, s};
        exit = fail("--stage takes Staging, Production, Archived or None.", kError);
        return std::nullopt;
    }
    if (alias.isEmpty() && !fallbackAlias) {
        exit = fail("Say which alias the version should take with --alias NAME (or --stage S).",
                    kError);
        return std::nullopt;
    }
    return PromotionTarget{PromotionTarget::Alias,
                           alias.isEmpty() ? std::string(fallbackAlias) : alias.toStdString()};
}

bool requireOptions(const Args &a, const QStringList &names, int &exit)
{
    if (!a.error.isEmpty()) {
        exit = fail(a.error, kError);
        return false;
    }
    for (const auto &n : names)
        if (a.value(n).isEmpty()) {
            exit = fail(QStringLiteral("Give --%1.").arg(n), kError);
            return false;
        }
    return true;
}

std::string padRight(const std::string &s, size_t width)
{
    const size_t n = displayWidth(s);
    return n >= width ? s + " " : s + std::string(width - n, ' ');
}

int gateCommand(const QStringList &args)
{
    Args a = parseArgs(args, 2,
                       kServerOptions + QStringList{QStringLiteral("version"), QStringLiteral("alias"),
                                                    QStringLiteral("stage"), QStringLiteral("format")},
                       kServerFlags);
    int exit = 0;
    if (!requireOptions(a, {QStringLiteral("model"), QStringLiteral("version")}, exit))
        return exit;
    const QString format = a.value(QStringLiteral("format"), QStringLiteral("table"));
    if (format != QLatin1String("table") && format != QLatin1String("json"))
        return fail("--format takes table or json.", kError);
    auto target = targetOf(a, "champion", exit);
    if (!target)
        return exit;
    const std::string model = a.value(QStringLiteral("model")).toStdString();
    auto session = openSession(a, model, false, exit);
    if (!session)
        return exit;
    auto report = session->service->evaluate(model, a.value(QStringLiteral("version")).toStdString(),
                                             *target);
    if (!report)
        return fail(report.error().message, kError);

    if (format == QLatin1String("json")) {
        json gates = json::array();
        for (const auto &g : report->results)
            gates.push_back(gateResultJson(g));
        json out = {{"model", report->model},
                    {"version", report->version},
                    {"target", {{"kind", target->kind == PromotionTarget::Alias ? "alias" : "stage"},
                                {"name", target->name}}},
                    {"holder", report->holder.empty() ? json(nullptr) : json(report->holder)},
                    {"passed", report->passed()},
                    {"policy", session->policyOrigin},
                    {"gates", gates}};
        std::cout << out.dump(2) << std::endl;
    } else {
        std::cout << model << " version " << report->version << " → " << target->describe() << " ("
                  << (report->holder.empty() ? "no current holder"
                                             : "held by version " + report->holder)
                  << "); policy: " << session->policyOrigin << "\n";
        size_t nameWidth = 4;
        for (const auto &g : report->results)
            nameWidth = std::max(nameWidth, displayWidth(g.name) + 2);
        std::cout << padRight("GATE", nameWidth) << padRight("RESULT", 9) << "DETAIL\n";
        for (const auto &g : report->results)
            std::cout << padRight(g.name, nameWidth)
                      << padRight(std::string(gateOutcomeText(g.outcome)), 9) << g.detail << "\n";
        int passed = 0;
        for (const auto &g : report->results)
            passed += g.outcome == GateResult::Pass;
        if (report->results.empty())
            std::cout << "The policy has no gates.\n";
        else if (report->passed())
            std::cout << "All " << passed << " gates pass.\n";
        else
            std::cout << (report->results.size() - passed) << " of " << report->results.size()
                      << " gates do not pass.\n";
        std::cout.flush();
    }
    return report->passed() ? ExitOk : kRefused;
}

int report(const Result<ApprovalService::Outcome> &outcome)
{
    if (!outcome)
        return fail(outcome.error().message, exitFor(outcome.error()));
    std::cout << outcome->message << std::endl;
    return ExitOk;
}

int promoteCommand(const QStringList &args)
{
    Args a = parseArgs(args, 2,
                       kServerOptions + QStringList{QStringLiteral("version"), QStringLiteral("alias"),
                                                    QStringLiteral("stage")},
                       kServerFlags + QStringList{QStringLiteral("keep-existing")});
    int exit = 0;
    if (!requireOptions(a, {QStringLiteral("model"), QStringLiteral("version")}, exit))
        return exit;
    auto target = targetOf(a, nullptr, exit);
    if (!target)
        return exit;
    const std::string model = a.value(QStringLiteral("model")).toStdString();
    auto session = openSession(a, model, true, exit);
    if (!session)
        return exit;
    return report(session->service->promote(model, a.value(QStringLiteral("version")).toStdString(),
                                            *target,
                                            a.value(QStringLiteral("comment")).toStdString()));
}

int decideCommand(const QStringList &args, bool approve)
{
    Args a = parseArgs(args, 2, kServerOptions + QStringList{QStringLiteral("version")},
                       kServerFlags);
    int exit = 0;
    QStringList required{QStringLiteral("model"), QStringLiteral("version")};
    if (!approve)
        required << QStringLiteral("comment"); // a rejection says why
    if (!requireOptions(a, required, exit))
        return exit;
    const std::string model = a.value(QStringLiteral("model")).toStdString();
    auto session = openSession(a, model, true, exit);
    if (!session)
        return exit;
    const std::string version = a.value(QStringLiteral("version")).toStdString();
    const std::string comment = a.value(QStringLiteral("comment")).toStdString();
    return report(approve ? session->service->approve(model, version, comment)
                          : session->service->reject(model, version, comment));
}

int rollbackCommand(const QStringList &args)
{
    Args a = parseArgs(args, 2, kServerOptions + QStringList{QStringLiteral("alias")}, kServerFlags);
    int exit = 0;
    if (!requireOptions(a, {QStringLiteral("model"), QStringLiteral("alias"),
                            QStringLiteral("comment")},
                        exit))
        return exit;
    const std::string model = a.value(QStringLiteral("model")).toStdString();
    auto session = openSession(a, model, true, exit);
    if (!session)
        return exit;
    return report(session->service->rollback(model, a.value(QStringLiteral("alias")).toStdString(),
                                             a.value(QStringLiteral("comment")).toStdString()));
}

int auditCommand(const QStringList &args)
{
    const QString sub = args.value(2);
    if (sub != QLatin1String("verify") && sub != QLatin1String("export"))
        return fail("Use sightline audit verify or sightline audit export.", kError);
    Args a = parseArgs(args, 3,
                       {QStringLiteral("workspace"), QStringLiteral("log"), QStringLiteral("format"),
                        QStringLiteral("out")},
                       {});
    if (!a.error.isEmpty())
        return fail(a.error, kError);
    const std::string path = a.has(QStringLiteral("log"))
                               ? a.value(QStringLiteral("log")).toStdString()
                               : auditLogPath(workspaceFor(a));
    if (!QFileInfo::exists(QString::fromStdString(path)))
        return fail("No audit log at " + path + ".", kError);
    AuditLog log(path);
    if (sub == QLatin1String("verify")) {
        auto v = log.verify();
        if (!v)
            return fail(v.error().message, kError);
        if (v->ok) {
            std::cout << "The audit log " << path << " is intact: " << v->entries << " entr"
                      << (v->entries == 1 ? "y" : "ies") << ", hash chain unbroken." << std::endl;
            return ExitOk;
        }
        std::cout << "The audit log " << path << " was altered: " << v->message << " ("
                  << v->entries << " entries before it are intact)." << std::endl;
        return kRefused;
    }
    const QString format = a.value(QStringLiteral("format"), QStringLiteral("json"));
    if (format != QLatin1String("json") && format != QLatin1String("csv"))
        return fail("--format takes json or csv.", kError);
    auto text = format == QLatin1String("json") ? log.exportJson() : log.exportCsv();
    if (!text)
        return fail(text.error().message, kError);
    const QString out = a.value(QStringLiteral("out"));
    if (out.isEmpty()) {
        std::cout << *text;
        if (format == QLatin1String("json"))
            std::cout << "\n";
        std::cout.flush();
        return std::cout ? ExitOk : fail("Could not write the export.", kError);
    }
    QFile f(out);
    if (!f.open(QIODevice::WriteOnly | QIODevice::Truncate)
        || f.write(text->data(), static_cast<qint64>(text->size()))
               != static_cast<qint64>(text->size())
        || !f.flush())
        return fail("Cannot write " + out.toStdString() + ": " + f.errorString().toStdString()
                        + ".",
                    kError);
    std::cout << "Wrote " << out.toStdString() << "." << std::endl;
    return ExitOk;
}

} // namespace

bool isApprovalCommand(const QString &command)
{
    static const QStringList names{QStringLiteral("gate"),    QStringLiteral("promote"),
                                   QStringLiteral("approve"), QStringLiteral("reject"),
                                   QStringLiteral("rollback"), QStringLiteral("audit")};
    return names.contains(command);
}

int runApprovalCommand(const QStringList &args)
{
    const QString cmd = args.value(1);
    try {
        if (cmd == QLatin1String("gate"))
            return gateCommand(args);
        if (cmd == QLatin1String("promote"))
            return promoteCommand(args);
        if (cmd == QLatin1String("approve") || cmd == QLatin1String("reject"))
            return decideCommand(args, cmd == QLatin1String("approve"));
        if (cmd == QLatin1String("rollback"))
            return rollbackCommand(args);
        return auditCommand(args);
    } catch (const std::exception &e) {
        return fail(std::string("Unexpected error: ") + e.what(), kError);
    }
}

} // namespace sightline
