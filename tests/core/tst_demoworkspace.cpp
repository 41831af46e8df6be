// SPDX-License-Identifier: GPL-3.0-or-later
// Tests of the demo workspace's transformer sweep, saved comparison sets and approval story, on a
// small demo: the sets name runs that exist, the sweep has the awkward curves it promises, the
// requests, alias history and audit log tell one story, and the same options give the same
// workspace.
#include "approval/auditlog.h"
#include "approval/workflow.h"
#include "demo/demoworkspace.h"
#include "store/store.h"

#include <QTemporaryDir>
#include <QtTest>

#include <sqlite3.h>

#include <algorithm>
#include <cmath>
#include <cstring>

using namespace sightline;

namespace {

std::string param(const Run &run, const std::string &key)
{
    for (const auto &p : run.params)
        if (p.key == key)
            return p.value;
    return {};
}

DemoOptions small()
{
    DemoOptions o;
    o.longRunSteps = 2000;
    o.sweepRuns = 12;
    return o;
}

} // namespace

class TestDemoWorkspace : public QObject {
    Q_OBJECT

private:
    QTemporaryDir m_dir;
    std::unique_ptr<Store> m_store;

private slots:
    void initTestCase()
    {
        QVERIFY(m_dir.isValid());
        const std::string path = m_dir.filePath(QStringLiteral("demo.sqlite")).toStdString();
        auto summary = writeDemoWorkspace(path, small());
        QVERIFY2(summary.ok(), summary.ok() ? "" : summary.error().message.c_str());
        QCOMPARE(summary->experiments, 5);
        auto store = Store::open(path, Store::Mode::ReadOnly);
        QVERIFY(store.ok());
        m_store = std::move(*store);
        QCOMPARE(QString::fromStdString(m_store->integrityCheck()), QStringLiteral("ok"));
    }

    void defaultsAreTheBigSweep()
    {
        const DemoOptions defaults;
        QCOMPARE(defaults.sweepRuns, 50);
        QCOMPARE(defaults.longRunSteps, 100000);
        QCOMPARE(defaults.sweepSteps, 0); // follows longRunSteps
    }

    void savesTheComparisonSets()
    {
        const auto sets = m_store->comparisonSets();
        QCOMPARE(sets.size(), size_t(3));
        for (const auto &set : sets) {
            QVERIFY(!set.runIds.empty());
            for (const auto &id : set.runIds)
                QVERIFY2(m_store->run(id).has_value(), set.name.c_str());
        }
        auto sweep = m_store->comparisonSet("transformer-sweep");
        QVERIFY(sweep.has_value());
        QCOMPARE(sweep->runIds.size(), size_t(12));
        QCOMPARE(sweep->metricKeys, (std::vector<std::string>{"train_loss", "val_loss",
                                                              "val_accuracy", "learning_rate"}));
        QCOMPARE(sweep->parallelAxes,
                 (std::vector<std::string>{"params.learning_rate", "params.warmup",
                                           "params.batch_size", "params.optimizer",
                                           "metrics.val_loss:min", "metrics.val_accuracy:max"}));
        QCOMPARE(QString::fromStdString(sweep->scatterX), QStringLiteral("params.learning_rate"));
        QCOMPARE(QString::fromStdString(sweep->scatterY), QStringLiteral("metrics.val_loss:min"));
        QCOMPARE(sweep->smoothing, 0.95);

        auto lr = m_store->comparisonSet("lr-sweep");
        QVERIFY(lr.has_value());
        QCOMPARE(lr->runIds.size(), size_t(24));
        QCOMPARE(QString::fromStdString(lr->groupBy), QStringLiteral("params.optimizer"));
        for (const auto &id : lr->runIds)
            QVERIFY(!param(*m_store->run(id), "optimizer").empty());

        auto llm = m_store->comparisonSet("llm-finetune");
        QVERIFY(llm.has_value());
        QCOMPARE(llm->runIds.size(), size_t(6));
        for (const auto &id : llm->runIds)
            QVERIFY(m_store->historyInfo(id, "loss").has_value());
    }

