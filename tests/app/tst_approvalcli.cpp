// SPDX-License-Identifier: GPL-3.0-or-later
// The approval commands as a pipeline runs them, against the MLflow test server: gate exit
// codes and formats, promote → approve → alias moved, self-approval refused, rollback, audit
// verify and export, a tampered log, an invalid policy file.
#include "approvalserver.h"
#include "runbinary.h"
#include "testserver.h"

#include <QFile>
#include <QJsonArray>
#include <QJsonDocument>
#include <QJsonObject>
#include <QTemporaryDir>
#include <QTest>

using namespace sightline;
using namespace sightline::test;

class TestApprovalCli : public QObject {
    Q_OBJECT

    std::unique_ptr<TestServer> m_server;
    QTemporaryDir m_dir;
    QString m_policy;

    QString server() const { return QString::fromStdString(m_server->url()); }
    QString workspace(const QString &user) const { return m_dir.filePath(user + QStringLiteral(".sqlite")); }

    // Runs sightline as `user` (the server login), with that user's workspace.
    Outcome as(const QString &user, QStringList args, bool withWorkspace = true)
    {
        QProcessEnvironment env = QProcessEnvironment::systemEnvironment();
        env.insert(QStringLiteral("MLFLOW_TRACKING_USERNAME"), user);
        env.insert(QStringLiteral("MLFLOW_TRACKING_PASSWORD"), QStringLiteral("secret"));
        env.remove(QStringLiteral("MLFLOW_TRACKING_URI"));
        env.remove(QStringLiteral("MLFLOW_TRACKING_TOKEN"));
        args << QStringLiteral("--server") << server();
        if (withWorkspace)
            args << QStringLiteral("--workspace") << workspace(user);
        args << QStringLiteral("--policy") << m_policy;
        return runSightline(args, 60000, env);
    }

private slots:
    void initTestCase()
    {
        m_server = std::make_unique<TestServer>(QStringList{}, 300);
        QVERIFY(m_server->isRunning());
        QVERIFY(seedFraudRegistry(*m_server));
        m_policy = m_dir.filePath(QStringLiteral("policy.json"));
        QFile f(m_policy);
        QVERIFY(f.open(QIODevice::WriteOnly));
        f.write(kFraudPolicy);
    }

    void gateExitCodesAndFormats()
    {
        const QStringList v2{QStringLiteral("gate"), QStringLiteral("--model"),
                             QString::fromLatin1(kFraudModel), QStringLiteral("--version"),
                             QStringLiteral("2")};
        Outcome ok = as(QStringLiteral("ana"), v2, false);
        QCOMPARE(ok.code, 0);
        QVERIFY2(ok.out.contains(QStringLiteral("All 3 gates pass.")), qPrintable(ok.out));
        QVERIFY(ok.out.contains(QStringLiteral("held by version 1")));
        QVERIFY(ok.out.contains(QStringLiteral("val_auc 0.93")));

        QStringList v3 = v2;
        v3[4] = QStringLiteral("3");
        Outcome bad = as(QStringLiteral("ana"), v3 + QStringList{QStringLiteral("--format"),
                                                                  QStringLiteral("json")},
                         false);
        QCOMPARE(bad.code, 1);
        const QJsonObject j = QJsonDocument::fromJson(bad.out.toUtf8()).object();
        QCOMPARE(j.value(QStringLiteral("passed")).toBool(true), false);
        QCOMPARE(j.value(QStringLiteral("holder")).toString(), QStringLiteral("1"));
        const QJsonArray gates = j.value(QStringLiteral("gates")).toArray();
        QCOMPARE(gates.size(), 3);
        QCOMPARE(gates[0].toObject().value(QStringLiteral("outcome")).toString(),
                 QStringLiteral("fail"));
        QCOMPARE(gates[0].toObject().value(QStringLiteral("actual")).toDouble(), 0.8);

        Outcome unknown = as(QStringLiteral("ana"), {QStringLiteral("gate"), QStringLiteral("--model"),
                                                     QStringLiteral("no-such-model"),
                                                     QStringLiteral("--version"), QStringLiteral("1")},
                             false);
        QCOMPARE(unknown.code, 2);
        QVERIFY2(unknown.err.contains(QStringLiteral("no-such-model")), qPrintable(unknown.err));
        QCOMPARE(unknown.err.count(QLatin1Char('\n')), 1);
    }

    void invalidPolicyIsRejectedWithLineAndReason()
    {
        const QString broken = m_dir.filePath(QStringLiteral("broken.json"));
        QFile f(broken);
        QVERIFY(f.open(QIODevice::WriteOnly));
        f.write("{\n  \"gates\": [\n    {\"metric\": \"val_auc\", \"op\": \"=>\", \"value\": 0.9}\n  ]\n}\n");
        f.close();
        Outcome o = runSightline({QStringLiteral("gate"), QStringLiteral("--server"), server(),
                                  QStringLiteral("--model"), QString::fromLatin1(kFraudModel),
                                  QStringLiteral("--version"), QStringLiteral("2"),
                                  QStringLiteral("--policy"), broken});
        QCOMPARE(o.code, 2);
        QVERIFY2(o.err.contains(QStringLiteral("line 3")), qPrintable(o.err));
        QVERIFY2(o.err.contains(QStringLiteral("=>")), qPrintable(o.err));
    }

