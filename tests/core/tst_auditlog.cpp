// SPDX-License-Identifier: GPL-3.0-or-later
// Tests of AuditLog: the hash chain written by append(), verify() finding altered, removed and
// truncated lines where they are, and the JSON and CSV exports.
#include "approval/auditlog.h"

#include <QFile>
#include <QTemporaryDir>
#include <QtTest>

#include <string>
#include <vector>

using namespace sightline;

namespace {

std::string readFile(const std::string &path)
{
    QFile f(QString::fromStdString(path));
    if (!f.open(QIODevice::ReadOnly))
        return {};
    return f.readAll().toStdString();
}

void writeFile(const std::string &path, const std::string &text)
{
    QFile f(QString::fromStdString(path));
    QVERIFY(f.open(QIODevice::WriteOnly | QIODevice::Truncate));
    f.write(text.data(), static_cast<qint64>(text.size()));
}

std::vector<std::string> linesOf(const std::string &text)
{
    std::vector<std::string> lines;
    size_t start = 0;
    while (start < text.size()) {
        const size_t end = text.find('\n', start);
        lines.push_back(text.substr(start, end - start));
        start = end + 1;
    }
    return lines;
}

std::string joinLines(const std::vector<std::string> &lines)
{
    std::string out;
    for (const auto &l : lines)
        out += l + "\n";
    return out;
}

// Counts the records of an RFC 4180 text (line breaks inside quotes do not end a record).
int csvRecords(const std::string &text)
{
    int records = 0;
    bool quoted = false;
    for (char c : text) {
        if (c == '"')
            quoted = !quoted;
        else if (c == '\n' && !quoted)
            ++records;
    }
    return records;
}

// Five entries, the second with a comment that needs CSV quoting.
void appendFive(const AuditLog &log)
{
    const AuditAction actions[] = {AuditAction::Request, AuditAction::Approve,
                                   AuditAction::Approve, AuditAction::Promote,
                                   AuditAction::Rollback};
    for (int i = 0; i < 5; ++i) {
        AuditEntry e;
        e.timeMs = 1'790'000'000'000 + i * 60'000;
        e.actor = i == 0 ? "dev" : "ana";
        e.action = actions[i];
        e.model = "churn";
        e.version = std::to_string(7 + (i == 4 ? -1 : 0));
        e.alias = "champion";
        e.comment = i == 1 ? "looks good, \"ship it\"\nsecond line" : "step " + std::to_string(i);
        e.details = {{"gates", {{"val_auc", "pass"}}}, {"index", i}, {"auc", 0.91 + i * 0.001}};
        const auto r = log.append(e);
        QVERIFY2(r.ok(), r.ok() ? "" : r.error().message.c_str());
        QCOMPARE(r->seq, int64_t(i + 1));
        QCOMPARE(r->hash.size(), size_t(64));
        QCOMPARE(r->hash, auditEntryHash(*r));
    }
}

} // namespace

class TestAuditLog : public QObject {
    Q_OBJECT

private slots:
    void init()
    {
        m_dir = std::make_unique<QTemporaryDir>();
        QVERIFY(m_dir->isValid());
        m_path = m_dir->filePath("audit.jsonl").toStdString();
    }

    void missingFileIsAnEmptyValidLog()
    {
        const AuditLog log(m_path);
        const auto v = log.verify();
        QVERIFY(v.ok());
        QVERIFY(v->ok);
        QCOMPARE(v->entries, 0);
    }

    void appendFiveAndVerify()
    {
        const AuditLog log(m_path);
        appendFive(log);
        const auto lines = linesOf(readFile(m_path));
        QCOMPARE(lines.size(), size_t(5));
        const auto first = parseAuditLine(lines[0]);
        QVERIFY(first.ok());
        QCOMPARE(first->prevHash, auditGenesisHash());
        const auto second = parseAuditLine(lines[1]);
        QVERIFY(second.ok());
        QCOMPARE(second->prevHash, first->hash);
        QCOMPARE(second->comment, std::string("looks good, \"ship it\"\nsecond line"));

        const auto v = log.verify();
        QVERIFY(v.ok());
        QVERIFY2(v->ok, v->message.c_str());
        QCOMPARE(v->entries, 5);
        QCOMPARE(v->line, 0);
    }

    void canonicalTextIsDocumented()
    {
        AuditEntry e;
        e.seq = 1;
        e.timeMs = 5;
        e.actor = "ana";
        e.action = AuditAction::Approve;
        e.model = "m";
        e.version = "2";
        e.alias = "champion";
        e.comment = "ok";
        e.details = {{"z", 1}, {"a", "x"}};
        e.prevHash = auditGenesisHash();
        QCOMPARE(auditCanonicalText(e),
                 std::string("{\"action\":\"approve\",\"actor\":\"ana\",\"alias\":\"champion\","
                             "\"comment\":\"ok\",\"details\":{\"a\":\"x\",\"z\":1},\"model\":\"m\","
                             "\"prev_hash\":\"")
                         + auditGenesisHash() + "\",\"seq\":1,\"time_ms\":5,\"version\":\"2\"}");
    }

