// SPDX-License-Identifier: GPL-3.0-or-later
// Tests of parsePolicy: a full policy file read into gates, reviewer rules and freeze window, and
// invalid files each rejected with the line where the problem is and the reason.
#include "approval/policy.h"

#include <QtTest>

#include <string>

using namespace sightline;

namespace {

// The line number at the start of a policy error ("line N: ..." or "line N, column C: ...").
int errorLine(const Result<Policy> &r)
{
    if (r.ok())
        return -1;
    const std::string &m = r.error().message;
    if (m.rfind("line ", 0) != 0)
        return -2;
    return std::stoi(m.substr(5));
}

bool mentions(const Result<Policy> &r, const std::string &text)
{
    return !r.ok() && r.error().message.find(text) != std::string::npos;
}

} // namespace

class TestApprovalPolicy : public QObject {
    Q_OBJECT

private slots:
    void readsAFullPolicy()
    {
        const std::string text = R"({
  "gates": [
    {"metric": "val_auc", "op": ">=", "value": 0.90},
    {"metric": "val_auc", "max_drop_percent": 0.5},
    {"name": "loss", "metric": "val_loss", "max_drop_percent": 2, "lower_is_better": true},
    {"tag": "validation_status", "equals": "passed"}
  ],
  "reviewers": {"required_approvals": 2, "allowed": ["ana", "ben"],
                "allow_self_approval": false},
  "freeze": {"from": "2026-12-20T00:00:00Z", "to": "2027-01-02T00:00:00Z"}
}
)";
        const auto r = parsePolicy(text);
        QVERIFY2(r.ok(), r.ok() ? "" : r.error().message.c_str());
        QCOMPARE(r->gates.size(), size_t(4));

        const auto *t = std::get_if<ThresholdGate>(&r->gates[0]);
        QVERIFY(t);
        QCOMPARE(t->metric, std::string("val_auc"));
        QVERIFY(t->op == CompareOp::GreaterEqual);
        QCOMPARE(t->value, 0.90);
        QCOMPARE(t->line, 3);

        const auto *g = std::get_if<RegressionGate>(&r->gates[1]);
        QVERIFY(g);
        QCOMPARE(g->maxDropPercent, 0.5);
        QVERIFY(!g->lowerIsBetter);
        QCOMPARE(g->line, 4);

        const auto *l = std::get_if<RegressionGate>(&r->gates[2]);
        QVERIFY(l);
        QCOMPARE(l->name, std::string("loss"));
        QVERIFY(l->lowerIsBetter);
        QCOMPARE(l->maxDropPercent, 2.0);

        const auto *tag = std::get_if<TagGate>(&r->gates[3]);
        QVERIFY(tag);
        QCOMPARE(tag->tag, std::string("validation_status"));
        QCOMPARE(tag->equals, std::string("passed"));

        QCOMPARE(r->reviewers.requiredApprovals, 2);
        QCOMPARE(r->reviewers.allowed, (std::vector<std::string>{"ana", "ben"}));
        QVERIFY(!r->reviewers.allowSelfApproval);

        QVERIFY(r->freeze.has_value());
        QCOMPARE(r->freeze->fromMs, int64_t(1797724800000)); // 2026-12-20T00:00:00Z
        QCOMPARE(r->freeze->toMs, int64_t(1798848000000));   // 2027-01-02T00:00:00Z
        QVERIFY(r->freeze->contains(r->freeze->fromMs));
        QVERIFY(!r->freeze->contains(r->freeze->toMs));
    }

    void emptyObjectIsTheDefaultPolicy()
    {
        const auto r = parsePolicy("{}");
        QVERIFY(r.ok());
        QVERIFY(r->gates.empty());
        QCOMPARE(r->reviewers.requiredApprovals, 1);
        QVERIFY(!r->freeze);
    }

    void positionsFromByteOffsets()
    {
        const std::string_view text = "ab\ncd\n\nx";
        QCOMPARE(textPositionAt(text, 0).line, 1);
        QCOMPARE(textPositionAt(text, 1).column, 2);
        QCOMPARE(textPositionAt(text, 3).line, 2);
        QCOMPARE(textPositionAt(text, 3).column, 1);
        QCOMPARE(textPositionAt(text, 7).line, 4);
        QCOMPARE(textPositionAt(text, 100).line, 4); // clamped
    }

    void malformedJsonNamesItsLine()
    {
        const std::string text = "{\n"                                           // 1
                                 "  \"gates\": [\n"                              // 2
                                 "    {\"metric\": \"val_auc\",\n"               // 3
                                 "     \"op\": \">=\",\n"                        // 4
                                 "     \"value\": 0.9}\n"                        // 5
                                 "  ],\n"                                        // 6
                                 "  \"reviewers\": {\"required_approvals\": two}\n" // 7
                                 "}\n";
        const auto r = parsePolicy(text);
        QCOMPARE(errorLine(r), 7);
        QVERIFY2(mentions(r, "line 7, column 40: invalid JSON"), r.error().message.c_str());
        QVERIFY(!mentions(r, "json.exception"));
    }

    void truncatedFileNamesTheLastLine()
    {
        const auto r = parsePolicy("{\n  \"gates\": [\n");
        QCOMPARE(errorLine(r), 3);
        QVERIFY(mentions(r, "invalid JSON"));
    }

    void unknownOpNamesItsLine()
    {
        const std::string text = "{\n"
                                 "  \"gates\": [\n"
                                 "    {\"metric\": \"val_auc\", \"op\": \">=\", \"value\": 0.9},\n"
                                 "    {\"metric\": \"val_f1\", \"op\": \"=>\", \"value\": 0.8}\n"
                                 "  ]\n"
                                 "}\n";
        const auto r = parsePolicy(text);
        QCOMPARE(errorLine(r), 4);
        QVERIFY2(mentions(r, "unknown op \"=>\" in gate 2"), r.error().message.c_str());
    }

    void unknownOpOnItsOwnLine()
    {
        // A gate spread over several lines: the error points at the "op" key.
        const std::string text = "{\"gates\": [\n"
                                 "  {\n"
                                 "    \"metric\": \"val_auc\",\n"
                                 "    \"op\": \"~\",\n"
                                 "    \"value\": 0.9\n"
                                 "  }\n"
                                 "]}\n";
        const auto r = parsePolicy(text);
        QCOMPARE(errorLine(r), 4);
        QVERIFY(mentions(r, "unknown op"));
    }

    void negativePercentage()
    {
        const std::string text = "{\n"
                                 "  \"gates\": [\n"
                                 "    {\"metric\": \"val_auc\", \"op\": \">=\", \"value\": 0.9},\n"
                                 "    {\"metric\": \"val_auc\", \"max_drop_percent\": 0.5},\n"
                                 "    {\"metric\": \"val_f1\",\n"
                                 "     \"max_drop_percent\": -1}\n"
                                 "  ]\n"
                                 "}\n";
        const auto r = parsePolicy(text);
        QCOMPARE(errorLine(r), 6);
        QVERIFY2(mentions(r, "\"max_drop_percent\" in gate 3 must not be negative"),
                 r.error().message.c_str());
    }

    void missingMetricNamesTheGatesLine()
    {
        const std::string text = "{\n"
                                 "  \"gates\": [\n"
                                 "    {\"tag\": \"validation_status\", \"equals\": \"passed\"},\n"
                                 "    {\"op\": \">=\",\n"
                                 "     \"value\": 0.9}\n"
                                 "  ]\n"
                                 "}\n";
        const auto r = parsePolicy(text);
        QCOMPARE(errorLine(r), 4);
        QVERIFY2(mentions(r, "gate 2 has no \"metric\""), r.error().message.c_str());

        const auto reg = parsePolicy("{\"gates\": [\n\n  {\"max_drop_percent\": 1}]}");
        QCOMPARE(errorLine(reg), 3);
        QVERIFY(mentions(reg, "gate 1 has no \"metric\""));
    }

    void wrongTypes_data()
    {
        QTest::addColumn<QString>("text");
        QTest::addColumn<int>("line");
        QTest::addColumn<QString>("reason");
        QTest::newRow("value as string")
                << "{\"gates\": [\n {\"metric\": \"a\", \"op\": \">\",\n  \"value\": \"0.9\"}]}"
                << 3 << "\"value\" in gate 1 must be a number";
        QTest::newRow("gates not an array")
                << "{\n\"gates\": {}}" << 2 << "\"gates\" must be an array";
        QTest::newRow("gate not an object") << "{\"gates\": [\n\n 3]}" << 3
                                            << "gate 1 must be an object";
        QTest::newRow("approvals not integer")
                << "{\"reviewers\": {\n \"required_approvals\": 1.5}}" << 2
                << "\"required_approvals\" must be a whole number";
        QTest::newRow("allowed not strings")
                << "{\"reviewers\": {\"allowed\": [\n \"ana\",\n 7]}}" << 3
                << "\"allowed\" must hold only non-empty user names";
        QTest::newRow("self approval not bool")
                << "{\"reviewers\": {\n\n \"allow_self_approval\": \"no\"}}" << 3
                << "\"allow_self_approval\" in \"reviewers\" must be true or false";
        QTest::newRow("lower_is_better not bool")
                << "{\"gates\": [{\"metric\": \"a\", \"max_drop_percent\": 1,\n"
                   " \"lower_is_better\": 1}]}"
                << 2 << "must be true or false";
        QTest::newRow("equals not string")
                << "{\"gates\": [{\"tag\": \"t\",\n \"equals\": true}]}" << 2
                << "\"equals\" in gate 1 must be a string";
        QTest::newRow("top level array") << "[\n]" << 1 << "must be a JSON object";
        QTest::newRow("freeze without zone")
                << "{\"freeze\": {\"from\": \"2026-12-20T00:00:00Z\",\n"
                   " \"to\": \"2027-01-02T00:00:00\"}}"
                << 2 << "must give a time zone";
        QTest::newRow("freeze reversed")
                << "{\n\"freeze\": {\"from\": \"2027-01-02T00:00:00Z\", "
                   "\"to\": \"2026-12-20T00:00:00Z\"}}"
                << 2 << "ends before it starts";
        QTest::newRow("freeze not a time")
                << "{\"freeze\": {\"from\": \"soon\", \"to\": \"2026-12-20T00:00:00Z\"}}" << 1
                << "not an ISO 8601 time";
        QTest::newRow("unknown gate key")
                << "{\"gates\": [{\"metric\": \"a\", \"op\": \">\", \"value\": 1,\n"
                   " \"treshold\": 2}]}"
                << 2 << "unknown key \"treshold\" in gate 1";
    }

    void wrongTypes()
    {
        QFETCH(QString, text);
        QFETCH(int, line);
        QFETCH(QString, reason);
        const auto r = parsePolicy(text.toStdString());
        QVERIFY(!r.ok());
        QCOMPARE(r.error().code, std::string("invalid"));
        QCOMPARE(errorLine(r), line);
        QVERIFY2(mentions(r, reason.toStdString()), r.error().message.c_str());
    }

    void unknownTopLevelKey()
    {
        const std::string text = "{\n"
                                 "  \"gates\": [],\n"
                                 "  \"reviewers\": {\"required_approvals\": 1},\n"
                                 "  \"freze\": {}\n"
                                 "}\n";
        const auto r = parsePolicy(text);
        QCOMPARE(errorLine(r), 4);
        QVERIFY2(mentions(r, "unknown key \"freze\""), r.error().message.c_str());
    }
};

QTEST_GUILESS_MAIN(TestApprovalPolicy)
#include "tst_approvalpolicy.moc"
