// SPDX-License-Identifier: GPL-3.0-or-later
// Tests of `sightline lineage` on the demo workspace (DOT, JSON, SVG, errors with exit 2) and of
// `sightline drift --workspace --dataset` recording its result for the lineage badge, and
// `sightline render --pane lineage` (a picture with the kinds' colours; one-line errors).
#include "runbinary.h"

#include <QImage>
#include <QSet>
#include <QTemporaryDir>
#include <QtTest>

#include <nlohmann/json.hpp>

using sightline::test::runSightline;

class TestLineageCli : public QObject {
    Q_OBJECT

private:
    QTemporaryDir m_dir;
    QString m_ws;

private slots:
    void initTestCase()
    {
        QVERIFY(m_dir.isValid());
        m_ws = m_dir.filePath(QStringLiteral("demo.sqlite"));
        auto r = runSightline({QStringLiteral("demo"), QStringLiteral("--out"), m_ws,
                               QStringLiteral("--long-steps"), QStringLiteral("500")});
        QCOMPARE(r.code, 0);
    }

    void formats()
    {
        auto json = runSightline({QStringLiteral("lineage"), QStringLiteral("--workspace"), m_ws,
                                  QStringLiteral("--dataset"), QStringLiteral("fraud-train"),
                                  QStringLiteral("--down"), QStringLiteral("2"),
                                  QStringLiteral("--format"), QStringLiteral("json")});
        QCOMPARE(json.code, 0);
        const auto j = nlohmann::json::parse(json.out.toStdString());
        QCOMPARE(j["focus"], "dataset:fraud-train@9f1c22ab");
        bool drift = false, cluster = false;
        for (const auto &n : j["nodes"]) {
            drift |= n.contains("drift") && n["drift"]["state"] == "drifted";
            cluster |= n["kind"] == "cluster";
        }
        QVERIFY(drift);
        QVERIFY(cluster);

        auto dot = runSightline({QStringLiteral("lineage"), QStringLiteral("--workspace"), m_ws,
                                 QStringLiteral("--model"), QStringLiteral("fraud-classifier"),
                                 QStringLiteral("--version"), QStringLiteral("1"),
                                 QStringLiteral("--up"), QStringLiteral("2"),
                                 QStringLiteral("--format"), QStringLiteral("dot")});
        QCOMPARE(dot.code, 0);
        QVERIFY(dot.out.startsWith(QStringLiteral("digraph lineage {")));
        QVERIFY(dot.out.contains(QStringLiteral("label=\"training\"")));

        auto svg = runSightline({QStringLiteral("lineage"), QStringLiteral("--workspace"), m_ws,
                                 QStringLiteral("--dataset"), QStringLiteral("fraud-eval"),
                                 QStringLiteral("--format"), QStringLiteral("svg")});
        QCOMPARE(svg.code, 0);
        QVERIFY(svg.out.contains(QStringLiteral("<svg")));
        QVERIFY(svg.out.contains(QStringLiteral("</svg>")));
    }

    void errors()
    {
        const QList<QStringList> bad = {
            {QStringLiteral("lineage"), QStringLiteral("--workspace"), m_ws},
            {QStringLiteral("lineage"), QStringLiteral("--workspace"), m_ws,
             QStringLiteral("--run"), QStringLiteral("nope")},
            {QStringLiteral("lineage"), QStringLiteral("--workspace"), m_ws,
             QStringLiteral("--model"), QStringLiteral("fraud-classifier"),
             QStringLiteral("--version"), QStringLiteral("99")},
            {QStringLiteral("lineage"), QStringLiteral("--workspace"), m_ws,
             QStringLiteral("--dataset"), QStringLiteral("fraud-train"), QStringLiteral("--format"),
             QStringLiteral("png")},
            {QStringLiteral("lineage"), QStringLiteral("--workspace"), m_ws,
             QStringLiteral("--dataset"), QStringLiteral("fraud-train"), QStringLiteral("--up"),
             QStringLiteral("-1")},
            {QStringLiteral("lineage"), QStringLiteral("--workspace"),
             m_dir.filePath(QStringLiteral("missing.sqlite")), QStringLiteral("--run"),
             QStringLiteral("x")},
        };
        for (const QStringList &args : bad) {
            auto r = runSightline(args);
            QCOMPARE(r.code, 2);
            QVERIFY(r.out.isEmpty());
            QCOMPARE(r.err.trimmed().count(QLatin1Char('\n')), 0);
            QVERIFY(r.err.startsWith(QStringLiteral("sightline: ")));
        }
    }

