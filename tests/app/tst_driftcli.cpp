// SPDX-License-Identifier: GPL-3.0-or-later
// `sightline drift` as a pipeline runs it: the real binary, exit codes 0 (no drift), 1 (dataset
// drift) and 2 (any error, one line on stderr), the JSON shape other tools read, and a saved
// profile that scores exactly like the reference it came from.
#include <nlohmann/json.hpp>

#include <QFile>
#include "runbinary.h"

#include <QProcess>
#include <QTemporaryDir>
#include <QtTest>

namespace {

using sightline::test::Outcome;

Outcome run(const QStringList &args, int timeoutMs = 120000)
{
    return sightline::test::runSightline(args, timeoutMs);
}

void writeText(const QString &path, const QByteArray &text)
{
    QFile f(path);
    QVERIFY(f.open(QIODevice::WriteOnly | QIODevice::Truncate));
    f.write(text);
}

// Two numeric columns, both shifted by `shift` in the current file.
QByteArray numbersCsv(int rows, double shift, unsigned seed)
{
    QByteArray out = "a,b,kind\n";
    uint64_t state = seed;
    auto next = [&] {
        state = state * 6364136223846793005ull + 1442695040888963407ull;
        return double(state >> 11) / 9007199254740992.0;
    };
    for (int i = 0; i < rows; ++i)
        out += QByteArray::number(next() + shift, 'g', 10) + ","
            + QByteArray::number(next() * 2 + shift, 'g', 10) + "," + (i % 3 ? "x" : "y") + "\n";
    return out;
}

bool oneErrorLine(const Outcome &o)
{
    return o.err.startsWith(QLatin1String("sightline: ")) && o.err.count(QLatin1Char('\n')) == 1;
}

} // namespace

class TestDriftCli : public QObject {
    Q_OBJECT

private:
    QTemporaryDir m_dir;
    QString m_ref;
    QString m_cur;

    QString path(const char *name) const { return m_dir.filePath(QString::fromLatin1(name)); }

private slots:
    void initTestCase()
    {
        QVERIFY(m_dir.isValid());
        const QString demo = path("demo.sqlite");
        Outcome o = run({QStringLiteral("demo"), QStringLiteral("--out"), demo,
                         QStringLiteral("--long-steps"), QStringLiteral("100")});
        QCOMPARE(o.code, 0);
        m_ref = path("demo-reference.csv");
        m_cur = path("demo-current.csv");
        QVERIFY(o.out.contains(m_ref));
        QVERIFY(o.out.contains(m_cur));
        QVERIFY(QFile::exists(m_ref));
        QVERIFY(QFile::exists(m_cur));
    }

    void demoDataHasNoDatasetDrift()
    {
        Outcome o = run({QStringLiteral("drift"), m_ref, m_cur});
        QCOMPARE(o.code, 0);
        QVERIFY(o.err.isEmpty());
        QVERIFY(o.out.startsWith(QLatin1String("Data drift: 3 of 13 columns drifted")));
        QVERIFY(o.out.contains(QLatin1String("income")));
    }

    void datasetDriftExitsOne()
    {
        writeText(path("a.csv"), numbersCsv(3000, 0.0, 1));
        writeText(path("b.csv"), numbersCsv(3000, 0.5, 2));
        Outcome o = run({QStringLiteral("drift"), path("a.csv"), path("b.csv"),
                         QStringLiteral("--format"), QStringLiteral("json")});
        QCOMPARE(o.code, 1);
        auto j = nlohmann::json::parse(o.out.toStdString());
        QVERIFY(j["dataset_drift"].get<bool>());
        QCOMPARE(j["number_of_drifted_columns"].get<int>(), 2);
        // The same files with a looser threshold on both columns pass the gate.
        o = run({QStringLiteral("drift"), path("a.csv"), path("b.csv"),
                 QStringLiteral("--threshold"), QStringLiteral("a=10"),
                 QStringLiteral("--threshold=b=10")});
        QCOMPARE(o.code, 0);
    }

