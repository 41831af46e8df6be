// SPDX-License-Identifier: GPL-3.0-or-later
// Parsing what a real MLflow 2.17.2 server sends (the recorded fixtures): absent fields, "NaN"
// strings, +/-DBL_MAX infinities, datasets, registry, and server errors in JSON and HTML.
#include "mlflow/parse.h"

#include <nlohmann/json.hpp>

#include <QFile>
#include <QtTest>

#include <charconv>
#include <cmath>
#include <cstring>
#include <random>

using namespace sightline;
using mlflow::HistoryParser;

namespace {

using Bulk = std::vector<std::pair<std::string, MetricSeries>>;

bool sameBits(const std::vector<double> &a, const std::vector<double> &b)
{
    return a.size() == b.size() && std::memcmp(a.data(), b.data(), a.size() * sizeof(double)) == 0;
}

bool sameSeries(const MetricSeries &a, const MetricSeries &b)
{
    return a.steps == b.steps && a.timestamps == b.timestamps && sameBits(a.values, b.values);
}

bool sameBulk(const Bulk &a, const Bulk &b)
{
    if (a.size() != b.size())
        return false;
    for (size_t i = 0; i < a.size(); ++i)
        if (a[i].first != b[i].first || !sameSeries(a[i].second, b[i].second))
            return false;
    return true;
}

// Reads `body` with the scanner-first parser and with simdjson alone: both must fail, or both
// read the same points, bit for bit. Returns whether the scanner alone read it.
bool readsAlike(const std::string &body)
{
    auto fast = mlflow::parseBulkHistory(body, HistoryParser::Auto);
    auto generic = mlflow::parseBulkHistory(body, HistoryParser::Generic);
    auto scanner = mlflow::parseBulkHistory(body, HistoryParser::Scanner);
    auto fastOne = mlflow::parseHistory(body, HistoryParser::Auto);
    auto genericOne = mlflow::parseHistory(body, HistoryParser::Generic);
    if (fast.ok() != generic.ok() || fastOne.ok() != genericOne.ok()) {
        qWarning("one reader refused what the other read: %s", body.c_str());
        return false;
    }
    if (!generic.ok()) {
        if (scanner.ok())
            qWarning("the scanner read a body simdjson refuses: %s", body.c_str());
        return !scanner.ok() && fast.error().message == generic.error().message;
    }
    if (!sameBulk(*fast, *generic) || !sameSeries(*fastOne, *genericOne)
        || (scanner.ok() && !sameBulk(*scanner, *generic))) {
        qWarning("the readers disagree on: %s", body.c_str());
        return false;
    }
    return true;
}

// A history body as a server might write it: `pretty` as MLflow's REST API does, or compact as
// the ajax route and the test server do; fields in the given order.
struct Written {
    std::string runId;
    std::string step, timestamp, value; // as they appear in the body
};

std::string historyBody(const std::vector<Written> &points, const std::vector<std::string> &order,
                        bool pretty)
{
    const std::string nl = pretty ? "\n" : "", in1 = pretty ? "  " : "",
                      in2 = pretty ? "    " : "", in3 = pretty ? "      " : "",
                      colon = pretty ? ": " : ":";
    std::string out = "{" + nl + in1 + "\"metrics\"" + colon + "[" + nl;
    for (size_t i = 0; i < points.size(); ++i) {
        const auto &p = points[i];
        out += in2 + "{" + nl;
        for (size_t f = 0; f < order.size(); ++f) {
            const std::string &name = order[f];
            std::string v = name == "key"      ? "\"loss\""
                : name == "run_id"             ? "\"" + p.runId + "\""
                : name == "step"               ? p.step
                : name == "timestamp"          ? p.timestamp
                                               : p.value;
            out += in3 + "\"" + name + "\"" + colon + v + (f + 1 < order.size() ? "," : "") + nl;
        }
        out += in2 + "}" + (i + 1 < points.size() ? "," : "") + nl;
    }
    out += in1 + "]" + nl + "}";
    return out;
}

// The shortest digits that read back as v, laid out as Python's repr() (which MLflow's JSON
// writer uses): scientific below 1e-4 and from 1e16.
std::string shortest(double v)
{
    char buf[64];
    const double a = std::fabs(v);
    const auto format = a != 0 && (a < 1e-4 || a >= 1e16) ? std::chars_format::scientific
                                                           : std::chars_format::fixed;
    auto r = std::to_chars(buf, buf + sizeof buf, v, format);
    return std::string(buf, r.ptr);
}

// Twelve points of one run: the first with plain numbers, the others with `step` and `value`
// where given, so that most are read far from the end of the body, where the scanner reads
// without bounds checks.
std::string edgeBody(const std::string &step, const std::string &value)
{
    std::vector<Written> points = {{"r", "0", "1795115080000", "1.5"}};
    for (int i = 1; i < 12; ++i)
        points.push_back({"r", step.empty() ? std::to_string(i) : step,
                          std::to_string(1795115080000 + i), value.empty() ? "2.5" : value});
    return historyBody(points, {"key", "run_id", "step", "timestamp", "value"}, false);
}

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

// Everything runFrom fills in, as one comparable text (values by their bits, so NaN compares).
std::string describe(const std::vector<Run> &runs)
{
    std::string out;
    const auto kvs = [&](const std::vector<KeyValue> &list) {
        for (const auto &kv : list)
            out += "[" + kv.key + "=" + kv.value + "]";
        out += ";";
    };
    for (const Run &r : runs) {
        out += r.runId + "|" + r.experimentId + "|" + r.runName + "|" + r.userId + "|" + r.status
             + "|" + r.lifecycleStage + "|" + r.artifactUri + "|" + std::to_string(r.startTime)
             + "|" + std::to_string(r.endTime) + "|";
        for (const Metric &m : r.metrics) {
            uint64_t bits;
            std::memcpy(&bits, &m.value, 8);
            out += m.key + ":" + std::to_string(bits) + "@" + std::to_string(m.step) + "/"
                 + std::to_string(m.timestamp) + ",";
        }
        kvs(r.params);
        kvs(r.tags);
        for (const DatasetInput &d : r.inputs) {
            out += d.name + "|" + d.digest + "|" + d.sourceType + "|" + d.source + "|" + d.schema
                 + "|" + d.profile + "|" + d.context + "|";
            kvs(d.tags);
        }
        out += "\n";
    }
    return out;
}

// The runs of a runs/search body as the general reader makes them.
std::vector<Run> runsByNlohmann(const std::string &body, std::string &token)
{
    std::vector<Run> runs;
    auto j = mlflow::parseBody(body);
    if (!j)
        return runs;
    if (auto it = j->find("runs"); it != j->end() && it->is_array())
        for (const auto &r : *it)
            runs.push_back(mlflow::runFrom(r));
    if (auto t = j->find("next_page_token"); t != j->end() && t->is_string())
        token = t->get<std::string>();
    return runs;
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

    // The scanner reads what real servers send, and reads it as simdjson does.
    void historyScannerReadsRecordedBodies()
    {
        for (const char *name : {"metrics-get-history", "metrics-get-history.nan",
                                 "metrics-get-history-bulk-interval.ajax",
                                 "metrics-get-history-bulk.ajax"}) {
            const std::string body = raw(name);
            QVERIFY2(readsAlike(body), name);
            QVERIFY2(mlflow::parseHistory(body, HistoryParser::Scanner).ok(), name);
        }
        // Pretty-printed fixtures (the REST API's form) as well as the compact raw bodies.
        QVERIFY(mlflow::parseHistory(fixture("metrics-get-history.json"), HistoryParser::Scanner).ok());
        QVERIFY(readsAlike(fixture("metrics-get-history-bulk.ajax.json")));
    }

    // Generated bodies with every kind of number a server writes, in both layouts and several
    // field orders: the scanner reads them all, bit for bit as simdjson does.
    void historyScannerAgreesWithSimdjson()
    {
        std::mt19937_64 rng(7);
        std::uniform_real_distribution<double> unit(0, 1);
        const std::vector<std::vector<std::string>> orders = {
            {"key", "run_id", "step", "timestamp", "value"},
            {"key", "value", "timestamp", "step"},
            {"value", "step", "run_id", "timestamp", "key"},
            {"step", "value"},
        };
        int scanned = 0, bodies = 0;
        for (int round = 0; round < 120; ++round) {
            std::vector<Written> points;
            const int n = 1 + static_cast<int>(rng() % 40);
            for (int i = 0; i < n; ++i) {
                Written w;
                // Runs of another id length, and of the same length differing in one last
                // character, where the scanner compares the text between points in one go;
                // the first run's points come back after another run's.
                const int part = 8 * i / n;
                w.runId = part < 3 || part == 6 ? "0123456789abcdef0123456789abcdef"
                        : part < 5             ? "0123456789abcdef0123456789abcdee"
                                               : "fedcba9876543210";
                w.step = std::to_string(i * (round % 3 == 0 ? 1000003 : 1) - (round % 7 == 0 ? 5 : 0));
                w.timestamp = std::to_string(1795115080000 + int64_t(rng() % 100000000));
                const double x = (unit(rng) - 0.3) * std::pow(10.0, double(int(rng() % 40) - 20));
                char buf[64];
                switch (rng() % 12) {
                case 0: w.value = "\"NaN\""; break;
                case 1: w.value = "1.7976931348623157e+308"; break;
                case 2: w.value = "-1.7976931348623157e+308"; break;
                case 3: w.value = std::to_string(int64_t(rng() % 2000000) - 1000000); break;
                case 4: std::snprintf(buf, sizeof buf, "%.17g", x); w.value = buf; break;
                case 5: std::snprintf(buf, sizeof buf, "%.6f", x); w.value = buf; break;
                case 6: std::snprintf(buf, sizeof buf, "%.3E", x); w.value = buf; break;
                case 7: w.value = shortest(x * 1e-300); break;   // subnormal and tiny
                case 8: w.value = "0.000000000000000000001234567890123456789"; break;
                case 9: w.value = shortest(double(rng() >> 11)); break; // wide integers
                default: w.value = shortest(x); break;
                }
                points.push_back(w);
            }
            for (const auto &order : orders)
                for (bool pretty : {false, true}) {
                    const std::string body = historyBody(points, order, pretty);
                    QVERIFY(readsAlike(body));
                    ++bodies;
                    scanned += mlflow::parseBulkHistory(body, HistoryParser::Scanner).ok();
                }
        }
        // Every one is of the shape the scanner knows.
        QCOMPARE(scanned, bodies);
    }

    // Damage anywhere (a byte replaced, dropped, or the body cut) never makes the scanner read
    // something simdjson would refuse, nor read it differently.
    void historyScannerNeverReadsDamageDifferently()
    {
        // Enough points that the first ones are read far from the end, where the scanner
        // reads without bounds checks, and the last ones near it.
        const std::string id = "0123456789abcdef0123456789abcdef";
        std::vector<Written> points = {{id, "0", "1795115080000", "2.5"},
                                       {id, "1", "1795115081000", "-1e-7"},
                                       {id, "2", "1795115082000", "\"NaN\""},
                                       {id, "3", "1795115083000", "12345678901234567"},
                                       {id, "1234567890123456", "17951150840001234", "0.000123"},
                                       {id, "5", "1795115085000", "-0.5E+3"}};
        for (int i = 6; i < 14; ++i)
            points.push_back({i < 12 ? id : "abc", std::to_string(i),
                              std::to_string(1795115080000 + 1000 * i), std::to_string(i) + ".25"});
        const std::string replacements = std::string(" \"0-9.eE+,:{}[]x\\\n\t") + '\x01' + '\xc3' + '\0';
        for (bool pretty : {false, true}) {
            const std::string body =
                historyBody(points, {"key", "run_id", "step", "timestamp", "value"}, pretty);
            QVERIFY(readsAlike(body));
            for (size_t at = 0; at < body.size(); ++at) {
                QVERIFY(readsAlike(body.substr(0, at)));
                QVERIFY(readsAlike(body.substr(0, at) + body.substr(at + 1)));
                for (char c : replacements) {
                    std::string damaged = body;
                    damaged[at] = c;
                    QVERIFY(readsAlike(damaged));
                }
            }
        }
        // Numbers at the edges of what either reader takes, in points read far from the end of
        // the body (see edgeBody) and near it.
        for (const char *value : {"-0", "-0.0", "0.0", "00", "01", "1.", ".5", "1e", "1e+", "+1",
                                  "1e400", "-1e400", "1e-400", "123456789012345678901234567890",
                                  "18446744073709551616", "18446744073709551615", "9999999999999999999",
                                  "-9999999999999999999", "-9223372036854775808",
                                  "-9223372036854775809", "9007199254740993", "1E22", "1e23",
                                  "4.9e-324", "2.2250738585072014e-308", "1e0000000000000001",
                                  "\"Infinity\"", "\"-Infinity\"", "\"nan\"", "true", "null",
                                  // digit runs and exponents longer than the unchecked read takes
                                  "0.00000000000000000000000000000000000000000000000000001234",
                                  "123456789012345678901234567890123456789012345678901234567890",
                                  "1234567890123456.5", "12345678901234567.25", "1e000000001",
                                  "1.5e-0000000000000000000000000000000000000000000000000000007",
                                  "[1]", "{}"}) {
            const std::string body = historyBody({{"r", "1", "2", value}, {"r", "2", "3", value}},
                                                 {"key", "run_id", "step", "timestamp", "value"}, false);
            QVERIFY2(readsAlike(body), value);
            QVERIFY2(readsAlike(edgeBody("", value)), value);
        }
        for (const char *step : {"-0", "1.5", "1e3", "9223372036854775807", "123456789012345678",
                                 "-123456789012345678", "\"7\"", "null"}) {
            const std::string body = historyBody({{"r", step, "2", "1"}, {"r", step, "3", "2"}},
                                                 {"key", "run_id", "step", "timestamp", "value"}, false);
            QVERIFY2(readsAlike(body), step);
            QVERIFY2(readsAlike(edgeBody(step, "")), step);
        }
        // Numbers too long for the unchecked read are read by the checked one: the scanner
        // still takes the whole body, it does not hand it to simdjson.
        for (const char *value : {"0.00000000000000000000000000000000000000000000000000001234",
                                  "1234567890123456.5", "12345678901234567.25", "1e000000001",
                                  "1.5e-0000000000000000000000000000000000000000000000000000007"}) {
            auto scanned = mlflow::parseBulkHistory(edgeBody("", value), HistoryParser::Scanner);
            QVERIFY2(scanned.ok() && scanned->size() == 1 && scanned->front().second.size() == 12,
                     value);
        }
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

    // Pages of runs read with simdjson give what runFrom gives, or are handed back to it.
    void runsPagesReadAlike()
    {
        std::vector<std::string> plain;
        for (const char *name :
             {"runs-search.page1.json", "runs-search.page2.json", "runs-search.page3.json",
              "runs-search.exact-multiple.page1.json", "runs-search.exact-multiple.page3-empty.json",
              "runs-search.dataset-filter.json", "runs-search.deleted-only.json",
              "runs-search.filter-order.json", "runs-search.running.json"})
            plain.push_back(fixture(name));
        // Single runs from runs/get, each as a page of one.
        for (const char *name : {"runs-get.nan-inf-edge-cases.json", "runs-get.child.json",
                                 "runs-get.with-inputs-and-model.json", "runs-get.deleted.json"}) {
            auto j = mlflow::parseBody(fixture(name));
            QVERIFY(j.ok());
            plain.push_back(nlohmann::json{{"runs", {(*j)["run"]}}}.dump());
        }
        // Shapes a server could send: fields absent or null, lists left out, markup and SQL in
        // names, non-ASCII text, unsigned and float numbers, NaN and infinities as strings.
        using nlohmann::json;
        const json odd = {
            {"runs",
             json::array(
                 {json{{"info", {{"run_uuid", "u1"}, {"start_time", nullptr}}}}, json::object(),
                  json{{"info", {{"run_id", "x"}, {"run_name", "<b>x</b>"}, {"status", nullptr}}},
                       {"data",
                        {{"params", json::array({json{{"key", "sql"},
                                                      {"value", "\x27); DROP TABLE runs;--"}},
                                                 json(3)})},
                         {"tags", json::array({json{{"key", "mlflow.runName"},
                                                    {"value", "h\u00e9llo \u2713"}}})},
                         {"metrics",
                          json::array({json{{"key", "a"},
                                            {"value", "NaN"},
                                            {"step", uint64_t(18446744073709551615ULL)},
                                            {"timestamp", 1.5e3}},
                                       json{{"key", "b"}, {"value", "-Infinity"}},
                                       json{{"key", "c"}, {"value", nullptr}},
                                       json{{"key", "d"}, {"value", 7}}, json("junk")})}}},
                       {"inputs",
                        {{"dataset_inputs",
                          json::array({json{{"dataset", {{"name", "d"}}}}})}}}}})},
            {"next_page_token", "tok=="}};
        plain.push_back(odd.dump());
        plain.push_back(json{{"next_page_token", "t"}}.dump());
        plain.push_back("{}");
        for (const std::string &body : plain) {
            std::vector<Run> fast;
            std::string fastToken, token;
            QVERIFY2(mlflow::readRunsPage(body, fast, fastToken), body.substr(0, 80).c_str());
            const auto general = runsByNlohmann(body, token);
            QCOMPARE(describe(fast), describe(general));
            QCOMPARE(fastToken, token);
        }
        // Shapes runFrom converts are handed back untouched.
        const std::vector<std::string> converted = {
            "{\"runs\":[{\"info\":{\"run_id\":5}}]}",
            "{\"runs\":[{\"info\":{\"start_time\":\"12\"}}]}",
            "{\"runs\":[{\"data\":{\"params\":[{\"key\":\"k\",\"value\":true}]}}]}",
            "{\"runs\":[7]}",
            "{\"runs\":[{\"inputs\":{\"dataset_inputs\":[1]}}]}",
            "{\"runs\":[{\"info\":{\"run_id\":\"a\"}}",
            "<html></html>",
            "[]",
            ""};
        for (const std::string &body : converted) {
            std::vector<Run> runs(1);
            std::string token = "kept";
            QVERIFY2(!mlflow::readRunsPage(body, runs, token), body.c_str());
            QCOMPARE(runs.size(), size_t(1));
            QCOMPARE(token, std::string("kept"));
        }
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
