// SPDX-License-Identifier: GPL-3.0-or-later
// Parsing what a real MLflow 2.17.2 server sends (the recorded fixtures): absent fields, "NaN"
// strings, +/-DBL_MAX infinities, datasets, registry, and server errors in JSON and HTML.
#include "mlflow/parse.h"

#include <nlohmann/json.hpp>

#include <QFile>
#include <QtTest>

#include <cmath>

using namespace sightline;

namespace {

std::string fixture(const char *name)
{
    QFile f(QStringLiteral(SIGHTLINE_FIXTURES "/mlflow-2.17.2/") + QString::fromLatin1(name));
    if (!f.open(QIODevice::ReadOnly))
        qFatal("missing fixture %s", name);
    return f.readAll().toStdString();
}

std::string raw(const char *name)
{
    return fixture((std::string("raw/") + name + ".body").c_str());
}

} // namespace

class TestMlflowParse : public QObject {
    Q_OBJECT

private slots:
    void runWithNanAndInfinity()
    {
        auto j = mlflow::parseBody(raw("runs-get.nan-inf-edge-cases"));
        QVERIFY(j.ok());
        Run r = mlflow::runFrom((*j)["run"]);
        QCOMPARE(QString::fromStdString(r.runId), QStringLiteral("6e339cfe58d3412daf68d38e67aafef1"));
        QVERIFY(std::isnan(r.metric("nan_metric")->value));
        QCOMPARE(r.metric("inf_metric")->value, 1.7976931348623157e+308);
        QCOMPARE(r.metric("neg_inf_metric")->value, -1.7976931348623157e+308);
        QCOMPARE(r.metric("neg_metric")->value, -1.5e-12);
        QCOMPARE(r.param("long_param")->size(), size_t(600));
        QCOMPARE(QString::fromStdString(*r.tag("unicode_tag")), QStringLiteral("héllo wörld ✓"));
        QVERIFY(r.inputs.empty());
    }

    void runWithDatasets()
    {
        auto j = mlflow::parseBody(raw("runs-get.with-inputs-and-model"));
        QVERIFY(j.ok());
        Run r = mlflow::runFrom((*j)["run"]);
        QVERIFY(!r.inputs.empty());
        bool training = false;
        for (const auto &d : r.inputs) {
            QVERIFY(!d.name.empty());
            QVERIFY(!d.digest.empty());
            // Source is a JSON document inside a string: it parses again.
            if (!d.source.empty())
                QVERIFY(!nlohmann::json::parse(d.source, nullptr, false).is_discarded());
            training = training || d.context == "training";
        }
        QVERIFY(training);
    }

    void childRunKnowsItsParent()
    {
        auto j = mlflow::parseBody(raw("runs-get.child"));
        QVERIFY(j.ok());
        Run r = mlflow::runFrom((*j)["run"]);
        QCOMPARE(QString::fromStdString(r.parentRunId()),
                 QStringLiteral("9430b94582494e97986929aa530e9fe0"));
    }

    void searchPagesAndTheEmptyLastPage()
    {
        auto p1 = mlflow::parseBody(raw("runs-search.exact-multiple.page2"));
        QVERIFY(p1.ok());
        QVERIFY(p1->contains("next_page_token"));
        auto p3 = mlflow::parseBody(raw("runs-search.exact-multiple.page3-empty"));
        QVERIFY(p3.ok());
        QVERIFY(p3->is_object());
        QVERIFY(p3->empty());
    }

    void history()
    {
        auto h = mlflow::parseHistory(raw("metrics-get-history"));
        QVERIFY(h.ok());
        auto j = nlohmann::json::parse(raw("metrics-get-history"));
        QCOMPARE(h->size(), j["metrics"].size());
        QCOMPARE(h->values.front(), j["metrics"][0]["value"].get<double>());
        QVERIFY(std::is_sorted(h->steps.begin(), h->steps.end()));
        auto nan = mlflow::parseHistory(raw("metrics-get-history.nan"));
        QVERIFY(nan.ok());
        QVERIFY(nan->size() >= 1);
        QVERIFY(std::isnan(nan->values.front()));
        auto empty = mlflow::parseHistory(raw("metrics-get-history.unknown-key"));
        QVERIFY(empty.ok());
        QCOMPARE(empty->size(), size_t(0));
    }

