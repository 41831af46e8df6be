// SPDX-License-Identifier: GPL-3.0-or-later
// The drift engine: Evidently's default methods (and the switch at 1,000 reference rows),
// overrides and thresholds, the dataset drift share, profiles that survive a file round trip,
// windows by time and by rows, segments on the demo data, missing and unseen values, constant and
// empty columns, and the errors a user can cause.
#include "demo/demodrift.h"
#include "util/rng.h"
#include "drift/binning.h"
#include "drift/report.h"
#include "drift/reportformat.h"
#include "drift/statistics.h"
#include "drift/table.h"

#include <QTemporaryDir>
#include <QtTest>

#include <algorithm>
#include <cmath>
#include <cstring>
#include <limits>
#include <random>

using namespace sightline;
using namespace sightline::drift;

namespace {

constexpr double kNaN = std::numeric_limits<double>::quiet_NaN();
constexpr int64_t kDay = 86'400'000;
constexpr int64_t kNov1 = 1793491200000; // 2026-11-01 00:00 UTC

std::vector<double> normals(size_t n, double mean, double sd, uint64_t seed)
{
    Rng rng(seed);
    std::vector<double> v(n);
    for (auto &x : v)
        x = mean + sd * rng.normal();
    return v;
}

Column numeric(const std::string &name, std::vector<double> values)
{
    Column c;
    c.name = name;
    c.type = ColumnType::Numeric;
    c.numbers = std::move(values);
    for (double v : c.numbers)
        c.missing += std::isnan(v) ? 1 : 0;
    return c;
}

Column timestamps(const std::string &name, std::vector<double> ms)
{
    Column c = numeric(name, std::move(ms));
    c.type = ColumnType::Timestamp;
    return c;
}

// "" is a missing value.
Column categorical(const std::string &name, const std::vector<std::string> &values)
{
    Column c;
    c.name = name;
    c.type = ColumnType::Categorical;
    for (const auto &v : values) {
        if (v.empty()) {
            c.codes.push_back(-1);
            ++c.missing;
            continue;
        }
        auto it = std::find(c.dictionary.begin(), c.dictionary.end(), v);
        if (it == c.dictionary.end()) {
            c.dictionary.push_back(v);
            it = c.dictionary.end() - 1;
        }
        c.codes.push_back(static_cast<int32_t>(it - c.dictionary.begin()));
    }
    return c;
}

// -1 is a missing value.
Column boolean(const std::string &name, const std::vector<int> &values)
{
    Column c;
    c.name = name;
    c.type = ColumnType::Boolean;
    for (int v : values) {
        c.numbers.push_back(v < 0 ? kNaN : double(v));
        c.missing += v < 0 ? 1 : 0;
    }
    return c;
}

// Categories drawn with the given weights.
std::vector<std::string> draws(size_t n, const std::vector<std::string> &names,
                               const std::vector<double> &weights, uint64_t seed)
{
    Rng rng(seed);
    std::vector<std::string> out;
    for (size_t i = 0; i < n; ++i) {
        double u = rng.uniform();
        size_t k = 0;
        while (k + 1 < weights.size() && u >= weights[k])
            u -= weights[k++];
        out.push_back(names[k]);
    }
    return out;
}

Table table(std::vector<Column> columns)
{
    Table t;
    t.rows = columns.empty() ? 0 : columns.front().size();
    t.columns = std::move(columns);
    return t;
}

const ColumnDrift *column(const DriftReport &r, const std::string &name)
{
    for (const auto &c : r.columns)
        if (c.name == name)
            return &c;
    return nullptr;
}

const ColumnDrift *column(const GroupDrift &g, const std::string &name)
{
    for (const auto &c : g.columns)
        if (c.name == name)
            return &c;
    return nullptr;
}

DriftReport score(const Table &ref, const Table &cur, const DriftOptions &options = {})
{
    auto profile = fitProfile(ref, options);
    if (!profile)
        qFatal("fit: %s", profile.error().message.c_str());
    auto report = scoreTable(*profile, cur, options);
    if (!report)
        qFatal("score: %s", report.error().message.c_str());
    return std::move(report).value();
}

Error scoreError(const Table &ref, const Table &cur, const DriftOptions &options = {})
{
    auto profile = fitProfile(ref, options);
    if (!profile)
        return profile.error();
    auto report = scoreTable(*profile, cur, options);
    return report ? Error{} : report.error();
}

std::vector<double> sortedFinite(std::vector<double> v)
{
    v.erase(std::remove_if(v.begin(), v.end(), [](double x) { return !std::isfinite(x); }),
            v.end());
    std::sort(v.begin(), v.end());
    return v;
}

} // namespace

