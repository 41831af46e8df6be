// SPDX-License-Identifier: GPL-3.0-or-later
// Tests of the approval gates and reviewer rules: pass, fail and unknown for each gate kind with
// the numbers in the detail, regression in both directions, and who may approve when.
#include "approval/gates.h"

#include <QtTest>

#include <cmath>
#include <limits>

using namespace sightline;

namespace {

const double kNaN = std::numeric_limits<double>::quiet_NaN();

Policy policyOf(std::vector<GateSpec> gates)
{
    Policy p;
    p.gates = std::move(gates);
    return p;
}

ThresholdGate threshold(std::string metric, CompareOp op, double value)
{
    ThresholdGate g;
    g.metric = std::move(metric);
    g.op = op;
    g.value = value;
    return g;
}

RegressionGate regression(std::string metric, double maxDrop, bool lowerIsBetter = false)
{
    RegressionGate g;
    g.metric = std::move(metric);
    g.maxDropPercent = maxDrop;
    g.lowerIsBetter = lowerIsBetter;
    return g;
}

GateResult only(const Policy &policy, const GateInput &input)
{
    const auto results = evaluateGates(policy, input);
    return results.size() == 1 ? results.front() : GateResult{};
}

QString detailOf(const GateResult &r)
{
    return QString::fromStdString(r.detail);
}

} // namespace

class TestApprovalGates : public QObject {
    Q_OBJECT

private slots:
    void thresholdPassFailUnknown()
    {
        const Policy p = policyOf({threshold("val_auc", CompareOp::GreaterEqual, 0.90)});
        GateInput in;
        in.candidateMetrics["val_auc"] = 0.912;
        GateResult r = only(p, in);
        QCOMPARE(r.outcome, GateResult::Pass);
        QCOMPARE(r.kind, std::string("threshold"));
        QCOMPARE(detailOf(r), QString("val_auc 0.912 ≥ 0.900"));
        QCOMPARE(r.actual, 0.912);
        QCOMPARE(r.expected, 0.90);
        QCOMPARE(QString::fromStdString(r.name), QString("val_auc ≥ 0.9"));

        in.candidateMetrics["val_auc"] = 0.88;
        r = only(p, in);
        QCOMPARE(r.outcome, GateResult::Fail);
        QCOMPARE(detailOf(r), QString("val_auc 0.880, required ≥ 0.900"));

        in.candidateMetrics["val_auc"] = kNaN;
        r = only(p, in);
        QCOMPARE(r.outcome, GateResult::Unknown);
        QCOMPARE(detailOf(r), QString("val_auc is NaN (required ≥ 0.900)"));

        in.candidateMetrics.clear();
        r = only(p, in);
        QCOMPARE(r.outcome, GateResult::Unknown);
        QVERIFY(detailOf(r).contains("not logged"));
        QVERIFY(std::isnan(r.actual));
    }

    void thresholdOperators()
    {
        GateInput in;
        in.candidateMetrics["loss"] = 0.25;
        const auto outcome = [&](CompareOp op, double v) {
            return only(policyOf({threshold("loss", op, v)}), in).outcome;
        };
        QCOMPARE(outcome(CompareOp::Less, 0.3), GateResult::Pass);
        QCOMPARE(outcome(CompareOp::Less, 0.25), GateResult::Fail);
        QCOMPARE(outcome(CompareOp::LessEqual, 0.25), GateResult::Pass);
        QCOMPARE(outcome(CompareOp::Greater, 0.25), GateResult::Fail);
        QCOMPARE(outcome(CompareOp::Equal, 0.25), GateResult::Pass);
        QCOMPARE(outcome(CompareOp::NotEqual, 0.25), GateResult::Fail);
    }

    void regressionHigherIsBetter()
    {
        const Policy p = policyOf({regression("val_auc", 0.5)});
        GateInput in;
        in.holderMetrics = std::map<std::string, double>{{"val_auc", 0.92}};
        in.candidateMetrics["val_auc"] = 0.9143;
        GateResult r = only(p, in);
        QCOMPARE(r.outcome, GateResult::Fail);
        QCOMPARE(r.kind, std::string("regression"));
        QCOMPARE(detailOf(r),
                 QString("val_auc dropped 0.62 % (0.9200 → 0.9143), limit 0.5 %"));
        QVERIFY(std::fabs(r.actual - 0.6196) < 1e-3);
        QCOMPARE(r.expected, 0.5);

        in.candidateMetrics["val_auc"] = 0.9170; // 0.33 % lower
        r = only(p, in);
        QCOMPARE(r.outcome, GateResult::Pass);
        QCOMPARE(detailOf(r),
                 QString("val_auc dropped 0.33 % (0.9200 → 0.9170), limit 0.5 %"));

        in.candidateMetrics["val_auc"] = 0.93;
        r = only(p, in);
        QCOMPARE(r.outcome, GateResult::Pass);
        QCOMPARE(detailOf(r),
                 QString("val_auc improved 1.09 % (0.9200 → 0.9300), limit 0.5 %"));
    }

    void regressionLowerIsBetter()
    {
        const Policy p = policyOf({regression("val_loss", 1.0, true)});
        GateInput in;
        in.holderMetrics = std::map<std::string, double>{{"val_loss", 0.25}};
        in.candidateMetrics["val_loss"] = 0.2530; // 1.2 % higher: worse
        GateResult r = only(p, in);
        QCOMPARE(r.outcome, GateResult::Fail);
        QCOMPARE(detailOf(r), QString("val_loss rose 1.20 % (0.2500 → 0.2530), limit 1 %"));

        in.candidateMetrics["val_loss"] = 0.20; // lower: better, whatever the size
        r = only(p, in);
        QCOMPARE(r.outcome, GateResult::Pass);
        QCOMPARE(detailOf(r), QString("val_loss improved 20.00 % (0.2500 → 0.2000), limit 1 %"));
    }

