// SPDX-License-Identifier: GPL-3.0-or-later
// The command line as a user runs it: the real binary, its output, its exit codes, and one clear
// line on stderr for every kind of bad input.
#include <nlohmann/json.hpp>

#include <QImage>
#include <QRegularExpression>

#include <set>
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

} // namespace

class TestCli : public QObject {
    Q_OBJECT

private:
    QTemporaryDir m_dir;
    QString m_demo;

private slots:
    void initTestCase()
    {
        m_demo = m_dir.filePath(QStringLiteral("demo.sqlite"));
        Outcome o = run({QStringLiteral("demo"), QStringLiteral("--out"), m_demo,
                         QStringLiteral("--long-steps"), QStringLiteral("5000")});
        QCOMPARE(o.code, 0);
        QVERIFY(o.out.contains(QStringLiteral("runs")));
    }

    void demoIsDeterministic()
    {
        const QString other = m_dir.filePath(QStringLiteral("demo2.sqlite"));
        QCOMPARE(run({QStringLiteral("demo"), QStringLiteral("--out"), other,
                      QStringLiteral("--long-steps"), QStringLiteral("5000")})
                     .code,
                 0);
        const QStringList args{QStringLiteral("runs"), QStringLiteral("--format"),
                               QStringLiteral("csv"), QStringLiteral("--columns"),
                               QStringLiteral("run_id,name,params.learning_rate,metrics.val_loss:min")};
        Outcome a = run(QStringList(args) << QStringLiteral("--workspace") << m_demo);
        Outcome b = run(QStringList(args) << QStringLiteral("--workspace") << other);
        QCOMPARE(a.code, 0);
        QCOMPARE(a.out, b.out);
        QVERIFY(a.out.count(QLatin1Char('\n')) > 250); // a few hundred runs
    }

    void demoHasWhatTheIssueAsksFor()
    {
        Outcome o = run({QStringLiteral("runs"), QStringLiteral("--workspace"), m_demo,
                         QStringLiteral("--format"), QStringLiteral("json"),
                         QStringLiteral("--columns"),
                         QStringLiteral("run_id,name,experiment,status,parent_run_id")});
        QCOMPARE(o.code, 0);
        auto runs = nlohmann::json::parse(o.out.toStdString());
        int children = 0, running = 0;
        std::set<std::string> experiments;
        for (const auto &r : runs) {
            children += !r["parent_run_id"].is_null();
            running += r["status"] == "RUNNING";
            experiments.insert(r["experiment"].get<std::string>());
        }
        QVERIFY(runs.size() >= 200);
        QVERIFY(children >= 20);
        QVERIFY(running >= 1);
        QVERIFY(experiments.size() >= 3);
    }

    void runsFilterAndFormats()
    {
        Outcome table = run({QStringLiteral("runs"), QStringLiteral("--workspace"), m_demo,
                             QStringLiteral("--experiment"), QStringLiteral("cifar10-resnet"),
                             QStringLiteral("--filter"),
                             QStringLiteral("params.optimizer = 'adam' AND metrics.val_loss < 1"),
                             QStringLiteral("--columns"),
                             QStringLiteral("name,params.optimizer,metrics.val_loss")});
        QCOMPARE(table.code, 0);
        QVERIFY(table.out.startsWith(QStringLiteral("name")));
        QVERIFY(!table.out.contains(QStringLiteral("  sgd")));
        QVERIFY(table.out.contains(QStringLiteral("adam")));

        Outcome csv = run({QStringLiteral("runs"), QStringLiteral("--workspace"), m_demo,
                           QStringLiteral("--filter"), QStringLiteral("tags.purpose = 'edge-cases'"),
                           QStringLiteral("--columns"),
                           QStringLiteral("name,params.sql,params.markup,metrics.nan_metric"),
                           QStringLiteral("--format"), QStringLiteral("csv")});
        QCOMPARE(csv.code, 0);
        // Markup and SQL-looking values come out as the text they are.
        QVERIFY(csv.out.contains(QStringLiteral("'); DROP TABLE runs;--")));
        QVERIFY(csv.out.contains(QStringLiteral("<b>x</b>")));
    }