class TestDriftReport : public QObject {
    Q_OBJECT

private slots:
    void methodDefaultsSwitchAtThousandRows()
    {
        for (size_t n : {size_t(10), size_t(1000), size_t(1001), size_t(5000)}) {
            const bool small = n <= 1000;
            Table ref = table({numeric("x", normals(n, 0, 1, 1)),
                               categorical("c", draws(n, {"a", "b", "c"}, {0.5, 0.3, 0.2}, 2)),
                               categorical("two", draws(n, {"y", "n"}, {0.5, 0.5}, 3)),
                               boolean("flag", std::vector<int>(n, 1))});
            Table cur = table({numeric("x", normals(n, 0, 1, 4)),
                               categorical("c", draws(n, {"a", "b", "c"}, {0.5, 0.3, 0.2}, 5)),
                               categorical("two", draws(n, {"y", "n"}, {0.5, 0.5}, 6)),
                               boolean("flag", std::vector<int>(n, 0))});
            DriftReport r = score(ref, cur);
            QCOMPARE(r.columns.size(), size_t(4));
            QCOMPARE(column(r, "x")->method, small ? Method::Ks : Method::Wasserstein);
            QCOMPARE(column(r, "c")->method, small ? Method::ChiSquare : Method::JensenShannon);
            QCOMPARE(column(r, "two")->method, small ? Method::ZTest : Method::JensenShannon);
            QCOMPARE(column(r, "flag")->method, small ? Method::ZTest : Method::JensenShannon);
            for (const auto &c : r.columns)
                QCOMPARE(c.threshold, isPValueMethod(c.method) ? 0.05 : 0.1);
            // All true against all false: as different as a boolean gets.
            QVERIFY(column(r, "flag")->drifted);
            QVERIFY(!column(r, "x")->drifted);
        }
    }

    void methodChoiceCountsValuesNotRows()
    {
        // 1,001 rows with one missing value leave 1,000 values: still the small-sample test.
        std::vector<double> v = normals(1001, 0, 1, 7);
        v[10] = kNaN;
        Table ref = table({numeric("x", v)});
        Table cur = table({numeric("x", normals(1001, 0, 1, 8))});
        QCOMPARE(score(ref, cur).columns[0].method, Method::Ks);
    }

    void binaryMeansTwoValuesOnBothSides()
    {
        // Two categories in the reference, a third only in the current data: no longer binary.
        Table ref = table({categorical("c", draws(500, {"a", "b"}, {0.5, 0.5}, 1))});
        Table cur = table({categorical("c", draws(500, {"a", "b", "z"}, {0.45, 0.45, 0.1}, 2))});
        const ColumnDrift &c = score(ref, cur).columns[0];
        QCOMPARE(c.method, Method::ChiSquare);
        // An unseen category has no expected count: the chi-square statistic is infinite.
        QVERIFY(c.drifted);
        QCOMPARE(*c.statistics.chi2PValue, 0.0);
    }

    void timestampsAreNotFeatures()
    {
        std::vector<double> t(100);
        for (size_t i = 0; i < t.size(); ++i)
            t[i] = double(kNov1 + int64_t(i) * 1000);
        Table ref = table({timestamps("ts", t), numeric("x", normals(100, 0, 1, 1))});
        Table cur = table({timestamps("ts", t), numeric("x", normals(100, 0, 1, 2))});
        DriftReport r = score(ref, cur);
        QCOMPARE(r.columns.size(), size_t(1));
        QCOMPARE(r.columns[0].name, std::string("x"));
    }

    void overridesAndThresholds()
    {
        Table ref = table({numeric("x", normals(3000, 0, 1, 1)),
                           categorical("c", draws(3000, {"a", "b", "c"}, {0.5, 0.3, 0.2}, 2))});
        Table cur = table({numeric("x", normals(3000, 0.3, 1, 3)),
                           categorical("c", draws(3000, {"a", "b", "c"}, {0.4, 0.4, 0.2}, 4))});
        DriftOptions o;
        o.columns["x"].method = Method::Psi;
        o.columns["x"].threshold = 0.5;
        o.columns["c"].method = Method::ChiSquare;
        DriftReport r = score(ref, cur, o);
        const ColumnDrift *x = column(r, "x");
        QCOMPARE(x->method, Method::Psi);
        QCOMPARE(x->threshold, 0.5);
        QVERIFY(x->statistics.psi.has_value());
        QVERIFY(!x->statistics.ksPValue.has_value()); // only the chosen method's statistics
        QCOMPARE(x->score, *x->statistics.psi);
        QVERIFY(x->score > 0.05 && x->score < 0.5);
        QVERIFY(!x->drifted);
        const ColumnDrift *c = column(r, "c");
        QCOMPARE(c->method, Method::ChiSquare);
        QCOMPARE(c->threshold, 0.05);
        QVERIFY(c->drifted);

        // A distance drifts from its threshold on; a p-value only below it.
        const double psiScore = x->score;
        o.columns["x"].threshold = psiScore;
        QVERIFY(column(score(ref, cur, o), "x")->drifted);
        o.columns["x"].threshold = std::nextafter(psiScore, 1.0);
        QVERIFY(!column(score(ref, cur, o), "x")->drifted);
        const double p = *c->statistics.chi2PValue;
        QVERIFY(p > 0.0);
        o.columns["c"].threshold = p;
        QVERIFY(!column(score(ref, cur, o), "c")->drifted);
        o.columns["c"].threshold = std::nextafter(p, 1.0);
        QVERIFY(column(score(ref, cur, o), "c")->drifted);

        // A threshold alone keeps the default method.
        DriftOptions t;
        t.columns["x"].threshold = 0.01;
        const ColumnDrift *tx = column(score(ref, cur, t), "x");
        QCOMPARE(tx->method, Method::Wasserstein);
        QCOMPARE(tx->threshold, 0.01);
    }

