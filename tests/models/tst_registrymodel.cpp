// SPDX-License-Identifier: GPL-3.0-or-later
// Tests of RegistryModel: models by name with their versions newest first, aliases and stages,
// source run names read from the cache, sightline.* tags hidden, lookups and alias holders.
#include "registrymodel.h"

#include "approval/request.h"
#include "store/store.h"

#include <QAbstractItemModelTester>
#include <QTemporaryDir>
#include <QtTest>

using namespace sightline;

namespace {

ModelVersion version(const std::string &model, const std::string &v, const std::string &runId,
                     std::vector<std::string> aliases = {})
{
    ModelVersion mv;
    mv.name = model;
    mv.version = v;
    mv.runId = runId;
    mv.status = "READY";
    mv.currentStage = "None";
    mv.creationTimestamp = 1'790'000'000'000 + std::stoll(v) * 1000;
    mv.lastUpdatedTimestamp = mv.creationTimestamp;
    mv.aliases = std::move(aliases);
    return mv;
}

} // namespace

class TestRegistryModel : public QObject {
    Q_OBJECT

private slots:
    void fromStore();
    void emptyAndReset();
};

void TestRegistryModel::fromStore()
{
    QTemporaryDir dir;
    auto store = Store::open(dir.filePath(QStringLiteral("ws.sqlite")).toStdString());
    QVERIFY(store.ok());
    Run run;
    run.runId = "r2";
    run.experimentId = "0";
    run.runName = "gentle-owl";
    run.status = "FINISHED";
    run.lifecycleStage = "active";
    QVERIFY((*store)->upsertRun(run).ok());

    RegisteredModel fraud;
    fraud.name = "fraud";
    fraud.description = "Card fraud\nsecond line";
    fraud.aliases = {{"champion", "2"}, {"challenger", "10"}};
    QVERIFY((*store)->upsertRegisteredModel(fraud).ok());
    RegisteredModel alpha;
    alpha.name = "Alpha";
    QVERIFY((*store)->upsertRegisteredModel(alpha).ok());
    QVERIFY((*store)->upsertModelVersion(version("fraud", "1", "r1")).ok());
    ModelVersion v2 = version("fraud", "2", "r2", {"champion"});
    v2.currentStage = "Production";
    v2.tags = {{"validation_status", "passed"}, {"sightline.state", "applied"}};
    QVERIFY((*store)->upsertModelVersion(v2).ok());
    ModelVersion v10 = version("fraud", "10", "", {"challenger"});
    v10.tags = {{"sightline.state", "pending"}};
    QVERIFY((*store)->upsertModelVersion(v10).ok());
    QVERIFY((*store)->upsertModelVersion(version("Alpha", "1", "")).ok());

    RegistryModel model;
    QAbstractItemModelTester tester(&model, QAbstractItemModelTester::FailureReportingMode::QtTest);
    model.load(**store);
    QCOMPARE(model.rowCount(), 2);
    QCOMPARE(model.index(0, 0).data().toString(), QStringLiteral("Alpha"));
    const QModelIndex f = model.index(1, 0);
    QCOMPARE(f.data().toString(), QStringLiteral("fraud"));
    QVERIFY(f.data(RegistryModel::IsModelRole).toBool());
    QCOMPARE(model.rowCount(f), 3);
    QCOMPARE(model.index(1, RegistryModel::Aliases).data().toString(),
             QStringLiteral("champion → v2, challenger → v10"));
    QCOMPARE(model.index(1, RegistryModel::Description).data().toString(),
             QStringLiteral("Card fraud …"));

    // Newest first, numerically.
    QCOMPARE(model.index(0, 0, f).data(RegistryModel::VersionRole).toString(), QStringLiteral("10"));
    QCOMPARE(model.index(1, 0, f).data(RegistryModel::VersionRole).toString(), QStringLiteral("2"));
    QCOMPARE(model.index(2, 0, f).data(RegistryModel::VersionRole).toString(), QStringLiteral("1"));
    const QModelIndex two = model.index(1, 0, f);
    QCOMPARE(two.data().toString(), QStringLiteral("Version 2"));
    QCOMPARE(model.parent(two), f);
    QCOMPARE(model.index(1, RegistryModel::Stage, f).data().toString(),
             QStringLiteral("Production"));
    QCOMPARE(model.index(2, RegistryModel::Stage, f).data().toString(), QString()); // "None"
    QCOMPARE(model.index(1, RegistryModel::SourceRun, f).data().toString(),
             QStringLiteral("gentle-owl"));
    QCOMPARE(model.index(1, RegistryModel::SourceRun, f).data(Qt::ToolTipRole).toString(),
             QStringLiteral("Run r2"));
    QCOMPARE(model.index(2, RegistryModel::SourceRun, f).data().toString(), QStringLiteral("r1"));
    QCOMPARE(model.index(1, RegistryModel::Tags, f).data().toString(),
             QStringLiteral("validation_status=passed"));
    QCOMPARE(two.data(RegistryModel::TagsRole).toStringList(),
             QStringList{QStringLiteral("validation_status=passed")});
    QCOMPARE(two.data(RegistryModel::AliasesRole).toStringList(),
             QStringList{QStringLiteral("champion")});
    QCOMPARE(two.data(RegistryModel::RequestStateRole).toString(), QStringLiteral("applied"));
    QVERIFY(model.index(0, RegistryModel::Status, f).data().toString().contains("request pending"));
    QCOMPARE(model.index(1, RegistryModel::Status).data().toString(), QStringLiteral("3 versions"));

    // Lookups.
    QCOMPARE(model.indexOfVersion("fraud", "2"), two);
    QCOMPARE(model.versionAt(two)->runId, std::string("r2"));
    QCOMPARE(model.versionAt(f), nullptr);
    QCOMPARE(model.entryAt(two)->model.name, std::string("fraud"));
    QCOMPARE(model.indexOfModel("fraud"), f);
    QVERIFY(!model.indexOfVersion("fraud", "7").isValid());
    QCOMPARE(model.holderOf("fraud", "champion"), std::string("2"));
    QCOMPARE(model.holderOf("fraud", "nope"), std::string());
    QVERIFY(model.headerData(RegistryModel::SourceRun, Qt::Horizontal).toString() == "Source run");
    model.retranslate();
}

void TestRegistryModel::emptyAndReset()
{
    RegistryModel model;
    QAbstractItemModelTester tester(&model, QAbstractItemModelTester::FailureReportingMode::QtTest);
    QCOMPARE(model.rowCount(), 0);
    RegistryEntry e;
    e.model.name = "m";
    e.versions = {version("m", "1", ""), version("m", "3", "")};
    model.setEntries({e});
    QCOMPARE(model.rowCount(model.index(0, 0)), 2);
    QCOMPARE(model.rowCount(model.index(0, 1)), 0); // only column 0 has children
    model.setEntries({});
    QCOMPARE(model.rowCount(), 0);
}

QTEST_GUILESS_MAIN(TestRegistryModel)
#include "tst_registrymodel.moc"