    void theSweepHasWhatARealOneHas()
    {
        const auto set = *m_store->comparisonSet("transformer-sweep");
        std::string parentId;
        int running = 0, diverged = 0, withNan = 0, withInf = 0, full = 0;
        for (const auto &id : set.runIds) {
            const Run run = *m_store->run(id);
            QCOMPARE(QString::fromStdString(run.experimentId), QStringLiteral("5"));
            if (parentId.empty())
                parentId = run.parentRunId();
            QCOMPARE(run.parentRunId(), parentId);
            for (const char *name : {"learning_rate", "warmup", "batch_size", "optimizer", "seed"})
                QVERIFY2(!param(run, name).empty(), name);
            const std::string optimizer = param(run, "optimizer");
            QVERIFY(optimizer == "adam" || optimizer == "adamw" || optimizer == "sgd");

            auto train = m_store->loadHistory(id, "train_loss");
            QVERIFY(train.ok());
            // Every step is there.
            for (size_t k = 0; k < train->size(); ++k)
                QCOMPARE(train->steps[k], int64_t(k));
            if (run.status == "RUNNING") {
                ++running;
                QVERIFY(train->size() < 2000); // shorter: still going
                QCOMPARE(run.endTime, int64_t(0));
            } else {
                full += train->size() == 2000;
            }
            bool nan = false, inf = false;
            double largest = 0.0;
            for (double v : train->values) {
                nan = nan || std::isnan(v);
                inf = inf || std::isinf(v);
                if (std::isfinite(v))
                    largest = std::max(largest, v);
            }
            withNan += nan;
            withInf += inf;
            diverged += largest > 1e20;
            // val_loss and val_accuracy every 1% of the steps, learning_rate every 0.1%.
            auto val = m_store->historyInfo(id, "val_loss");
            auto acc = m_store->historyInfo(id, "val_accuracy");
            auto lr = m_store->historyInfo(id, "learning_rate");
            QVERIFY(val && acc && lr);
            QVERIFY(val->count >= int64_t(train->size() / 20) && val->count <= 102);
            QCOMPARE(acc->count, val->count);
            QVERIFY(lr->count > val->count);
            QVERIFY(acc->maxValue <= 1.0 && acc->minValue >= 0.0);
        }
        QVERIFY(running >= 1 && running <= 2);
        QCOMPARE(diverged, 2);
        QCOMPARE(withNan, 1);
        QCOMPARE(withInf, 1);
        QVERIFY(full >= 8);
        auto parent = m_store->run(parentId);
        QVERIFY(parent.has_value());
        QCOMPARE(QString::fromStdString(parent->status), QStringLiteral("RUNNING"));
    }

    void theApprovalStory()
    {
        // A past approval, a rollback and a pending request, as a server would hold them.
        const auto requests = requestsInCache(*m_store);
        QCOMPARE(requests.size(), size_t(3));
        std::map<std::string, PromotionRequest> byVersion;
        for (const auto &r : requests)
            byVersion[r.version] = r;
        QCOMPARE(byVersion.at("4").state, RequestState::Pending);
        QCOMPARE(byVersion.at("4").approvers(), std::vector<std::string>{"maria"});
        QCOMPARE(byVersion.at("4").holder, std::string("2"));
        QCOMPARE(byVersion.at("2").state, RequestState::Applied);
        QCOMPARE(byVersion.at("3").state, RequestState::RolledBack);
        QCOMPARE(byVersion.at("3").rollback->to, std::string("2"));
        for (const auto &r : requests) {
            QVERIFY(r.gatesPassed);
            QCOMPARE(r.gates().size(), size_t(4));
            QVERIFY(allPass(r.gates()));
        }
        // The registry agrees with the story's end: champion back on 2, 4 the challenger.
        for (const auto &m : m_store->registeredModels())
            if (m.name == "fraud-classifier")
                QVERIFY((m.aliases == std::vector<ModelAlias>{{"champion", "2"}, {"challenger", "4"}}));
        const auto changes = m_store->aliasChanges("fraud-classifier");
        QCOMPARE(changes.size(), size_t(5));
        QCOMPARE(changes[3].version, std::string("2"));
        QCOMPARE(changes[3].previous, std::string("3"));
        // Beside the workspace: an intact audit log and a policy that parses.
        const std::string ws = m_dir.filePath(QStringLiteral("demo.sqlite")).toStdString();
        auto verified = AuditLog(auditLogPath(ws)).verify();
        QVERIFY(verified && verified->ok);
        QCOMPARE(verified->entries, 11);
        std::string origin;
        auto policy = loadPolicyFor("fraud-classifier", {}, ws, &origin);
        QVERIFY2(policy, policy ? "" : policy.error().message.c_str());
        QCOMPARE(policy->reviewers.requiredApprovals, 2);
        QVERIFY(origin.find("fraud-classifier.json") != std::string::npos);
        auto fallback = loadPolicyFor("cifar-resnet", {}, ws, &origin);
        QVERIFY(fallback);
        QVERIFY(origin.find("default.json") != std::string::npos);
    }

    void sameOptionsSameWorkspace()
    {
        const std::string other = m_dir.filePath(QStringLiteral("again.sqlite")).toStdString();
        QVERIFY(writeDemoWorkspace(other, small()).ok());
        auto again = Store::open(other, Store::Mode::ReadOnly);
        QVERIFY(again.ok());
        QVERIFY((*again)->comparisonSets() == m_store->comparisonSets());
        const auto set = *m_store->comparisonSet("transformer-sweep");
        const std::string id = set.runIds[3];
        auto a = m_store->loadHistory(id, "train_loss");
        auto b = (*again)->loadHistory(id, "train_loss");
        QVERIFY(a.ok() && b.ok());
        QCOMPARE(a->size(), b->size());
        QCOMPARE(std::memcmp(a->values.data(), b->values.data(), a->size() * sizeof(double)), 0);
        // Written without a journal, handed over in WAL mode like every workspace.
        sqlite3_stmt *mode = nullptr;
        QCOMPARE(sqlite3_prepare_v2((*again)->handle(), "PRAGMA journal_mode", -1, &mode, nullptr),
                 SQLITE_OK);
        QCOMPARE(sqlite3_step(mode), SQLITE_ROW);
        QCOMPARE(QString::fromUtf8(reinterpret_cast<const char *>(sqlite3_column_text(mode, 0))),
                 QStringLiteral("wal"));
        sqlite3_finalize(mode);
    }
};

QTEST_APPLESS_MAIN(TestDemoWorkspace)
#include "tst_demoworkspace.moc"