    void jsonShape()
    {
        Outcome o = run({QStringLiteral("drift"), m_ref, m_cur, QStringLiteral("--format"),
                         QStringLiteral("json"), QStringLiteral("--all-statistics"),
                         QStringLiteral("--time-column"), QStringLiteral("timestamp"),
                         QStringLiteral("--window"), QStringLiteral("1d"),
                         QStringLiteral("--segment"), QStringLiteral("region")});
        QCOMPARE(o.code, 0);
        auto j = nlohmann::json::parse(o.out.toStdString());
        for (const char *key : {"dataset_drift", "drift_share", "columns", "windows", "segments"})
            QVERIFY2(j.contains(key), key);
        QVERIFY(j["dataset_drift"].is_boolean());
        QVERIFY(j["drift_share"].is_number());
        QCOMPARE(j["columns"].size(), size_t(13));
        for (const auto &c : j["columns"]) {
            for (const char *key : {"name", "type", "method", "score", "threshold", "drifted",
                                    "statistics"})
                QVERIFY2(c.contains(key), key);
            const auto &s = c["statistics"];
            const std::string type = c["type"];
            QVERIFY(s.contains("psi") && s.contains("jensen_shannon") && s.contains("hellinger"));
            if (type == "numeric") {
                for (const char *key : {"ks_statistic", "ks_p_value", "wasserstein",
                                        "wasserstein_normed"})
                    QVERIFY2(s.contains(key), key);
                QVERIFY(!s.contains("chi2_p_value") && !s.contains("linf"));
            } else {
                for (const char *key : {"chi2_statistic", "chi2_p_value", "linf"})
                    QVERIFY2(s.contains(key), key);
                QVERIFY(!s.contains("ks_statistic"));
                QCOMPARE(s.contains("ztest_p_value"), type == "boolean");
            }
        }
        QCOMPARE(j["windows"].size(), size_t(7));
        QCOMPARE(j["windows"][0]["window"].get<std::string>(), std::string("2026-11-01"));
        QCOMPARE(j["segments"].size(), size_t(4));
        QCOMPARE(j["segment_reference"].get<std::string>(), std::string("segment"));
    }

    void methodOverrides()
    {
        Outcome o = run({QStringLiteral("drift"), m_ref, m_cur, QStringLiteral("--format"),
                         QStringLiteral("json"), QStringLiteral("--method"),
                         QStringLiteral("income=psi"), QStringLiteral("--threshold"),
                         QStringLiteral("income=50"), QStringLiteral("--method"),
                         QStringLiteral("device=chi2")});
        QCOMPARE(o.code, 0);
        auto j = nlohmann::json::parse(o.out.toStdString());
        for (const auto &c : j["columns"]) {
            if (c["name"] == "income") {
                QCOMPARE(c["method"].get<std::string>(), std::string("psi"));
                QCOMPARE(c["threshold"].get<double>(), 50.0);
                QVERIFY(!c["drifted"].get<bool>());
            }
            if (c["name"] == "device")
                QCOMPARE(c["method"].get<std::string>(), std::string("chi2"));
        }
        Outcome bad = run({QStringLiteral("drift"), m_ref, m_cur, QStringLiteral("--method"),
                           QStringLiteral("device=ks")});
        QCOMPARE(bad.code, 2);
        QVERIFY(oneErrorLine(bad));
        bad = run({QStringLiteral("drift"), m_ref, m_cur, QStringLiteral("--method"),
                   QStringLiteral("income=magic")});
        QCOMPARE(bad.code, 2);
        QVERIFY(oneErrorLine(bad));
    }

    void profileScoresLikeTheReference()
    {
        const QString profile = path("ref.profile");
        const QStringList common{QStringLiteral("--format"), QStringLiteral("json"),
                                 QStringLiteral("--all-statistics"),
                                 QStringLiteral("--segment"), QStringLiteral("region")};
        Outcome fitted = run(QStringList{QStringLiteral("drift"), m_ref, m_cur,
                                         QStringLiteral("--profile-out"), profile}
                             + common);
        QCOMPARE(fitted.code, 0);
        QVERIFY(QFile::exists(profile));
        Outcome reused = run(QStringList{QStringLiteral("drift"), QStringLiteral("--profile"),
                                         profile, m_cur}
                             + common);
        QCOMPARE(reused.code, 0);
        QCOMPARE(reused.out, fitted.out);

        // Fitting alone, without a current file.
        const QString alone = path("alone.profile");
        Outcome fitOnly = run({QStringLiteral("drift"), m_ref, QStringLiteral("--profile-out"),
                               alone, QStringLiteral("--segment"), QStringLiteral("region")});
        QCOMPARE(fitOnly.code, 0);
        QVERIFY(fitOnly.out.contains(QLatin1String("20000 rows")));
        Outcome again = run(QStringList{QStringLiteral("drift"), QStringLiteral("--profile"),
                                        alone, m_cur}
                            + common);
        QCOMPARE(again.out, fitted.out);

        // A file that is not a profile.
        Outcome bad = run({QStringLiteral("drift"), QStringLiteral("--profile"), m_ref, m_cur});
        QCOMPARE(bad.code, 2);
        QVERIFY(oneErrorLine(bad));
    }