    void tamperedFieldIsAltered()
    {
        const AuditLog log(m_path);
        appendFive(log);
        auto lines = linesOf(readFile(m_path));
        const auto pos = lines[2].find("\"actor\":\"ana\"");
        QVERIFY(pos != std::string::npos);
        lines[2].replace(pos, 13, "\"actor\":\"eve\"");
        writeFile(m_path, joinLines(lines));
        const auto v = log.verify();
        QVERIFY(v.ok());
        QVERIFY(!v->ok);
        QCOMPARE(v->line, 3);
        QCOMPARE(v->problem, AuditVerification::Altered);
        QCOMPARE(v->entries, 2);
        QVERIFY2(v->message.rfind("line 3: altered", 0) == 0, v->message.c_str());
    }

    void deletedLineBreaksTheChain()
    {
        const AuditLog log(m_path);
        appendFive(log);
        auto lines = linesOf(readFile(m_path));
        lines.erase(lines.begin() + 1);
        writeFile(m_path, joinLines(lines));
        const auto v = log.verify();
        QVERIFY(v.ok());
        QVERIFY(!v->ok);
        QCOMPARE(v->line, 2); // the line after the removed one
        QCOMPARE(v->problem, AuditVerification::BrokenChain);
        QVERIFY2(v->message.find("broken chain") != std::string::npos, v->message.c_str());
    }

    void rehashedForgeryShowsTheSequenceGap()
    {
        const AuditLog log(m_path);
        appendFive(log);
        auto lines = linesOf(readFile(m_path));
        auto second = parseAuditLine(lines[1]);
        QVERIFY(second.ok());
        auto third = parseAuditLine(lines[2]);
        QVERIFY(third.ok());
        // Line 2 removed and line 3 re-linked and re-hashed by someone who knows the format.
        third->prevHash = second->prevHash;
        third->hash = auditEntryHash(*third);
        lines[2] = auditEntryLine(*third);
        lines.erase(lines.begin() + 1);
        writeFile(m_path, joinLines(lines));
        const auto v = log.verify();
        QVERIFY(v.ok());
        QCOMPARE(v->line, 2);
        QCOMPARE(v->problem, AuditVerification::SequenceGap);
    }

    void truncatedLastLine()
    {
        const AuditLog log(m_path);
        appendFive(log);
        std::string text = readFile(m_path);
        text.resize(text.size() - 20);
        writeFile(m_path, text);
        const auto v = log.verify();
        QVERIFY(v.ok());
        QVERIFY(!v->ok);
        QCOMPARE(v->line, 5);
        QCOMPARE(v->problem, AuditVerification::BadJson);
        QCOMPARE(v->entries, 4);
        QVERIFY2(v->message.find("incomplete") != std::string::npos, v->message.c_str());

        AuditEntry e;
        e.actor = "ana";
        const auto r = log.append(e); // nothing is chained onto a damaged log
        QVERIFY(!r.ok());
        QCOMPARE(r.error().code, std::string("io"));
        QCOMPARE(readFile(m_path), text);
    }

    void badEntryIsReported()
    {
        writeFile(m_path, "{\"seq\":1}\n");
        const auto v = AuditLog(m_path).verify();
        QVERIFY(v.ok());
        QCOMPARE(v->problem, AuditVerification::BadEntry);
        QCOMPARE(v->line, 1);
    }

    void detailsMustBeAnObject()
    {
        AuditEntry e;
        e.details = nlohmann::json::array();
        const auto r = AuditLog(m_path).append(e);
        QVERIFY(!r.ok());
        QCOMPARE(r.error().code, std::string("invalid"));
    }

    void exportsRoundTrip()
    {
        const AuditLog log(m_path);
        appendFive(log);

        const auto json = log.exportJson();
        QVERIFY(json.ok());
        const auto array = nlohmann::json::parse(*json);
        QVERIFY(array.is_array());
        QCOMPARE(array.size(), size_t(5));
        for (size_t i = 0; i < array.size(); ++i) {
            const auto back = parseAuditLine(array[i].dump());
            QVERIFY(back.ok());
            QCOMPARE(back->seq, int64_t(i + 1));
            QCOMPARE(auditEntryHash(*back), back->hash);
        }

        const auto csv = log.exportCsv();
        QVERIFY(csv.ok());
        QCOMPARE(csvRecords(*csv), 6); // header and five entries
        QVERIFY(csv->rfind("seq,time_ms,time,actor,action,", 0) == 0);
        QVERIFY(csv->find("\"looks good, \"\"ship it\"\"\nsecond line\"") != std::string::npos);
        QVERIFY(csv->find("2026-09-21T") != std::string::npos); // 1790000000000 ms, UTC
    }

private:
    std::unique_ptr<QTemporaryDir> m_dir;
    std::string m_path;
};

QTEST_GUILESS_MAIN(TestAuditLog)
#include "tst_auditlog.moc"