    void regressionUnknowns()
    {
        const Policy p = policyOf({regression("val_auc", 0.5)});
        GateInput in;
        in.candidateMetrics["val_auc"] = 0.91;
        GateResult r = only(p, in); // no holder yet: a first promotion passes
        QCOMPARE(r.outcome, GateResult::Pass);
        QVERIFY2(detailOf(r).contains("no current holder"), r.detail.c_str());

        in.holderMetrics = std::map<std::string, double>{{"val_auc", kNaN}};
        r = only(p, in);
        QCOMPARE(r.outcome, GateResult::Unknown);
        QVERIFY(detailOf(r).contains("current holder"));

        in.holderMetrics = std::map<std::string, double>{{"val_auc", 0.92}};
        in.candidateMetrics["val_auc"] = kNaN;
        r = only(p, in);
        QCOMPARE(r.outcome, GateResult::Unknown);
        QVERIFY(detailOf(r).contains("candidate"));

        in.candidateMetrics["val_auc"] = 0.9;
        in.holderMetrics = std::map<std::string, double>{{"val_auc", 0.0}};
        QCOMPARE(only(p, in).outcome, GateResult::Unknown);
    }

    void requiredTag()
    {
        TagGate g;
        g.tag = "validation_status";
        g.equals = "passed";
        const Policy p = policyOf({g});
        GateInput in;
        GateResult r = only(p, in);
        QCOMPARE(r.outcome, GateResult::Fail);
        QCOMPARE(detailOf(r), QString("tag validation_status is not set, required \"passed\""));

        in.candidateTags["validation_status"] = "failed";
        r = only(p, in);
        QCOMPARE(r.outcome, GateResult::Fail);
        QCOMPARE(detailOf(r),
                 QString("tag validation_status is \"failed\", required \"passed\""));

        in.candidateTags["validation_status"] = "passed";
        r = only(p, in);
        QCOMPARE(r.outcome, GateResult::Pass);
        QCOMPARE(detailOf(r), QString("tag validation_status = \"passed\""));
    }

    void allPassNeedsEveryGate()
    {
        ThresholdGate named = threshold("val_auc", CompareOp::GreaterEqual, 0.9);
        named.name = "AUC floor";
        const Policy p = policyOf({named, regression("val_auc", 0.5)});
        GateInput in;
        in.candidateMetrics["val_auc"] = 0.95;
        auto results = evaluateGates(p, in);
        QCOMPARE(results.size(), size_t(2));
        QCOMPARE(results[0].name, std::string("AUC floor"));
        QVERIFY(allPass(results)); // no holder: nothing to regress from
        in.holderMetrics = std::map<std::string, double>{{"val_auc", 0.97}};
        results = evaluateGates(p, in);
        QVERIFY(!allPass(results)); // a 2 % drop against a 0.5 % limit
        in.holderMetrics = std::map<std::string, double>{{"val_auc", 0.94}};
        results = evaluateGates(p, in);
        QVERIFY(allPass(results));
        QVERIFY(allPass({}));
        QCOMPARE(gateOutcomeText(GateResult::Unknown), std::string_view("unknown"));
    }

    void reviewerRules()
    {
        Policy p;
        p.reviewers.requiredApprovals = 2;
        p.reviewers.allowed = {"ana", "ben", "cho"};
        const int64_t now = 1'790'000'000'000;

        QVERIFY(canApprove(p, "dev", "ana", {}, now).ok());

        auto r = canApprove(p, "ana", "ana", {}, now);
        QVERIFY(!r.ok());
        QCOMPARE(r.error().code, std::string("refused"));
        QVERIFY(QString::fromStdString(r.error().message).contains("Self-approval"));

        r = canApprove(p, "dev", "eve", {}, now);
        QVERIFY(!r.ok());
        QVERIFY(QString::fromStdString(r.error().message).contains("not among"));

        r = canApprove(p, "dev", "ana", {"ana"}, now);
        QVERIFY(!r.ok());
        QVERIFY(QString::fromStdString(r.error().message).contains("already approved"));

        QVERIFY(!approvalsMet(p, {"ana"}));
        QVERIFY(!approvalsMet(p, {"ana", "ana"}));
        QVERIFY(approvalsMet(p, {"ana", "ben"}));

        p.reviewers.allowSelfApproval = true;
        QVERIFY(canApprove(p, "ana", "ana", {}, now).ok());

        p.reviewers.allowed.clear(); // anyone
        QVERIFY(canApprove(p, "dev", "eve", {}, now).ok());
        QVERIFY(!canApprove(p, "dev", "", {}, now).ok());
    }

    void freezeWindowRefuses()
    {
        Policy p;
        p.reviewers.allowed = {"ana"};
        p.freeze = FreezeWindow{1000, 2000};
        auto r = canApprove(p, "dev", "ana", {}, 1500);
        QVERIFY(!r.ok());
        QVERIFY2(QString::fromStdString(r.error().message).contains("frozen"),
                 r.error().message.c_str());
        QVERIFY(!canApprove(p, "dev", "ana", {}, 1000).ok());
        QVERIFY(canApprove(p, "dev", "ana", {}, 999).ok());
        QVERIFY(canApprove(p, "dev", "ana", {}, 2000).ok());
    }
};

QTEST_GUILESS_MAIN(TestApprovalGates)
#include "tst_approvalgates.moc"
