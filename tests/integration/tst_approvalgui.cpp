// SPDX-License-Identifier: GPL-3.0-or-later
// The approval pane against the MLflow test server, as a reviewer uses it: a request made by a
// colleague arrives with a sync, Approve moves the alias on the server, Roll Back moves it back,
// and the pane shows each outcome from the cache it updated.
#include "approval/workflow.h"
#include "approvalpane.h"
#include "approvalserver.h"
#include "requestsmodel.h"
#include "store/store.h"
#include "sync/syncengine.h"
#include "testserver.h"

#include <QLabel>
#include <QPushButton>
#include <QSignalSpy>
#include <QTableView>
#include <QTemporaryDir>
#include <QTest>
#include <QTreeWidget>

using namespace sightline;
using namespace sightline::test;

namespace {

MlflowConnection as(const TestServer &server, const std::string &user)
{
    MlflowConnection c = connectionTo(server);
    c.auth.kind = HttpAuth::Kind::Basic;
    c.auth.username = user;
    c.auth.password = "secret";
    return c;
}

std::string championOn(const TestServer &server)
{
    MlflowClient c(connectionTo(server));
    auto v = c.getModelVersionByAlias(kFraudModel, "champion");
    return v ? v->version : std::string();
}

} // namespace

class TestApprovalGui : public QObject {
    Q_OBJECT

private slots:
    void approveAndRollBackFromThePane()
    {
        TestServer server({}, 300);
        QVERIFY(server.isRunning());
        QVERIFY(seedFraudRegistry(server));
        QTemporaryDir dir;
        const std::string ws = dir.filePath(QStringLiteral("ben.sqlite")).toStdString();
        // Ben's policy: the suite's (one approval, gates on val_auc and validation_status).
        QDir().mkpath(QString::fromStdString(policyDirectory(ws)));
        QFile policy(QString::fromStdString(policyDirectory(ws) + "/default.json"));
        QVERIFY(policy.open(QIODevice::WriteOnly));
        policy.write(kFraudPolicy);
        policy.close();

        // Ana asks for version 2 as champion from her own machine.
        {
            MlflowClient ana(as(server, "ana"));
            ApprovalService::Options o;
            o.policy = *parsePolicy(kFraudPolicy);
            ApprovalService service(ana, o);
            auto made = service.request(kFraudModel, "2", {PromotionTarget::Alias, "champion"},
                                        "better AUC");
            QVERIFY2(made, made ? "" : made.error().message.c_str());
        }
        // Ben's sync brings the request into his cache.
        {
            auto store = Store::open(ws);
            QVERIFY(store);
            MlflowClient client(as(server, "ben"));
            SyncEngine sync(**store, client);
            QVERIFY(sync.run());
        }

        ApprovalPane pane;
        pane.resize(1400, 900);
        pane.setWorkspace(QString::fromStdString(ws));
        pane.setConnection(as(server, "ben"));
        pane.setPrompt([](ApprovalPane::Action action, const QString &) -> std::optional<QString> {
            return action == ApprovalPane::Action::Approve ? QStringLiteral("checked the evidence")
                                                           : QStringLiteral("latency regression");
        });
        QVERIFY(pane.selectFirstPendingRequest());
        QVERIFY(pane.approveButton()->isEnabled());
        QSignalSpy finished(&pane, &ApprovalPane::actionFinished);
        QVERIFY(pane.approveSelected());
        QVERIFY(finished.wait(60000));
        QVERIFY2(finished.at(0).at(0).toBool(), qPrintable(finished.at(0).at(1).toString()));
        QVERIFY2(pane.statusLabel()->text().contains(QStringLiteral("now holds alias champion")),
                 qPrintable(pane.statusLabel()->text()));
        QCOMPARE(championOn(server), std::string("2"));
        // The pane reloaded from the cache the service updated: the request is applied.
        const QModelIndex row = pane.requestsModel()->index(0, 0);
        QCOMPARE(row.data(RequestsModel::StateRole).toString(), QStringLiteral("applied"));
        QVERIFY(!pane.approveButton()->isEnabled());

        // Roll back from the version page's alias list.
        QVERIFY(pane.selectVersion(QString::fromLatin1(kFraudModel), QStringLiteral("2")));
        const auto aliases = pane.aliasView()->findItems(QStringLiteral("champion"), Qt::MatchExactly);
        QCOMPARE(aliases.size(), 1);
        pane.aliasView()->setCurrentItem(aliases.front());
        QVERIFY(pane.rollbackButton()->isEnabled());
        QVERIFY(pane.rollbackSelectedAlias());
        QVERIFY(finished.wait(60000));
        QVERIFY2(finished.at(1).at(0).toBool(), qPrintable(finished.at(1).at(1).toString()));
        QCOMPARE(championOn(server), std::string("1"));
        QVERIFY(pane.statusLabel()->text().contains(QStringLiteral("back on version 1")));

        // The timeline lists the promotion and the rollback, with who and why.
        QString timeline;
        for (int i = 0; i < pane.timelineView()->topLevelItemCount(); ++i) {
            const auto *item = pane.timelineView()->topLevelItem(i);
            for (int c = 0; c < item->columnCount(); ++c)
                timeline += item->text(c) + QLatin1Char('|');
            timeline += QLatin1Char('\n');
        }
        QVERIFY2(timeline.contains(QStringLiteral("latency regression")), qPrintable(timeline));
        QVERIFY2(timeline.contains(QStringLiteral("ben")), qPrintable(timeline));
        // And the audit log beside the workspace holds both, intact.
        auto log = AuditLog(auditLogPath(ws)).verify();
        QVERIFY(log && log->ok);
        QCOMPARE(log->entries, 3); // approve, promote, rollback
    }
};

QTEST_MAIN(TestApprovalGui)
#include "tst_approvalgui.moc"