    void promoteApproveRollbackAndAudit()
    {
        const QStringList promote{QStringLiteral("promote"), QStringLiteral("--model"),
                                  QString::fromLatin1(kFraudModel), QStringLiteral("--version"),
                                  QStringLiteral("2"), QStringLiteral("--alias"),
                                  QStringLiteral("champion"), QStringLiteral("--comment"),
                                  QStringLiteral("better AUC")};
        Outcome made = as(QStringLiteral("ana"), promote);
        QVERIFY2(made.code == 0, qPrintable(made.err));
        QVERIFY2(made.out.contains(QStringLiteral("Requested alias champion")), qPrintable(made.out));
        // Promoting again before anyone approved: still waiting.
        Outcome waiting = as(QStringLiteral("ana"), promote);
        QCOMPARE(waiting.code, 1);
        QVERIFY2(waiting.err.contains(QStringLiteral("waiting for approvals")), qPrintable(waiting.err));

        const QStringList approve{QStringLiteral("approve"), QStringLiteral("--model"),
                                  QString::fromLatin1(kFraudModel), QStringLiteral("--version"),
                                  QStringLiteral("2"), QStringLiteral("--comment"),
                                  QStringLiteral("ok")};
        Outcome self = as(QStringLiteral("ana"), approve);
        QCOMPARE(self.code, 1);
        QVERIFY2(self.err.contains(QStringLiteral("Self-approval")), qPrintable(self.err));

        Outcome approved = as(QStringLiteral("ben"), approve);
        QVERIFY2(approved.code == 0, qPrintable(approved.err));
        QVERIFY2(approved.out.contains(QStringLiteral("now holds alias champion (was version 1)")),
                 qPrintable(approved.out));

        // A failing version cannot even be requested.
        QStringList worse = promote;
        worse[4] = QStringLiteral("3");
        worse[6] = QStringLiteral("challenger");
        Outcome blocked = as(QStringLiteral("ana"), worse);
        QCOMPARE(blocked.code, 1);
        QVERIFY2(blocked.err.contains(QStringLiteral("gates do not pass")), qPrintable(blocked.err));

        Outcome back = as(QStringLiteral("ben"),
                          {QStringLiteral("rollback"), QStringLiteral("--model"),
                           QString::fromLatin1(kFraudModel), QStringLiteral("--alias"),
                           QStringLiteral("champion"), QStringLiteral("--comment"),
                           QStringLiteral("p99 latency doubled")});
        QVERIFY2(back.code == 0, qPrintable(back.err));
        QVERIFY2(back.out.contains(QStringLiteral("back on version 1")), qPrintable(back.out));

        // Ben's audit log: approve, promote, rollback — intact, exportable.
        const QStringList verify{QStringLiteral("audit"), QStringLiteral("verify"),
                                 QStringLiteral("--workspace"), workspace(QStringLiteral("ben"))};
        Outcome intact = runSightline(verify);
        QVERIFY2(intact.code == 0, qPrintable(intact.err));
        QVERIFY2(intact.out.contains(QStringLiteral("3 entries")), qPrintable(intact.out));
        Outcome csv = runSightline({QStringLiteral("audit"), QStringLiteral("export"),
                                    QStringLiteral("--workspace"), workspace(QStringLiteral("ben")),
                                    QStringLiteral("--format"), QStringLiteral("csv")});
        QCOMPARE(csv.code, 0);
        const QStringList lines = csv.out.trimmed().split(QLatin1Char('\n'));
        QCOMPARE(lines.size(), 4);
        QVERIFY(lines[1].contains(QStringLiteral("approve")));
        QVERIFY(lines[2].contains(QStringLiteral("promote")));
        QVERIFY(lines[3].contains(QStringLiteral("p99 latency doubled")));

        // Someone edits the promotion's comment in the file: verify says where.
        const QString logPath = m_dir.filePath(QStringLiteral("ben.audit.jsonl"));
        QFile f(logPath);
        QVERIFY(f.open(QIODevice::ReadOnly));
        QByteArray text = f.readAll();
        f.close();
        QVERIFY(text.contains("\"comment\":\"ok\""));
        text.replace("\"comment\":\"ok\"", "\"comment\":\"OK\"");
        QVERIFY(f.open(QIODevice::WriteOnly | QIODevice::Truncate));
        f.write(text);
        f.close();
        Outcome tampered = runSightline(verify);
        QCOMPARE(tampered.code, 1);
        QVERIFY2(tampered.out.contains(QStringLiteral("line 1")), qPrintable(tampered.out));
        QVERIFY(tampered.out.contains(QStringLiteral("altered")));
    }

    void errorsExitTwo()
    {
        Outcome noServer = runSightline({QStringLiteral("approve"), QStringLiteral("--server"),
                                         QStringLiteral("http://127.0.0.1:9"),
                                         QStringLiteral("--model"), QStringLiteral("m"),
                                         QStringLiteral("--version"), QStringLiteral("1"),
                                         QStringLiteral("--workspace"),
                                         m_dir.filePath(QStringLiteral("x.sqlite"))});
        QCOMPARE(noServer.code, 2);
        QCOMPARE(noServer.err.count(QLatin1Char('\n')), 1);
        Outcome noModel = runSightline({QStringLiteral("promote"), QStringLiteral("--server"), server()});
        QCOMPARE(noModel.code, 2);
        Outcome noLog = runSightline({QStringLiteral("audit"), QStringLiteral("verify"),
                                      QStringLiteral("--log"), m_dir.filePath(QStringLiteral("none"))});
        QCOMPARE(noLog.code, 2);
        Outcome rejectWithoutWhy = as(QStringLiteral("ben"),
                                      {QStringLiteral("reject"), QStringLiteral("--model"),
                                       QString::fromLatin1(kFraudModel), QStringLiteral("--version"),
                                       QStringLiteral("2")});
        QCOMPARE(rejectWithoutWhy.code, 2);
        QVERIFY(rejectWithoutWhy.err.contains(QStringLiteral("--comment")));
    }
};

QTEST_GUILESS_MAIN(TestApprovalCli)
#include "tst_approvalcli.moc"
