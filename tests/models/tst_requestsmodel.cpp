// SPDX-License-Identifier: GPL-3.0-or-later
// Tests of RequestsModel: pending requests first, then the rest newest first; approvals counted
// against the policy frozen in the evidence; gate outcomes counted; requests read back from
// model-version tags in the cache.
#include "requestsmodel.h"

#include "store/store.h"

#include <QAbstractItemModelTester>
#include <QTemporaryDir>
#include <QtTest>

using namespace sightline;

namespace {

GateResult gate(const std::string &name, GateResult::Outcome outcome)
{
    GateResult g;
    g.name = name;
    g.kind = "threshold";
    g.outcome = outcome;
    g.detail = name + " detail";
    return g;
}

PromotionRequest request(const std::string &version, RequestState state, int64_t timeMs,
                         std::vector<GateResult> gates, int required)
{
    PromotionRequest r;
    r.model = "fraud";
    r.version = version;
    r.target = {PromotionTarget::Alias, "champion"};
    r.requester = "ana";
    r.requestedAtMs = timeMs;
    r.holder = "1";
    r.id = makeRequestId(r.model, r.version, r.target, r.requester, timeMs);
    r.state = state;
    nlohmann::json g = nlohmann::json::array();
    for (const auto &x : gates)
        g.push_back(gateResultJson(x));
    r.evidence = {{"gates", g}, {"policy", {{"required_approvals", required}}}};
    return r;
}

} // namespace

class TestRequestsModel : public QObject {
    Q_OBJECT

private slots:
    void orderAndCounts();
    void fromCache();
};

void TestRequestsModel::orderAndCounts()
{
    RequestsModel model;
    QAbstractItemModelTester tester(&model, QAbstractItemModelTester::FailureReportingMode::QtTest);
    PromotionRequest pending = request("4", RequestState::Pending, 3000,
                                       {gate("a", GateResult::Pass), gate("b", GateResult::Pass),
                                        gate("c", GateResult::Fail)},
                                       2);
    pending.decisions = {{"ben", 3500, true, "ok"}};
    model.setRequests({request("2", RequestState::Applied, 1000, {}, 1),
                       request("3", RequestState::RolledBack, 2000, {gate("a", GateResult::Pass)}, 1),
                       pending});
    QCOMPARE(model.rowCount(), 3);
    QCOMPARE(model.columnCount(), int(RequestsModel::ColumnCount));
    QCOMPARE(model.pendingCount(), 1);
    QStringList versions;
    for (int row = 0; row < model.rowCount(); ++row)
        versions << model.index(row, RequestsModel::Version).data().toString();
    QCOMPARE(versions, QStringList({"4", "3", "2"}));

    QCOMPARE(model.index(0, RequestsModel::State).data().toString(), QStringLiteral("Pending"));
    QCOMPARE(model.index(0, RequestsModel::State).data(RequestsModel::StateRole).toString(),
             QStringLiteral("pending"));
    QCOMPARE(model.index(0, RequestsModel::Approvals).data().toString(), QStringLiteral("1 of 2"));
    QCOMPARE(model.index(0, RequestsModel::Approvals).data(Qt::ToolTipRole).toString(),
             QStringLiteral("Approved by ben"));
    QCOMPARE(model.index(0, RequestsModel::Gates).data().toString(),
             QStringLiteral("2 passed, 1 failed"));
    QCOMPARE(model.index(0, 0).data(RequestsModel::GatesFailedRole).toInt(), 1);
    QCOMPARE(model.index(0, RequestsModel::Target).data().toString(),
             QStringLiteral("alias champion"));
    QCOMPARE(model.index(0, RequestsModel::Requester).data().toString(), QStringLiteral("ana"));
    QCOMPARE(model.index(1, RequestsModel::State).data().toString(), QStringLiteral("Rolled back"));
    QCOMPARE(model.index(2, RequestsModel::Gates).data().toString(), QStringLiteral("no gates"));
    QCOMPARE(model.index(2, RequestsModel::Approvals).data().toString(), QStringLiteral("0 of 1"));
    QCOMPARE(model.requestAt(0)->version, std::string("4"));
    QCOMPARE(model.requestAt(5), nullptr);
    QCOMPARE(model.indexOfRequest("fraud", "3").row(), 1);
    QVERIFY(!model.indexOfRequest("fraud", "9").isValid());
    model.retranslate();
    model.setRequests({});
    QCOMPARE(model.rowCount(), 0);
}

void TestRequestsModel::fromCache()
{
    QTemporaryDir dir;
    auto store = Store::open(dir.filePath(QStringLiteral("ws.sqlite")).toStdString());
    QVERIFY(store.ok());
    RegisteredModel m;
    m.name = "fraud";
    QVERIFY((*store)->upsertRegisteredModel(m).ok());
    for (const auto &[v, state, t] : {std::tuple{"2", RequestState::Rejected, 100},
                                      std::tuple{"3", RequestState::Pending, 50}}) {
        ModelVersion mv;
        mv.name = "fraud";
        mv.version = v;
        mv.tags = requestTags(request(v, state, t, {gate("a", GateResult::Unknown)}, 1));
        mv.tags.push_back({"team", "risk"});
        QVERIFY((*store)->upsertModelVersion(mv).ok());
    }
    ModelVersion plain;
    plain.name = "fraud";
    plain.version = "1";
    QVERIFY((*store)->upsertModelVersion(plain).ok());

    RequestsModel model;
    QAbstractItemModelTester tester(&model, QAbstractItemModelTester::FailureReportingMode::QtTest);
    model.load(**store);
    QCOMPARE(model.rowCount(), 2);
    QVERIFY(model.problems().isEmpty());
    QCOMPARE(model.index(0, RequestsModel::Version).data().toString(), QStringLiteral("3"));
    QCOMPARE(model.index(0, RequestsModel::Gates).data().toString(),
             QStringLiteral("0 passed, 1 unknown"));
    QCOMPARE(model.index(1, RequestsModel::State).data().toString(), QStringLiteral("Rejected"));
}

QTEST_GUILESS_MAIN(TestRequestsModel)
#include "tst_requestsmodel.moc"