    void bulkHistory()
    {
        auto b = mlflow::parseBulkHistory(raw("metrics-get-history-bulk-interval.ajax"));
        QVERIFY(b.ok());
        QCOMPARE(b->size(), size_t(2));
        for (const auto &[id, s] : *b) {
            QCOMPARE(id.size(), size_t(32));
            QVERIFY(s.size() > 0);
        }
        auto compact = mlflow::parseBulkHistory(raw("metrics-get-history-bulk.ajax"));
        QVERIFY(compact.ok());
        QVERIFY(!compact->empty());
    }

    void damagedHistoriesGiveOneClearMessage()
    {
        std::string body = raw("metrics-get-history");
        auto cut = mlflow::parseHistory(std::string_view(body).substr(0, body.size() / 2));
        QVERIFY(!cut.ok());
        QCOMPARE(QString::fromStdString(cut.error().code), QStringLiteral("parse"));
        QVERIFY(QString::fromStdString(cut.error().message).contains(QStringLiteral("not valid JSON")));
        auto html = mlflow::parseHistory(fixture("error.unknown-endpoint.html"));
        QVERIFY(!html.ok());
        QVERIFY(QString::fromStdString(html.error().message).contains(QStringLiteral("HTML")));
        auto body2 = mlflow::parseBody("{\"runs\": [ {\"info\": ");
        QVERIFY(!body2.ok());
        QVERIFY(QString::fromStdString(body2.error().message).contains(QStringLiteral("byte")));
    }

    void registry()
    {
        auto j = mlflow::parseBody(raw("registered-models-get"));
        QVERIFY(j.ok());
        RegisteredModel m = mlflow::registeredModelFrom((*j)["registered_model"]);
        QCOMPARE(QString::fromStdString(m.name), QStringLiteral("fraud-classifier"));
        QCOMPARE(m.aliases.size(), size_t(2));
        QCOMPARE(m.latestVersions.size(), size_t(3));
        auto v = mlflow::parseBody(raw("model-versions-get"));
        QVERIFY(v.ok());
        ModelVersion mv = mlflow::modelVersionFrom((*v)["model_version"]);
        QCOMPARE(QString::fromStdString(mv.version), QStringLiteral("2"));
        QVERIFY(!mv.aliases.empty());
        QCOMPARE(QString::fromStdString(mv.runId), QStringLiteral("fb59f2e8f1c54c69aea81bc56cc1031d"));
    }

    void experiments()
    {
        auto j = mlflow::parseBody(raw("experiments-search.all-view"));
        QVERIFY(j.ok());
        int n = 0;
        for (const auto &e : (*j)["experiments"]) {
            Experiment x = mlflow::experimentFrom(e);
            QVERIFY(!x.experimentId.empty());
            QVERIFY(!x.name.empty());
            ++n;
        }
        QVERIFY(n >= 4);
    }

    void serverErrors_data()
    {
        QTest::addColumn<QString>("file");
        QTest::addColumn<int>("status");
        QTest::addColumn<QString>("contentType");
        QTest::addColumn<QString>("expected");
        QTest::newRow("unknown run") << "error.runs-get-unknown-id.json" << 404
                                     << "application/json" << "RESOURCE_DOES_NOT_EXIST";
        QTest::newRow("bad filter") << "error.runs-search-bad-filter.json" << 400
                                    << "application/json" << "INVALID_PARAMETER_VALUE";
        QTest::newRow("dataset+tag") << "error.runs-search-dataset-plus-tag-filter.json" << 503
                                     << "application/json" << "TEMPORARILY_UNAVAILABLE";
        QTest::newRow("html 404") << "error.unknown-endpoint.html" << 404
                                  << "text/html; charset=utf-8" << "HTML page";
        QTest::newRow("html 500") << "error.graphql-broken-with-debian-graphene2.html" << 500
                                  << "text/html; charset=utf-8" << "failed";
    }

    void serverErrors()
    {
        QFETCH(QString, file);
        QFETCH(int, status);
        QFETCH(QString, contentType);
        QFETCH(QString, expected);
        std::string body = fixture(file.toLatin1().constData());
        QString msg = QString::fromStdString(
            mlflow::describeServerError(status, contentType.toStdString(), body));
        QVERIFY2(msg.contains(expected), qPrintable(msg));
        QVERIFY(!msg.contains(QLatin1Char('\n')));
        QVERIFY(msg.size() < 400);
    }
};

QTEST_APPLESS_MAIN(TestMlflowParse)
#include "tst_mlflowparse.moc"