    void badInputExitsTwoWithOneLine()
    {
        writeText(path("ragged.csv"), "a,b\n1,2\n3\n4,5\n");
        writeText(path("empty.csv"), "");
        writeText(path("text.csv"), "a,b,kind\n1,2,x\nhello,3,y\n");
        writeText(path("good.csv"), numbersCsv(100, 0.0, 3));
        writeText(path("narrow.csv"), "a,kind\n1,x\n2,y\n");
        const QString drift = QStringLiteral("drift");
        const QList<QStringList> cases{
            {drift, path("ragged.csv"), path("good.csv")},
            {drift, path("good.csv"), path("ragged.csv")},
            {drift, path("empty.csv"), path("good.csv")},
            {drift, path("good.csv"), path("empty.csv")},
            {drift, path("good.csv"), path("text.csv")},   // not a number where one must be
            {drift, path("good.csv"), path("narrow.csv")}, // column b is missing
            {drift, path("good.csv"), path("nowhere.csv")},
            {drift},
            {drift, path("good.csv")},
            {drift, path("good.csv"), path("good.csv"), path("good.csv")},
            {drift, path("good.csv"), path("good.csv"), QStringLiteral("--bogus")},
            {drift, path("good.csv"), path("good.csv"), QStringLiteral("--format"),
             QStringLiteral("xml")},
            {drift, path("good.csv"), path("good.csv"), QStringLiteral("--window"),
             QStringLiteral("1d")},
            {drift, path("good.csv"), path("good.csv"), QStringLiteral("--type"),
             QStringLiteral("a=colour")},
            {drift, path("good.csv"), path("good.csv"), QStringLiteral("--segment"),
             QStringLiteral("a")},
            {drift, QStringLiteral("--profile"), path("x"), path("good.csv"), path("good.csv")},
        };
        for (const auto &args : cases) {
            Outcome o = run(args);
            const QByteArray what = args.join(QLatin1Char(' ')).toUtf8();
            QVERIFY2(o.code == 2, what.constData());
            QVERIFY2(oneErrorLine(o), (what + " -> " + o.err.toUtf8()).constData());
            QVERIFY2(o.out.isEmpty(), what.constData());
        }
        Outcome ragged = run({drift, path("good.csv"), path("ragged.csv")});
        QVERIFY(ragged.err.contains(QLatin1String("ragged.csv:3")));
    }

    void csvAndTableFormats()
    {
        Outcome csv = run({QStringLiteral("drift"), m_ref, m_cur, QStringLiteral("--format"),
                           QStringLiteral("csv")});
        QCOMPARE(csv.code, 0);
        QVERIFY(csv.out.startsWith(QLatin1String("scope,group,column,type,method,score")));
        QCOMPARE(csv.out.count(QLatin1Char('\n')), 15); // header, summary, 13 columns
        Outcome table = run({QStringLiteral("drift"), m_ref, m_cur, QStringLiteral("--segment"),
                             QStringLiteral("region"), QStringLiteral("--time-column"),
                             QStringLiteral("timestamp"), QStringLiteral("--window"),
                             QStringLiteral("1d")});
        QCOMPARE(table.code, 0);
        QVERIFY(table.out.contains(QLatin1String("Windows by timestamp, 1d (7)")));
        QVERIFY(table.out.contains(QLatin1String("Segments by region")));
    }

    void usageListsDrift()
    {
        Outcome o = run({QStringLiteral("help")});
        QCOMPARE(o.code, 0);
        QVERIFY(o.out.contains(QLatin1String("sightline drift REFERENCE CURRENT")));
        QVERIFY(o.out.contains(QLatin1String("-reference.csv")));
    }
};

QTEST_GUILESS_MAIN(TestDriftCli)
#include "tst_driftcli.moc"