    void badInputIsOneClearLine_data()
    {
        QTest::addColumn<QStringList>("args");
        QTest::addColumn<int>("code");
        QTest::addColumn<QString>("needle");
        QTest::newRow("bad filter") << QStringList{"runs", "--workspace", "W", "--filter",
                                                   "metrics.loss >>> 1"}
                                    << 2 << "column";
        QTest::newRow("bad column") << QStringList{"runs", "--workspace", "W", "--columns",
                                                   "metrics.loss:median"}
                                    << 2 << "median";
        QTest::newRow("no workspace") << QStringList{"runs"} << 2 << "--workspace";
        QTest::newRow("missing file") << QStringList{"runs", "--workspace", "/nonexistent/x.sqlite"}
                                      << 1 << "No workspace";
        QTest::newRow("unknown experiment")
            << QStringList{"runs", "--workspace", "W", "--experiment", "nope"} << 1 << "nope";
        QTest::newRow("bad format") << QStringList{"runs", "--workspace", "W", "--format", "xml"}
                                    << 2 << "table, csv or json";
        QTest::newRow("unknown option") << QStringList{"runs", "--frobnicate"} << 2 << "Unknown";
        QTest::newRow("sync unreachable")
            << QStringList{"sync", "--server", "http://127.0.0.1:9", "--workspace", "S"} << 1
            << "127.0.0.1:9";
        QTest::newRow("sync bad url") << QStringList{"sync", "--server", "ftp://x", "--workspace",
                                                     "S"}
                                      << 2 << "http://";
        QTest::newRow("render bad pane") << QStringList{"render", "--workspace", "W", "--pane",
                                                        "nope", "--out", "x.png"}
                                         << 2 << "nope";
        QTest::newRow("render compare without set")
            << QStringList{"render", "--workspace", "W", "--pane", "compare", "--out", "x.png"}
            << 2 << "--set";
        QTest::newRow("render unknown set")
            << QStringList{"render", "--workspace", "W", "--pane", "compare", "--set", "nope",
                           "--out", "x.png"}
            << 1 << "nope";
        QTest::newRow("render bad tab")
            << QStringList{"render", "--workspace", "W", "--pane", "compare", "--set",
                           "transformer-sweep", "--tab", "pie", "--out", "x.png"}
            << 2 << "--tab";
    }

    void badInputIsOneClearLine()
    {
        QFETCH(QStringList, args);
        QFETCH(int, code);
        QFETCH(QString, needle);
        args.replaceInStrings(QRegularExpression(QStringLiteral("^W$")), m_demo);
        args.replaceInStrings(QRegularExpression(QStringLiteral("^S$")),
                              m_dir.filePath(QStringLiteral("sync.sqlite")));
        Outcome o = run(args, 60000);
        QCOMPARE(o.code, code);
        QVERIFY2(o.err.contains(needle), qPrintable(o.err));
        QCOMPARE(o.err.trimmed().count(QLatin1Char('\n')), 0);
        QVERIFY(o.err.startsWith(QStringLiteral("sightline: ")));
    }

    void renderRunsPane()
    {
        const QString png = m_dir.filePath(QStringLiteral("runs.png"));
        Outcome o = run({QStringLiteral("render"), QStringLiteral("--workspace"), m_demo,
                         QStringLiteral("--pane"), QStringLiteral("runs"), QStringLiteral("--out"),
                         png, QStringLiteral("--size"), QStringLiteral("1200x800")});
        QVERIFY2(o.code == 0, qPrintable(o.err));
        QImage image(png);
        QCOMPARE(image.size(), QSize(1200, 800));
        // Not blank: many distinct colours (text, grid, selection, icons).
        QSet<QRgb> colours;
        for (int y = 0; y < image.height(); y += 7)
            for (int x = 0; x < image.width(); x += 7)
                colours.insert(image.pixel(x, y));
        QVERIFY2(colours.size() > 20, qPrintable(QString::number(colours.size())));
    }

    void renderComparePane_data()
    {
        QTest::addColumn<QString>("tab");
        QTest::newRow("charts") << QStringLiteral("charts");
        QTest::newRow("parallel") << QStringLiteral("parallel");
        QTest::newRow("scatter") << QStringLiteral("scatter");
        QTest::newRow("diff") << QStringLiteral("diff");
    }

    void renderComparePane()
    {
        // The demo's saved sweep: every tab draws, with the runs' colours on it.
        QFETCH(QString, tab);
        const QString png = m_dir.filePath(QStringLiteral("compare-%1.png").arg(tab));
        Outcome o = run({QStringLiteral("render"), QStringLiteral("--workspace"), m_demo,
                         QStringLiteral("--pane"), QStringLiteral("compare"),
                         QStringLiteral("--set"), QStringLiteral("transformer-sweep"),
                         QStringLiteral("--tab"), tab, QStringLiteral("--out"), png,
                         QStringLiteral("--size"), QStringLiteral("1400x900")});
        QVERIFY2(o.code == 0, qPrintable(o.err));
        QImage image(png);
        QCOMPARE(image.size(), QSize(1400, 900));
        QSet<QRgb> colours;
        for (int y = 0; y < image.height(); y += 3)
            for (int x = 0; x < image.width(); x += 3)
                colours.insert(image.pixel(x, y) & 0xffffff);
        // The first runs' palette colours (Okabe-Ito blue, orange, green) are drawn.
        if (tab != QLatin1String("diff"))
            for (QRgb c : {QRgb(0x0072B2), QRgb(0xE69F00), QRgb(0x009E73)})
                QVERIFY2(colours.contains(c), qPrintable(QString::number(c, 16)));
        QVERIFY2(colours.size() > 20, qPrintable(QString::number(colours.size())));
    }
};

QTEST_GUILESS_MAIN(TestCli)
#include "tst_cli.moc"