    void overrideErrors()
    {
        Table ref = table({numeric("x", normals(100, 0, 1, 1)),
                           categorical("c", draws(100, {"a", "b", "c"}, {0.5, 0.3, 0.2}, 2))});
        DriftOptions o;
        o.columns["c"].method = Method::Ks;
        Error e = scoreError(ref, ref, o);
        QCOMPARE(e.code, std::string("invalid"));
        QVERIFY(e.message.find("ks") != std::string::npos);
        o.columns.clear();
        o.columns["c"].method = Method::ZTest;
        QVERIFY(scoreError(ref, ref, o).message.find("two categories") != std::string::npos);
        o.columns.clear();
        o.columns["nope"].method = Method::Psi;
        QVERIFY(scoreError(ref, ref, o).message.find("'nope'") != std::string::npos);
        o.columns.clear();
        o.columns["x"].method = Method::Linf;
        QVERIFY(!scoreError(ref, ref, o).message.empty());
    }

    void everyStatisticThatApplies()
    {
        Table ref = table({numeric("x", normals(2000, 0, 1, 1)),
                           categorical("c", draws(2000, {"a", "b", "c"}, {0.5, 0.3, 0.2}, 2)),
                           boolean("b", std::vector<int>(2000, 1))});
        Table cur = table({numeric("x", normals(2000, 0.1, 1, 3)),
                           categorical("c", draws(2000, {"a", "b", "c"}, {0.5, 0.3, 0.2}, 4)),
                           boolean("b", std::vector<int>(2000, 0))});
        DriftOptions o;
        o.allStatistics = true;
        DriftReport r = score(ref, cur, o);
        const Statistics &x = column(r, "x")->statistics;
        QVERIFY(x.psi && x.ksStatistic && x.ksPValue && x.wasserstein && x.wassersteinNormed
                && x.jensenShannon && x.hellinger);
        QVERIFY(!x.chi2Statistic && !x.chi2PValue && !x.linf && !x.ztestPValue);
        const Statistics &c = column(r, "c")->statistics;
        QVERIFY(c.psi && c.jensenShannon && c.hellinger && c.chi2Statistic && c.chi2PValue
                && c.linf);
        QVERIFY(!c.ztestPValue && !c.ksStatistic && !c.wasserstein);
        QVERIFY(column(r, "b")->statistics.ztestPValue.has_value());

        // The numbers are those of the pure functions on the same inputs.
        const std::vector<double> rs = sortedFinite(ref.columns[0].numbers);
        const std::vector<double> cs = sortedFinite(cur.columns[0].numbers);
        const KsResult ks = ksTwoSample(rs, cs);
        QCOMPARE(*x.ksStatistic, ks.statistic);
        QCOMPARE(*x.ksPValue, ks.pValue);
        QCOMPARE(*x.wasserstein, wasserstein1(rs, cs));
        double mean = 0, var = 0;
        for (double v : rs)
            mean += v;
        mean /= double(rs.size());
        for (double v : rs)
            var += (v - mean) * (v - mean);
        const double sd = std::sqrt(var / double(rs.size()));
        QVERIFY(std::fabs(*x.wassersteinNormed - *x.wasserstein / sd) < 1e-12);
        // Histograms from sorted values are those of the shared binning.
        const ColumnDrift *xc = column(r, "x");
        auto profile = fitProfile(ref, o);
        QVERIFY(profile.ok());
        QCOMPARE(xc->referenceHistogram, histogram(profile->columns[0].binning, ref.columns[0]));
        QCOMPARE(xc->currentHistogram, histogram(profile->columns[0].binning, cur.columns[0]));
        QCOMPARE(xc->binLabels, profile->columns[0].binning.labels());
        QCOMPARE(xc->binLabels.size(), xc->currentHistogram.size());
        const ColumnDrift *cc = column(r, "c");
        QCOMPARE(cc->currentHistogram, histogram(profile->columns[1].binning, cur.columns[1]));
    }