    void driftRecordsResult()
    {
        const QString ref = m_dir.filePath(QStringLiteral("demo-reference.csv"));
        const QString cur = m_dir.filePath(QStringLiteral("demo-current.csv"));
        auto r = runSightline({QStringLiteral("drift"), ref, cur, QStringLiteral("--quiet"),
                               QStringLiteral("--workspace"), m_ws, QStringLiteral("--dataset"),
                               QStringLiteral("fraud-eval@c0ffee12")});
        QVERIFY(r.code == 0 || r.code == 1);
        auto json = runSightline({QStringLiteral("lineage"), QStringLiteral("--workspace"), m_ws,
                                  QStringLiteral("--dataset"), QStringLiteral("fraud-eval")});
        QCOMPARE(json.code, 0);
        const auto j = nlohmann::json::parse(json.out.toStdString());
        bool found = false;
        for (const auto &n : j["nodes"])
            if (n["key"] == "dataset:fraud-eval@c0ffee12")
                found = n.contains("drift")
                        && n["drift"]["state"] == (r.code == 1 ? "drifted" : "ok");
        QVERIFY(found);
        auto half = runSightline({QStringLiteral("drift"), ref, cur, QStringLiteral("--workspace"),
                                  m_ws});
        QCOMPARE(half.code, 2);
    }

    void renderPane()
    {
        const QString png = m_dir.filePath(QStringLiteral("lineage.png"));
        auto r = runSightline({QStringLiteral("render"), QStringLiteral("--workspace"), m_ws,
                               QStringLiteral("--pane"), QStringLiteral("lineage"),
                               QStringLiteral("--dataset"), QStringLiteral("fraud-train"),
                               QStringLiteral("--down"), QStringLiteral("2"),
                               QStringLiteral("--out"), png, QStringLiteral("--size"),
                               QStringLiteral("1400x900")});
        QVERIFY2(r.code == 0, qPrintable(r.err));
        QImage image(png);
        QCOMPARE(image.size(), QSize(1400, 900));
        QSet<QRgb> colours;
        for (int y = 0; y < image.height(); y += 2)
            for (int x = 0; x < image.width(); x += 2)
                colours.insert(image.pixel(x, y) & 0xffffff);
        // Datasets' and versions' fills, and the red of the drift badge.
        for (QRgb c : {QRgb(0xdcf1ec), QRgb(0xefe4f7), QRgb(0xd93b2b)})
            QVERIFY2(colours.contains(c), qPrintable(QString::number(c, 16)));

        auto missing = runSightline({QStringLiteral("render"), QStringLiteral("--workspace"), m_ws,
                                     QStringLiteral("--pane"), QStringLiteral("lineage"),
                                     QStringLiteral("--run"), QStringLiteral("nope"),
                                     QStringLiteral("--out"), png});
        QCOMPARE(missing.code, 1);
        QVERIFY(missing.err.contains(QStringLiteral("run nope")));
        QCOMPARE(missing.err.trimmed().count(QLatin1Char('\n')), 0);
        auto two = runSightline({QStringLiteral("render"), QStringLiteral("--workspace"), m_ws,
                                 QStringLiteral("--pane"), QStringLiteral("lineage"),
                                 QStringLiteral("--run"), QStringLiteral("a"),
                                 QStringLiteral("--dataset"), QStringLiteral("b"),
                                 QStringLiteral("--out"), png});
        QCOMPARE(two.code, 2);
        QVERIFY(two.err.contains(QStringLiteral("one focus")));
    }
};

QTEST_GUILESS_MAIN(TestLineageCli)
#include "tst_lineagecli.moc"