    void datasetDriftShare()
    {
        const size_t n = 2000;
        std::vector<Column> refCols, curCols;
        for (int i = 0; i < 4; ++i) {
            const std::string name = "f" + std::to_string(i);
            refCols.push_back(numeric(name, normals(n, 0, 1, 10 + i)));
            // f0 and f1 shift by a whole standard deviation, f2 and f3 do not move.
            curCols.push_back(numeric(name, normals(n, i < 2 ? 1.0 : 0.0, 1, 20 + i)));
        }
        Table ref = table(refCols), cur = table(curCols);
        DriftReport r = score(ref, cur);
        QCOMPARE(r.driftedColumns, size_t(2));
        QCOMPARE(r.columnCount, size_t(4));
        QCOMPARE(r.driftShare, 0.5);
        QVERIFY(r.datasetDrift); // at least half, as Evidently counts
        DriftOptions o;
        o.datasetDriftShare = 0.6;
        QVERIFY(!score(ref, cur, o).datasetDrift);
        o = {};
        o.columns["f1"].threshold = 100.0; // f1 no longer drifts: 1 of 4
        DriftReport one = score(ref, cur, o);
        QCOMPARE(one.driftedColumns, size_t(1));
        QVERIFY(!one.datasetDrift);
    }

    void profileRoundTripGivesIdenticalReports()
    {
        QTemporaryDir dir;
        auto demo = writeDemoDriftData(dir.path().toStdString());
        QVERIFY2(demo.ok(), demo.ok() ? "" : demo.error().message.c_str());
        auto ref = readCsv(demo->referencePath);
        QVERIFY(ref.ok());
        DriftOptions o;
        o.segmentColumn = "region";
        o.allStatistics = true;
        auto profile = fitProfile(*ref, o);
        QVERIFY(profile.ok());
        const std::string path = dir.filePath(QStringLiteral("ref.profile")).toStdString();
        QVERIFY(profile->save(path).ok());
        auto loaded = ReferenceProfile::load(path);
        QVERIFY2(loaded.ok(), loaded.ok() ? "" : loaded.error().message.c_str());
        QCOMPARE(loaded->segments.size(), size_t(4));
        QCOMPARE(loaded->columnTypes(), profile->columnTypes());

        CsvOptions csv;
        csv.typeOverrides = profile->columnTypes();
        auto cur = readCsv(demo->currentPath, csv);
        QVERIFY(cur.ok());
        o.timeColumn = "timestamp";
        o.window = *parseWindowSpec("1d");
        auto a = scoreTable(*profile, *cur, o);
        auto b = scoreTable(*loaded, *cur, o);
        QVERIFY(a.ok() && b.ok());
        QCOMPARE(toJson(*a), toJson(*b));
        QCOMPARE(toCsv(*a), toCsv(*b));

        // A damaged or foreign file is refused with one sentence.
        QFile f(QString::fromStdString(path));
        QVERIFY(f.open(QIODevice::ReadWrite));
        f.resize(f.size() / 2);
        f.close();
        auto cut = ReferenceProfile::load(path);
        QVERIFY(!cut.ok());
        QVERIFY(cut.error().message.find("damaged") != std::string::npos);
        auto foreign = ReferenceProfile::load(demo->referencePath);
        QVERIFY(!foreign.ok());
        QVERIFY(foreign.error().message.find("not a Sightline drift profile") != std::string::npos);
        QVERIFY(!ReferenceProfile::load(path + ".missing").ok());
    }

    void parseWindows()
    {
        QCOMPARE(parseWindowSpec("1d")->durationMs, kDay);
        QCOMPARE(parseWindowSpec("30m")->durationMs, int64_t(1'800'000));
        QCOMPARE(parseWindowSpec("6h")->durationMs, int64_t(21'600'000));
        QCOMPARE(parseWindowSpec("7d")->durationMs, 7 * kDay);
        QCOMPARE(parseWindowSpec("90s")->durationMs, int64_t(90'000));
        QCOMPARE(parseWindowSpec("2w")->durationMs, 14 * kDay);
        auto rows = parseWindowSpec("5000rows");
        QVERIFY(rows.ok());
        QCOMPARE(rows->kind, WindowSpec::Kind::Rows);
        QCOMPARE(rows->rows, size_t(5000));
        for (const char *bad : {"", "d", "0d", "1y", "-1d", "1.5h", "rows", "10 apples"})
            QVERIFY2(!parseWindowSpec(bad).ok(), bad);
    }

    void windowsByDuration()
    {
        // Three days of current data; only the third moves.
        const size_t perDay = 1500;
        Table ref = table({numeric("x", normals(3 * perDay, 0, 1, 1))});
        std::vector<double> t, x;
        for (int day = 0; day < 3; ++day) {
            auto v = normals(perDay, day == 2 ? 1.0 : 0.0, 1, 100 + day);
            for (size_t i = 0; i < perDay; ++i) {
                // Rows out of time order: windows must not depend on file order.
                t.push_back(double(kNov1 + (2 - day) * kDay + int64_t(i) * 50'000));
                x.push_back(v[i]);
            }
        }
        t[7] = kNaN; // a row without a time belongs to no window
        Table cur = table({timestamps("when", t), numeric("x", x)});
        DriftOptions o;
        o.timeColumn = "when";
        o.window = *parseWindowSpec("1d");
        auto profile = fitProfile(ref, o);
        QVERIFY(profile.ok());
        auto r = scoreTable(*profile, cur, o);
        QVERIFY2(r.ok(), r.ok() ? "" : r.error().message.c_str());
        QCOMPARE(r->windows.size(), size_t(3));
        QCOMPARE(r->rowsWithoutTime, size_t(1));
        QCOMPARE(r->windows[0].label, std::string("2026-11-01"));
        QCOMPARE(r->windows[2].label, std::string("2026-11-03"));
        QCOMPARE(r->windows[0].startMs, kNov1);
        QCOMPARE(r->windows[0].endMs, kNov1 + kDay);
        // The first window in time is the last block of the file, which moved.
        QVERIFY(r->windows[0].columns[0].drifted);
        QVERIFY(!r->windows[1].columns[0].drifted);
        QVERIFY(!r->windows[2].columns[0].drifted);
        QCOMPARE(r->windows[0].rows + r->windows[1].rows + r->windows[2].rows,
                 3 * perDay - 1);
        QVERIFY(r->windows[0].datasetDrift);

        // Hours: labels carry the time.
        o.window = *parseWindowSpec("12h");
        auto hours = scoreTable(*profile, cur, o);
        QVERIFY(hours.ok());
        QCOMPARE(hours->windows[1].label, std::string("2026-11-01T12:00Z"));

        // Without a time column, duration windows are an error; so is a time column of numbers.
        DriftOptions bad = o;
        bad.timeColumn.reset();
        QVERIFY(!scoreTable(*profile, cur, bad).ok());
        bad.timeColumn = "x";
        QVERIFY(scoreTable(*profile, cur, bad).error().message.find("not timestamps")
                != std::string::npos);
    }

    void windowsByRows()
    {
        Table ref = table({numeric("x", normals(3000, 0, 1, 1))});
        std::vector<double> x = normals(2500, 0, 1, 2);
        auto moved = normals(1000, 2.0, 1, 3);
        x.insert(x.end(), moved.begin(), moved.end()); // rows 2501-3500 move
        Table cur = table({numeric("x", x)});
        DriftOptions o;
        o.window = *parseWindowSpec("1000rows");
        DriftReport r = score(ref, cur, o);
        QCOMPARE(r.windows.size(), size_t(4));
        QCOMPARE(r.windows[0].label, std::string("rows 1-1000"));
        QCOMPARE(r.windows[3].label, std::string("rows 3001-3500"));
        QCOMPARE(r.windows[3].rows, size_t(500));
        QCOMPARE(r.windows[3].firstRow, size_t(3000));
        QCOMPARE(r.windows[3].lastRow, size_t(3499));
        QVERIFY(!r.windows[0].columns[0].drifted);
        QVERIFY(!r.windows[1].columns[0].drifted);
        QVERIFY(r.windows[2].columns[0].drifted); // half moved
        QVERIFY(r.windows[3].columns[0].drifted);
        // The same report on one thread.
        o.threads = 1;
        QCOMPARE(toJson(score(ref, cur, o)), toJson(r));
    }

    void segmentsFindTheInjectedSegment()
    {
        QTemporaryDir dir;
        auto demo = writeDemoDriftData(dir.path().toStdString());
        QVERIFY(demo.ok());
        auto ref = readCsv(demo->referencePath);
        QVERIFY2(ref.ok(), ref.ok() ? "" : ref.error().message.c_str());
        QCOMPARE(ref->rows, size_t(20000));
        QCOMPARE(ref->find("timestamp")->type, ColumnType::Timestamp);
        QCOMPARE(ref->find("is_returning")->type, ColumnType::Boolean);
        QCOMPARE(ref->find("device")->type, ColumnType::Categorical);
        DriftOptions o;
        o.segmentColumn = demo->segmentColumn;
        o.timeColumn = "timestamp";
        o.window = *parseWindowSpec("1d");
        auto profile = fitProfile(*ref, o);
        QVERIFY(profile.ok());
        CsvOptions csv;
        csv.typeOverrides = profile->columnTypes();
        auto cur = readCsv(demo->currentPath, csv);
        QVERIFY(cur.ok());
        auto r = scoreTable(*profile, *cur, o);
        QVERIFY2(r.ok(), r.ok() ? "" : r.error().message.c_str());

        // Overall: exactly the columns drifted everywhere; the dataset as a whole does not drift.
        std::vector<std::string> drifted;
        for (const auto &c : r->columns)
            if (c.drifted)
                drifted.push_back(c.name);
        std::vector<std::string> expected = demo->driftedColumns;
        std::sort(expected.begin(), expected.end());
        std::sort(drifted.begin(), drifted.end());
        QCOMPARE(drifted, expected);
        QVERIFY(!r->datasetDrift);

        QVERIFY(r->segmentsAgainstSegments);
        QCOMPARE(r->segments.size(), size_t(4));
        for (const auto &s : r->segments) {
            QVERIFY(!column(s, "region")); // constant within a segment
            for (const auto &name : demo->segmentDriftColumns) {
                const ColumnDrift *c = column(s, name);
                QVERIFY(c);
                QVERIFY2(c->drifted == (s.label == demo->driftedSegment),
                         (s.label + " " + name).c_str());
            }
            for (const auto &name : demo->driftedColumns)
                QVERIFY2(column(s, name)->drifted, (s.label + " " + name).c_str());
        }
        for (const auto &name : demo->segmentDriftColumns)
            QVERIFY2(!column(*r, name)->drifted, name.c_str());

        // Windows: latency moves from the fifth day on, and only then.
        QCOMPARE(r->windows.size(), size_t(7));
        for (size_t w = 0; w < r->windows.size(); ++w)
            QCOMPARE(column(r->windows[w], "latency_ms")->drifted, w >= 4);

        // The unseen "trial" plan has its own bin; missing channels theirs.
        const ColumnDrift *plan = column(*r, "plan");
        QCOMPARE(plan->binLabels.size(), plan->currentHistogram.size());
        QCOMPARE(plan->referenceHistogram[plan->referenceHistogram.size() - 2], 0.0);
        QVERIFY(plan->currentHistogram[plan->currentHistogram.size() - 2] > 100);
        QVERIFY(column(*r, "channel")->currentMissing > 400);
        QVERIFY(column(*r, "income")->referenceMissing > 200);

        // A profile fitted without segments compares each segment with the whole reference.
        DriftOptions plain;
        auto whole = fitProfile(*ref, plain);
        QVERIFY(whole.ok());
        auto r2 = scoreTable(*whole, *cur, o);
        QVERIFY(r2.ok());
        QVERIFY(!r2->segmentsAgainstSegments);
        QCOMPARE(r2->segments[0].referenceRows, size_t(20000));
    }

    void missingAndUnseenBins()
    {
        const double inf = std::numeric_limits<double>::infinity();
        Table ref = table({categorical("c", {"a", "b", "c", "", "a", "b"}),
                           numeric("x", {1.0, 2.0, kNaN, 4.0, inf, 5.0})});
        Table cur = table({categorical("c", {"d", "a", "", "", "b", "e"}),
                           numeric("x", {0.0, 2.0, 3.0, 9.0, kNaN, 5.0})});
        DriftOptions o;
        o.bins = 2;
        DriftReport r = score(ref, cur, o);
        const ColumnDrift *c = column(r, "c");
        QCOMPARE(c->binLabels.size(), size_t(5)); // a b c, unseen, missing
        QCOMPARE(c->referenceHistogram, (std::vector<double>{2, 2, 1, 0, 1}));
        QCOMPARE(c->currentHistogram, (std::vector<double>{1, 1, 0, 2, 2}));
        QCOMPARE(c->referenceMissing, size_t(1));
        QCOMPARE(c->currentMissing, size_t(2));
        const ColumnDrift *x = column(r, "x");
        // Infinity counts as missing, as Evidently drops it.
        QCOMPARE(x->referenceMissing, size_t(2));
        QCOMPARE(x->currentMissing, size_t(1));
        QCOMPARE(x->binLabels.size(), x->referenceHistogram.size());
        // Below the reference range, inside, above, missing.
        QCOMPARE(x->currentHistogram.front(), 1.0);
        QCOMPARE(x->currentHistogram[x->currentHistogram.size() - 2], 1.0);
        QCOMPARE(x->currentHistogram.back(), 1.0);
        double inside = 0;
        for (size_t i = 1; i + 2 < x->currentHistogram.size(); ++i)
            inside += x->currentHistogram[i];
        QCOMPARE(inside, 3.0);
    }

    void constantColumns()
    {
        Table ref = table({numeric("x", std::vector<double>(2000, 5.0)),
                           categorical("c", std::vector<std::string>(2000, "only"))});
        Table same = ref;
        DriftOptions o;
        o.allStatistics = true;
        DriftReport r = score(ref, same, o);
        for (const auto &c : r.columns) {
            QVERIFY2(!c.drifted, c.name.c_str());
            QVERIFY(std::isfinite(c.score));
        }
        QCOMPARE(*column(r, "x")->statistics.wasserstein, 0.0);
        Table moved = table({numeric("x", std::vector<double>(2000, 6.0)),
                             categorical("c", std::vector<std::string>(2000, "other"))});
        DriftReport m = score(ref, moved, o);
        // Evidently's floor of 0.001 for the standard deviation: a distance of 1 becomes 1000.
        QCOMPARE(*column(m, "x")->statistics.wassersteinNormed, 1000.0);
        QVERIFY(column(m, "x")->drifted);
        QVERIFY(column(m, "c")->drifted);
        QCOMPARE(column(m, "x")->currentHistogram[column(m, "x")->currentHistogram.size() - 2],
                 2000.0);
    }

    void allMissingColumns()
    {
        const std::vector<double> none(50, kNaN);
        Table ref = table({numeric("empty", none), numeric("gone", normals(50, 0, 1, 1)),
                           numeric("x", normals(50, 0, 1, 2))});
        Table cur = table({numeric("empty", none), numeric("gone", none),
                           numeric("x", normals(50, 0, 1, 3))});
        DriftReport r = score(ref, cur);
        const ColumnDrift *empty = column(r, "empty");
        QVERIFY(std::isnan(empty->score));
        QVERIFY(!empty->drifted);
        QVERIFY(!empty->note.empty());
        const ColumnDrift *gone = column(r, "gone");
        QVERIFY(std::isnan(gone->score));
        QVERIFY(gone->drifted); // values in the reference, none now
        QCOMPARE(gone->currentMissing, size_t(50));
        const auto json = toJsonValue(r);
        QVERIFY(json["columns"][0]["score"].is_null());
        QVERIFY(!json["columns"][0]["note"].get<std::string>().empty());

        // One row on each side still gives a report.
        Table one = table({numeric("x", {1.0})});
        Table other = table({numeric("x", {2.0})});
        DriftReport single = score(one, other);
        QCOMPARE(single.columns[0].method, Method::Ks);
        QVERIFY(std::isfinite(single.columns[0].score));
    }

    void columnErrors()
    {
        Table ref = table({numeric("x", normals(100, 0, 1, 1)),
                           categorical("c", draws(100, {"a", "b"}, {0.5, 0.5}, 2))});
        Table missingColumn = table({numeric("x", normals(100, 0, 1, 1))});
        Error e = scoreError(ref, missingColumn);
        QCOMPARE(e.code, std::string("invalid"));
        QVERIFY(e.message.find("'c'") != std::string::npos);
        Table wrongType = table({numeric("x", normals(100, 0, 1, 1)),
                                 numeric("c", normals(100, 0, 1, 3))});
        e = scoreError(ref, wrongType);
        QVERIFY(e.message.find("categorical in the reference but numeric") != std::string::npos);
        // Extra columns in the current data are ignored.
        Table extra = table({numeric("x", normals(100, 0, 1, 1)),
                             categorical("c", draws(100, {"a", "b"}, {0.5, 0.5}, 2)),
                             numeric("new", normals(100, 0, 1, 3))});
        QVERIFY(scoreError(ref, extra).message.empty());
        DriftOptions o;
        o.segmentColumn = "x";
        QVERIFY(!fitProfile(ref, o).ok());
        o.segmentColumn = "nope";
        QVERIFY(!fitProfile(ref, o).ok());
        o = {};
        o.bins = 0;
        QVERIFY(!fitProfile(ref, o).ok());
    }

    void cancelStopsWork()
    {
        Table ref = table({numeric("x", normals(20000, 0, 1, 1))});
        std::atomic<bool> cancel{true};
        DriftOptions o;
        o.cancel = &cancel;
        auto p = fitProfile(ref, o);
        QVERIFY(!p.ok());
        QCOMPARE(p.error().code, std::string("cancelled"));
        cancel = false;
        int calls = 0;
        double last = 0.0;
        o.progress = [&](double f) {
            ++calls;
            QVERIFY(f >= last);
            last = f;
        };
        auto fitted = fitProfile(ref, o);
        QVERIFY(fitted.ok());
        cancel = true;
        auto s = scoreTable(*fitted, ref, o);
        QVERIFY(!s.ok());
        QCOMPARE(s.error().code, std::string("cancelled"));
        QVERIFY(calls > 0);
        QCOMPARE(last, 1.0);
    }

    void radixSortMatchesStdSort()
    {
        Rng rng(5);
        std::vector<uint64_t> scratch;
        // The large sizes take the first split on the top bits that vary (from 262,144 keys).
        for (size_t n : {size_t(0), size_t(3), size_t(511), size_t(512), size_t(100000),
                         size_t(300000), size_t(1200000)}) {
            std::vector<double> v(n);
            for (size_t i = 0; i < n; ++i) {
                const double u = rng.uniform();
                v[i] = i % 7 == 0   ? -0.0
                    : i % 11 == 0   ? std::numeric_limits<double>::infinity()
                    : i % 13 == 0   ? -std::numeric_limits<double>::infinity()
                    : i % 17 == 0   ? 1e308 * (u - 0.5)
                    : i % 19 == 0   ? 1e-310 * u
                    : i % 23 == 0   ? std::round(u * 10.0)
                                    : rng.normal() * 1e3;
            }
            std::vector<double> expected = v;
            std::sort(expected.begin(), expected.end());
            radixSort(v, scratch);
            for (size_t i = 0; i < n; ++i)
                QVERIFY(v[i] == expected[i]); // -0.0 == 0.0: order among them is free
            QVERIFY(std::is_sorted(v.begin(), v.end()));
        }
        // Random bit patterns (every exponent, NaN left out) and a narrow range of values.
        for (int kind = 0; kind < 2; ++kind) {
            std::vector<double> v;
            v.reserve(700000);
            while (v.size() < 700000) {
                double x;
                if (kind == 0) {
                    const uint64_t bits = (uint64_t(rng.below(1 << 30)) << 34)
                        ^ (uint64_t(rng.below(1 << 30)) << 4) ^ uint64_t(rng.below(16));
                    std::memcpy(&x, &bits, sizeof x);
                    if (std::isnan(x))
                        continue;
                } else {
                    x = 1000.0 + rng.uniform() * 1e-6;
                }
                v.push_back(x);
            }
            std::vector<double> expected = v;
            std::sort(expected.begin(), expected.end());
            radixSort(v, scratch);
            QVERIFY(v == expected || std::equal(v.begin(), v.end(), expected.begin(),
                                                [](double a, double b) { return a == b; }));
            QVERIFY(std::is_sorted(v.begin(), v.end()));
        }

        // Every value the same: all passes skipped.
        std::vector<double> same(5000, 3.25);
        radixSort(same, scratch);
        QVERIFY(std::all_of(same.begin(), same.end(), [](double x) { return x == 3.25; }));

        // Few distinct values take the counting path; 1,024 is the most it takes, 1,025 falls
        // back on the radix sort. Both must give the same order.
        for (size_t distinct : {size_t(2), size_t(25), size_t(1024), size_t(1025)}) {
            std::vector<double> v(50000);
            for (size_t i = 0; i < v.size(); ++i) {
                const size_t k = i < distinct ? i : size_t(rng.uniform() * double(distinct));
                v[i] = k == 0 ? -0.0 : k == 1 ? -std::numeric_limits<double>::infinity()
                                              : (double(k) - double(distinct) / 2) * 0.5;
            }
            std::vector<double> expected = v;
            std::sort(expected.begin(), expected.end());
            radixSort(v, scratch);
            QVERIFY2(v == expected, std::to_string(distinct).c_str());
        }
    }

    void formats()
    {
        Table ref = table({numeric("x, \"quoted\"", normals(1500, 0, 1, 1)),
                           categorical("c", draws(1500, {"a", "b", "c"}, {0.5, 0.3, 0.2}, 2))});
        Table cur = table({numeric("x, \"quoted\"", normals(1500, 1, 1, 3)),
                           categorical("c", draws(1500, {"a", "b", "c"}, {0.5, 0.3, 0.2}, 4))});
        DriftOptions o;
        o.allStatistics = true;
        DriftReport r = score(ref, cur, o);
        const auto j = toJsonValue(r);
        for (const char *key : {"dataset_drift", "drift_share", "columns", "windows", "segments",
                                "bins", "js_log_base", "drift_share_threshold"})
            QVERIFY2(j.contains(key), key);
        const auto &c0 = j["columns"][0];
        for (const char *key : {"name", "type", "method", "score", "threshold", "drifted",
                                "statistics", "histogram"})
            QVERIFY2(c0.contains(key), key);
        for (const char *key : {"psi", "ks_statistic", "ks_p_value", "wasserstein",
                                "wasserstein_normed", "jensen_shannon", "hellinger"})
            QVERIFY2(c0["statistics"].contains(key), key);
        QVERIFY(!c0["statistics"].contains("chi2_p_value"));
        QVERIFY(j["columns"][1]["statistics"].contains("chi2_p_value"));
        QVERIFY(j["columns"][1]["statistics"].contains("linf"));
        QCOMPARE(j["columns"][0]["method"].get<std::string>(), std::string("wasserstein"));
        QCOMPARE(j["columns"][1]["method"].get<std::string>(), std::string("js"));
        QCOMPARE(j["columns"][0]["histogram"]["bins"].size(),
                 j["columns"][0]["histogram"]["current"].size());

        const std::string csv = toCsv(r);
        QVERIFY(csv.rfind("scope,group,column,type,method,score,threshold,drifted,psi,", 0) == 0);
        QVERIFY(csv.find("\"x, \"\"quoted\"\"\"") != std::string::npos);
        QCOMPARE(std::count(csv.begin(), csv.end(), '\n'), std::ptrdiff_t(4)); // header, 3 rows

        const std::string text = toTable(r);
        QVERIFY(text.find("1 of 2 columns drifted") != std::string::npos);
        QVERIFY(text.find("DRIFT") != std::string::npos);
        QVERIFY(text.find("Statistics:") != std::string::npos);
    }

    void timestampsFormat()
    {
        QCOMPARE(formatTimestamp(kNov1), std::string("2026-11-01T00:00:00Z"));
        QCOMPARE(formatTimestamp(0), std::string("1970-01-01T00:00:00Z"));
        QCOMPARE(formatTimestamp(-1), std::string("1969-12-31T23:59:59.999Z"));
        QCOMPARE(formatTimestamp(951782400000 + 3723004), std::string("2000-02-29T01:02:03.004Z"));
    }

    void methodNames()
    {
        for (Method m : {Method::Psi, Method::Ks, Method::Wasserstein, Method::JensenShannon,
                         Method::Hellinger, Method::ChiSquare, Method::Linf, Method::ZTest}) {
            Method back;
            QVERIFY(parseMethod(methodName(m), back));
            QCOMPARE(back, m);
        }
        Method m;
        QVERIFY(!parseMethod("kolmogorov", m));
    }
};

QTEST_GUILESS_MAIN(TestDriftReport)
#include "tst_driftreport.moc"
