// SPDX-License-Identifier: GPL-3.0-or-later
// Drift statistics and binning: generated samples (tiny, 50 vs 80, 3000 vs 7000, 12000 vs 15000,
// ties, shifts, extreme magnitudes) compared with scipy 1.10 through driftstats_reference.py, to
// a relative 1e-9 (values below 1e-300 absolutely); brute-force checks of the merge and of the
// exact KS distribution; and the edge cases scipy refuses or answers with NaN.
#include "drift/binning.h"
#include "drift/statistics.h"

#include <QtTest>

#include <QFile>
#include <QJsonArray>
#include <QJsonDocument>
#include <QJsonObject>
#include <QProcess>
#include <QTemporaryDir>

#include <algorithm>
#include <array>
#include <cfloat>
#include <cmath>
#include <cstdint>
#include <cstdio>
#include <limits>
#include <numeric>
#include <string>
#include <vector>

using namespace sightline::drift;

namespace {

constexpr double kNaN = std::numeric_limits<double>::quiet_NaN();
constexpr double kInf = std::numeric_limits<double>::infinity();
constexpr double kRelTol = 1e-9;

// A small deterministic generator (splitmix64), so the samples are the same on every machine.
struct Rng {
    uint64_t state;
    explicit Rng(uint64_t seed) : state(seed) {}
    uint64_t next()
    {
        uint64_t z = (state += 0x9e3779b97f4a7c15ULL);
        z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ULL;
        z = (z ^ (z >> 27)) * 0x94d049bb133111ebULL;
        return z ^ (z >> 31);
    }
    double uniform() { return double(next() >> 11) * 0x1.0p-53; } // [0, 1)
    double normal()
    {
        const double u1 = 1.0 - uniform(), u2 = uniform();
        return std::sqrt(-2.0 * std::log(u1)) * std::cos(6.283185307179586 * u2);
    }
};

std::vector<double> normals(uint64_t seed, size_t n, double shift = 0.0, double scale = 1.0,
                            double roundTo = 0.0)
{
    Rng rng(seed);
    std::vector<double> v(n);
    for (double &x : v) {
        x = shift + scale * rng.normal();
        if (roundTo > 0)
            x = std::round(x / roundTo) * roundTo;
    }
    return v;
}

std::vector<double> sorted(std::vector<double> v)
{
    std::sort(v.begin(), v.end());
    return v;
}

bool close(double actual, double expected, double rel = kRelTol)
{
    if (std::isnan(expected))
        return std::isnan(actual);
    if (std::isinf(expected))
        return actual == expected;
    if (std::fabs(expected) < 1e-300)
        return std::fabs(actual - expected) <= 1e-300;
    return std::fabs(actual - expected) <= rel * std::fabs(expected);
}

QByteArray describe(const char *what, double actual, double expected)
{
    char buf[256];
    std::snprintf(buf, sizeof buf, "%s: got %.17g, expected %.17g (rel. diff %.3g)", what, actual,
                  expected, std::fabs(actual - expected) / std::fabs(expected));
    return buf;
}

#define COMPARE_NUM(actual, expected, what)                                                      \
    do {                                                                                         \
        const double a_ = (actual), e_ = (expected);                                             \
        QVERIFY2(close(a_, e_), describe(what, a_, e_).constData());                              \
    } while (0)

double jsonNumber(const QJsonValue &v)
{
    if (v.isString()) {
        const QString s = v.toString();
        if (s == QLatin1String("nan"))
            return kNaN;
        if (s == QLatin1String("inf"))
            return kInf;
        if (s == QLatin1String("-inf"))
            return -kInf;
    }
    return v.toDouble(kNaN);
}

std::string formatDouble(double v)
{
    char buf[40];
    std::snprintf(buf, sizeof buf, "%.17g", v);
    return buf;
}

std::string jsonArray(const std::vector<double> &v)
{
    std::string s = "[";
    for (size_t i = 0; i < v.size(); ++i)
        s += (i ? ", " : "") + formatDouble(v[i]);
    return s + "]";
}

struct TwoSampleCase {
    std::string name;
    std::vector<double> ref, cur; // sorted
};

struct FrequencyCase {
    std::string name;
    std::vector<double> p, q;
};

// D and W from their definitions, evaluated at every distinct value: O(n m), for small samples.
void bruteForce(const std::vector<double> &a, const std::vector<double> &b, double &d, double &w)
{
    std::vector<double> all = a;
    all.insert(all.end(), b.begin(), b.end());
    std::sort(all.begin(), all.end());
    all.erase(std::unique(all.begin(), all.end()), all.end());
    auto cdf = [](const std::vector<double> &s, double x) {
        return double(std::upper_bound(s.begin(), s.end(), x) - s.begin()) / double(s.size());
    };
    d = 0.0;
    w = 0.0;
    for (size_t k = 0; k < all.size(); ++k) {
        const double diff = std::fabs(cdf(a, all[k]) - cdf(b, all[k]));
        d = std::max(d, diff);
        if (k + 1 < all.size())
            w += diff * (all[k + 1] - all[k]);
    }
}

} // namespace

class TestDriftStats : public QObject
{
    Q_OBJECT

private slots:
    void initTestCase();

    // Against scipy.
    void twoSampleAgainstScipy();
    void binnedScoresAgainstReference();
    void frequenciesAgainstScipy();
    void specialFunctionsAgainstScipy();
    void zTestAgainstReference();

    // Pure C++.
    void mergeMatchesDefinition();
    void exactKsMatchesEnumeration();
    void ksEdgeCases();
    void wassersteinEdgeCases();
    void frequencyEdgeCases();
    void chiSquareEdgeCases();
    void zTestEdgeCases();
    void specialFunctionEdgeCases();
    void binningQuantiles();
    void binningConstantEmptyAndInfinite();
    void binningHugeValues();
    void histogramSortedMatchesUnsorted();
    void categoricalBinning();
    void mixedTypes();
    void labels();

private:
    QTemporaryDir m_dir;
    std::vector<TwoSampleCase> m_twoSample;
    std::vector<FrequencyCase> m_frequencies;
    std::vector<std::pair<double, int64_t>> m_kstwo;
    std::vector<std::pair<int64_t, double>> m_smirnov;
    std::vector<double> m_kolmogorov;
    std::vector<std::pair<double, double>> m_chi2;
    std::vector<double> m_norm;
    std::vector<std::array<double, 4>> m_ztest;
    QJsonObject m_reference;
    QString m_skipReason;
};

void TestDriftStats::initTestCase()
{
    QVERIFY(m_dir.isValid());

    auto add = [this](const std::string &name, std::vector<double> ref, std::vector<double> cur) {
        m_twoSample.push_back({name, sorted(std::move(ref)), sorted(std::move(cur))});
    };
    // Tiny samples, with and without ties.
    add("tiny_1_1", {0.5}, {1.5});
    add("tiny_1_2", {1.0}, {1.0, 2.0});
    add("tiny_2_3", {1.0, 2.0}, {2.0, 3.0, 4.0});
    add("tiny_3_5_ties", {1.0, 1.0, 2.0}, {1.0, 2.0, 2.0, 3.0, 3.0});
    add("tiny_5_4", normals(1, 5), normals(2, 4, 0.5));
    add("tiny_4_4", normals(3, 4), normals(4, 4, 1.0));
    add("identical", {1.0, 2.0, 3.0}, {1.0, 2.0, 3.0});
    // Exact p-values: n != m (lattice), n == m (reflection series), ties, full separation.
    add("n50_80", normals(5, 50), normals(6, 80, 0.3));
    add("n50_80_ties", normals(7, 50, 0.0, 1.0, 0.5), normals(8, 80, 0.2, 1.0, 0.5));
    add("n50_50", normals(9, 50), normals(10, 50, 0.4));
    {
        std::vector<double> a(30), b(40);
        Rng rng(11);
        for (double &x : a)
            x = rng.uniform();
        for (double &x : b)
            x = 2.0 + rng.uniform();
        add("separated_30_40", a, b);
    }
    add("n3000_7000", normals(12, 3000), normals(13, 7000, 0.05));
    add("n3000_7000_ties", normals(14, 3000, 0.0, 3.0, 1.0), normals(15, 7000, 0.1, 3.0, 1.0));
    add("n3000_7000_shift", normals(16, 3000), normals(17, 7000, 0.5));
    add("n10000_10000", normals(18, 10000), normals(19, 10000, 0.03));
    add("n9999_10000", normals(20, 9999), normals(21, 10000, 0.03));
    // Asymptotic p-values: Pelz-Good, Durbin's matrix and the Smirnov sum, and the n <= 140
    // branch (round(20000 * 60 / 20060) = 60).
    add("n12000_15000", normals(22, 12000), normals(23, 15000, 0.02));
    add("n12000_15000_same", normals(24, 12000), normals(25, 15000));
    add("n12000_15000_shift", normals(26, 12000), normals(27, 15000, 0.3));
    add("n12000_15000_ties", normals(28, 12000, 0.0, 2.0, 1.0), normals(29, 15000, 0.0, 2.0, 1.0));
    add("n20000_60", normals(30, 20000), normals(31, 60, 0.3));
    // Extreme magnitudes (differences still finite for scipy).
    add("huge", normals(32, 50, 0.0, 1e306), normals(33, 80, 1e305, 1e306));
    add("subnormal", normals(34, 50, 0.0, 1e-310), normals(35, 80, 5e-311, 1e-310));

    m_frequencies = {
        {"categories", {50, 30, 20, 0}, {45, 30, 20, 5}},
        {"proportional", {10, 20, 30}, {20, 40, 60}},
        {"disjoint", {1, 0}, {0, 1}},
        {"fractions", {0.1, 0.2, 0.3, 0.4}, {0.25, 0.25, 0.25, 0.25}},
        {"empty_in_current", {5, 5, 5, 5}, {10, 0, 7, 3}},
    };
    {
        Rng rng(40);
        FrequencyCase c{"random_12", {}, {}};
        for (int i = 0; i < 12; ++i) {
            c.p.push_back(std::floor(1 + 500 * rng.uniform()));
            c.q.push_back(std::floor(1 + 700 * rng.uniform()));
        }
        m_frequencies.push_back(c);
    }

    for (int64_t n : {1, 2, 5, 60, 140, 141, 1000, 6667, 100000, 100001, 500000}) {
        for (double d : {0.001, 0.003, 0.01, 0.02, 0.05, 0.1, 0.2, 0.35, 0.5, 0.7, 0.95})
            m_kstwo.push_back({d, n});
        for (double f : {0.6, 1.0, 1.7, 3.0})
            m_kstwo.push_back({f / double(n), n});
    }
    for (int64_t n : {2, 10, 500, 1013, 6667, 100000, 2000000})
        for (double d : {0.0005, 0.01, 0.05, 0.1, 0.3, 0.6, 0.9, 0.999})
            m_smirnov.push_back({n, d});
    for (double x : {0.03, 0.041, 0.1, 0.3, 0.5, 0.82, 0.8200001, 1.0, 1.5, 2.5, 5.0, 10.0, 27.0})
        m_kolmogorov.push_back(x);
    for (double k : {1.0, 2.0, 3.0, 7.0, 10.0, 19.0, 20.0, 21.0, 99.0, 1000.0, 100000.0})
        for (double f : {1e-6, 0.1, 0.5, 0.9, 1.0, 1.1, 1.5, 3.0, 10.0, 40.0})
            m_chi2.push_back({f * k, k});
    for (double z = -38.0; z <= 38.0; z += 0.5)
        m_norm.push_back(z);
    m_ztest = {{40, 100, 55, 120}, {0, 10, 5, 10}, {500, 1000, 700, 1000},
               {5000, 100000, 5800, 100000}, {3, 7, 3, 7}};

    // Files for the reference script.
    std::string cases = "{\n\"two_sample\": [\n";
    for (size_t i = 0; i < m_twoSample.size(); ++i) {
        const TwoSampleCase &c = m_twoSample[i];
        for (const char *side : {"ref", "cur"}) {
            const std::vector<double> &values = side[0] == 'r' ? c.ref : c.cur;
            const QString path = m_dir.filePath(QString::fromStdString(c.name + "." + side));
            FILE *f = std::fopen(path.toLocal8Bit().constData(), "w");
            QVERIFY(f);
            for (double v : values)
                std::fprintf(f, "%.17g\n", v);
            std::fclose(f);
        }
        cases += "{\"name\": \"" + c.name + "\", \"ref\": \"" + c.name + ".ref\", \"cur\": \"" +
                 c.name + ".cur\", \"bins\": 10}" + (i + 1 < m_twoSample.size() ? ",\n" : "\n");
    }
    cases += "],\n\"frequencies\": [\n";
    for (size_t i = 0; i < m_frequencies.size(); ++i) {
        const FrequencyCase &c = m_frequencies[i];
        cases += "{\"name\": \"" + c.name + "\", \"p\": " + jsonArray(c.p) +
                 ", \"q\": " + jsonArray(c.q) + "}" + (i + 1 < m_frequencies.size() ? ",\n" : "\n");
    }
    cases += "],\n\"special\": {\"kstwo\": [";
    for (size_t i = 0; i < m_kstwo.size(); ++i)
        cases += (i ? ", [" : "[") + formatDouble(m_kstwo[i].first) + ", " +
                 std::to_string(m_kstwo[i].second) + "]";
    cases += "],\n\"smirnov\": [";
    for (size_t i = 0; i < m_smirnov.size(); ++i)
        cases += (i ? ", [" : "[") + std::to_string(m_smirnov[i].first) + ", " +
                 formatDouble(m_smirnov[i].second) + "]";
    cases += "],\n\"kolmogorov\": " + jsonArray(m_kolmogorov);
    cases += ",\n\"chi2\": [";
    for (size_t i = 0; i < m_chi2.size(); ++i)
        cases += (i ? ", [" : "[") + formatDouble(m_chi2[i].first) + ", " +
                 formatDouble(m_chi2[i].second) + "]";
    cases += "],\n\"norm\": " + jsonArray(m_norm) + "},\n\"ztest\": [";
    for (size_t i = 0; i < m_ztest.size(); ++i)
        cases += (i ? ", " : "") +
                 jsonArray({m_ztest[i][0], m_ztest[i][1], m_ztest[i][2], m_ztest[i][3]});
    cases += "]\n}\n";
    QFile casesFile(m_dir.filePath("cases.json"));
    QVERIFY(casesFile.open(QIODevice::WriteOnly));
    casesFile.write(cases.data(), qint64(cases.size()));
    casesFile.close();

    const QString python = QStringLiteral("/usr/bin/python3");
    const QString script = QStringLiteral(SIGHTLINE_TEST_DATA "/../core/driftstats_reference.py");
    if (!QFile::exists(python)) {
        m_skipReason = QStringLiteral("/usr/bin/python3 is missing: install python3-scipy");
        return;
    }
    QVERIFY2(QFile::exists(script), qPrintable(script));
    QProcess process;
    process.start(python, {script, m_dir.path()});
    QVERIFY2(process.waitForFinished(120000), "the reference script did not finish in 120 s");
    const QByteArray errors = process.readAllStandardError();
    if (process.exitStatus() == QProcess::NormalExit && process.exitCode() == 3) {
        m_skipReason = QStringLiteral("/usr/bin/python3 cannot import scipy (install "
                                      "python3-scipy): ") + QString::fromUtf8(errors).trimmed();
        return;
    }
    QVERIFY2(process.exitStatus() == QProcess::NormalExit && process.exitCode() == 0,
             errors.constData());
    QJsonParseError parseError;
    const QJsonDocument doc = QJsonDocument::fromJson(process.readAllStandardOutput(), &parseError);
    QVERIFY2(doc.isObject(), qPrintable(parseError.errorString()));
    m_reference = doc.object();
    qInfo("reference: scipy %s, numpy %s",
          qPrintable(m_reference.value("scipy_version").toString()),
          qPrintable(m_reference.value("numpy_version").toString()));
}

#define REQUIRE_SCIPY()                                                                           \
    do {                                                                                         \
        if (!m_skipReason.isEmpty())                                                             \
            QSKIP(qPrintable(m_skipReason));                                                     \
    } while (0)

void TestDriftStats::twoSampleAgainstScipy()
{
    REQUIRE_SCIPY();
    const QJsonObject all = m_reference.value("two_sample").toObject();
    for (const TwoSampleCase &c : m_twoSample) {
        const QJsonObject r = all.value(QString::fromStdString(c.name)).toObject();
        QVERIFY2(!r.isEmpty(), c.name.c_str());
        const std::string tag = c.name + " ";
        const KsResult ks = ksTwoSample(c.ref, c.cur);
        COMPARE_NUM(ks.statistic, jsonNumber(r.value("ks_statistic")), (tag + "KS D").c_str());
        COMPARE_NUM(ks.pValue, jsonNumber(r.value("ks_pvalue")), (tag + "KS p").c_str());
        QCOMPARE(ks.exact, std::max(c.ref.size(), c.cur.size()) <= 10000);
        const double w = wasserstein1(c.ref, c.cur);
        COMPARE_NUM(w, jsonNumber(r.value("wasserstein")), (tag + "W1").c_str());

        const KsWassersteinResult both = ksAndWasserstein1(c.ref, c.cur);
        QCOMPARE(both.ks.statistic, ks.statistic);
        QCOMPARE(both.ks.pValue, ks.pValue);
        QCOMPARE(both.wasserstein1, w);
    }
}

void TestDriftStats::binnedScoresAgainstReference()
{
    REQUIRE_SCIPY();
    const QJsonObject all = m_reference.value("two_sample").toObject();
    for (const TwoSampleCase &c : m_twoSample) {
        const QJsonObject r = all.value(QString::fromStdString(c.name)).toObject();
        const std::string tag = c.name + " ";
        const Binning binning = fitNumericBinning(c.ref, 10);
        const QJsonArray edges = r.value("edges").toArray();
        QCOMPARE(binning.edges.size(), size_t(edges.size()));
        for (qsizetype i = 0; i < edges.size(); ++i)
            QCOMPARE(binning.edges[size_t(i)], jsonNumber(edges[i]));
        const std::vector<double> refHist = histogram(binning, std::span<const double>(c.ref));
        const std::vector<double> curHist = histogram(binning, std::span<const double>(c.cur));
        const QJsonArray refExpected = r.value("ref_hist").toArray();
        const QJsonArray curExpected = r.value("cur_hist").toArray();
        QCOMPARE(refHist.size(), size_t(refExpected.size()));
        QCOMPARE(curHist.size(), size_t(curExpected.size()));
        for (size_t i = 0; i < refHist.size(); ++i) {
            QCOMPARE(refHist[i], jsonNumber(refExpected[qsizetype(i)]));
            QCOMPARE(curHist[i], jsonNumber(curExpected[qsizetype(i)]));
        }

        const QJsonObject s = r.value("binned").toObject();
        const double refTotal = std::accumulate(refHist.begin(), refHist.end(), 0.0);
        const double curTotal = std::accumulate(curHist.begin(), curHist.end(), 0.0);
        std::vector<double> refFrac(refHist.size()), curFrac(curHist.size());
        for (size_t i = 0; i < refHist.size(); ++i) {
            refFrac[i] = refHist[i] / refTotal;
            curFrac[i] = curHist[i] / curTotal;
        }
        COMPARE_NUM(psi(refFrac, curFrac), jsonNumber(s.value("psi")), (tag + "PSI").c_str());
        COMPARE_NUM(jensenShannon(refHist, curHist), jsonNumber(s.value("js")),
                    (tag + "JS").c_str());
        COMPARE_NUM(jensenShannon(refHist, curHist, 2.0), jsonNumber(s.value("js2")),
                    (tag + "JS base 2").c_str());
        COMPARE_NUM(hellinger(refHist, curHist), jsonNumber(s.value("hellinger")),
                    (tag + "Hellinger").c_str());
        COMPARE_NUM(linf(refHist, curHist), jsonNumber(s.value("linf")), (tag + "Linf").c_str());
        const Chi2Result chi = chiSquare(refHist, curHist);
        COMPARE_NUM(chi.statistic, jsonNumber(s.value("chi2_statistic")),
                    (tag + "chi2").c_str());
        COMPARE_NUM(chi.pValue, jsonNumber(s.value("chi2_pvalue")), (tag + "chi2 p").c_str());
        QCOMPARE(chi.degreesOfFreedom, s.value("chi2_dof").toInt());
    }
}

void TestDriftStats::frequenciesAgainstScipy()
{
    REQUIRE_SCIPY();
    const QJsonObject all = m_reference.value("frequencies").toObject();
    for (const FrequencyCase &c : m_frequencies) {
        const QJsonObject s = all.value(QString::fromStdString(c.name)).toObject();
        QVERIFY2(!s.isEmpty(), c.name.c_str());
        const std::string tag = c.name + " ";
        const double sp = std::accumulate(c.p.begin(), c.p.end(), 0.0);
        const double sq = std::accumulate(c.q.begin(), c.q.end(), 0.0);
        std::vector<double> pf, qf;
        for (size_t i = 0; i < c.p.size(); ++i) {
            pf.push_back(c.p[i] / sp);
            qf.push_back(c.q[i] / sq);
        }
        COMPARE_NUM(psi(pf, qf), jsonNumber(s.value("psi")), (tag + "PSI").c_str());
        COMPARE_NUM(jensenShannon(c.p, c.q), jsonNumber(s.value("js")), (tag + "JS").c_str());
        COMPARE_NUM(jensenShannon(c.p, c.q, 2.0), jsonNumber(s.value("js2")),
                    (tag + "JS base 2").c_str());
        COMPARE_NUM(hellinger(c.p, c.q), jsonNumber(s.value("hellinger")),
                    (tag + "Hellinger").c_str());
        COMPARE_NUM(linf(c.p, c.q), jsonNumber(s.value("linf")), (tag + "Linf").c_str());
        const Chi2Result chi = chiSquare(c.p, c.q);
        COMPARE_NUM(chi.statistic, jsonNumber(s.value("chi2_statistic")), (tag + "chi2").c_str());
        COMPARE_NUM(chi.pValue, jsonNumber(s.value("chi2_pvalue")), (tag + "chi2 p").c_str());
        QCOMPARE(chi.degreesOfFreedom, s.value("chi2_dof").toInt());
    }
}

void TestDriftStats::specialFunctionsAgainstScipy()
{
    REQUIRE_SCIPY();
    const QJsonObject s = m_reference.value("special").toObject();
    const QJsonArray kstwo = s.value("kstwo").toArray();
    QCOMPARE(size_t(kstwo.size()), m_kstwo.size());
    for (size_t i = 0; i < m_kstwo.size(); ++i) {
        const std::string what = "kstwo.sf(" + formatDouble(m_kstwo[i].first) + ", " +
                                 std::to_string(m_kstwo[i].second) + ")";
        COMPARE_NUM(ksOneSampleSurvival(m_kstwo[i].first, m_kstwo[i].second),
                    jsonNumber(kstwo[qsizetype(i)]), what.c_str());
    }
    const QJsonArray smirnov = s.value("smirnov").toArray();
    QCOMPARE(size_t(smirnov.size()), m_smirnov.size());
    for (size_t i = 0; i < m_smirnov.size(); ++i) {
        const std::string what = "smirnov(" + std::to_string(m_smirnov[i].first) + ", " +
                                 formatDouble(m_smirnov[i].second) + ")";
        COMPARE_NUM(smirnovSurvival(m_smirnov[i].first, m_smirnov[i].second),
                    jsonNumber(smirnov[qsizetype(i)]), what.c_str());
    }
    const QJsonArray kolmogorov = s.value("kolmogorov").toArray();
    for (size_t i = 0; i < m_kolmogorov.size(); ++i) {
        const std::string what = "kolmogorov(" + formatDouble(m_kolmogorov[i]) + ")";
        COMPARE_NUM(kolmogorovSurvival(m_kolmogorov[i]), jsonNumber(kolmogorov[qsizetype(i)]),
                    what.c_str());
    }
    const QJsonArray chi2 = s.value("chi2").toArray();
    for (size_t i = 0; i < m_chi2.size(); ++i) {
        const std::string what = "chi2.sf(" + formatDouble(m_chi2[i].first) + ", " +
                                 formatDouble(m_chi2[i].second) + ")";
        COMPARE_NUM(chiSquareSurvival(m_chi2[i].first, m_chi2[i].second),
                    jsonNumber(chi2[qsizetype(i)]), what.c_str());
    }
    const QJsonArray norm = s.value("norm").toArray();
    for (size_t i = 0; i < m_norm.size(); ++i) {
        const std::string what = "norm.sf(" + formatDouble(m_norm[i]) + ")";
        COMPARE_NUM(normalSurvival(m_norm[i]), jsonNumber(norm[qsizetype(i)]), what.c_str());
    }
}

void TestDriftStats::zTestAgainstReference()
{
    REQUIRE_SCIPY();
    const QJsonArray z = m_reference.value("ztest").toArray();
    QCOMPARE(size_t(z.size()), m_ztest.size());
    for (size_t i = 0; i < m_ztest.size(); ++i) {
        const auto &c = m_ztest[i];
        const double p = proportionsZTestPValue(c[0], c[1], c[2], c[3]);
        const QJsonObject r = z[qsizetype(i)].toObject();
        const double expected = jsonNumber(r.value("p"));
        if (std::isnan(expected)) {
            // Evidently's formula divides 0 by 0 for identical constant samples; its rule says 1.
            QCOMPARE(p, 1.0);
            continue;
        }
        COMPARE_NUM(p, expected, "z-test p");
        // Evidently's own 1 - cdf form agrees wherever it has digits left.
        const double evidently = jsonNumber(r.value("evidently_p"));
        if (evidently > 1e-6)
            QVERIFY(std::fabs(p - evidently) <= 1e-9 * evidently);
    }
}

void TestDriftStats::mergeMatchesDefinition()
{
    Rng rng(100);
    for (int round = 0; round < 300; ++round) {
        const size_t n = 1 + size_t(rng.uniform() * 40), m = 1 + size_t(rng.uniform() * 40);
        const double grid = round % 3 == 0 ? 0.0 : (round % 3 == 1 ? 0.25 : 1.0);
        std::vector<double> a(n), b(m);
        for (double &x : a)
            x = grid > 0 ? std::round(2 * rng.normal() / grid) * grid : rng.normal();
        for (double &x : b)
            x = grid > 0 ? std::round((2 * rng.normal() + 0.3) / grid) * grid : rng.normal() + 0.3;
        a = sorted(a);
        b = sorted(b);
        double d, w;
        bruteForce(a, b, d, w);
        const KsWassersteinResult r = ksAndWasserstein1(a, b);
        // Exact p-values report h / lcm, which is D itself to rounding.
        QVERIFY(std::fabs(r.ks.statistic - d) <= 1e-15);
        QVERIFY2(std::fabs(r.wasserstein1 - w) <= 1e-12 * std::max(1.0, w),
                 describe("W1", r.wasserstein1, w).constData());
        // Symmetric in its arguments.
        const KsWassersteinResult s = ksAndWasserstein1(b, a);
        QCOMPARE(s.ks.statistic, r.ks.statistic);
        QVERIFY(std::fabs(s.ks.pValue - r.ks.pValue) <= 1e-14);
        QVERIFY(std::fabs(s.wasserstein1 - r.wasserstein1) <= 1e-12 * std::max(1.0, w));
    }
}

void TestDriftStats::exactKsMatchesEnumeration()
{
    // Every assignment of n + m distinct ranks to the two samples is equally likely under H0;
    // P(D >= d) is the share of assignments whose statistic reaches d.
    for (const auto &[n, m] : std::vector<std::pair<int, int>>{{3, 5}, {4, 4}, {5, 7}, {6, 9},
                                                               {8, 8}, {2, 11}}) {
        const int total = n + m;
        std::vector<double> stats;
        for (uint32_t mask = 0; mask < (1u << total); ++mask) {
            if (__builtin_popcount(mask) != n)
                continue;
            int i = 0, j = 0;
            double d = 0.0;
            for (int k = 0; k < total; ++k) {
                if (mask & (1u << k))
                    ++i;
                else
                    ++j;
                d = std::max(d, std::fabs(double(i) / n - double(j) / m));
            }
            stats.push_back(d);
        }
        std::vector<double> distinct = sorted(stats);
        distinct.erase(std::unique(distinct.begin(), distinct.end(),
                                   [](double x, double y) { return std::fabs(x - y) < 1e-12; }),
                       distinct.end());
        for (double d : distinct) {
            const double share =
                double(std::count_if(stats.begin(), stats.end(),
                                     [d](double s) { return s >= d - 1e-12; })) /
                double(stats.size());
            const KsResult r = ksFromStatistic(d, n, m);
            QVERIFY(r.exact);
            QVERIFY2(std::fabs(r.pValue - share) <= 1e-12,
                     describe("exact KS p", r.pValue, share).constData());
        }
    }
}

void TestDriftStats::ksEdgeCases()
{
    const std::vector<double> empty, one{5.0}, other{7.0};
    KsResult r = ksTwoSample(empty, one);
    QVERIFY(std::isnan(r.statistic) && std::isnan(r.pValue) && !r.exact);
    r = ksTwoSample(one, empty);
    QVERIFY(std::isnan(r.statistic) && std::isnan(r.pValue));

    r = ksTwoSample(one, one);
    QCOMPARE(r.statistic, 0.0);
    QCOMPARE(r.pValue, 1.0);
    QVERIFY(r.exact);
    r = ksTwoSample(one, other);
    QCOMPARE(r.statistic, 1.0);
    QCOMPARE(r.pValue, 1.0); // two single values: every ordering is as likely

    // Constant samples: the same constant, and two different ones.
    const std::vector<double> c1(100, 3.0), c2(150, 3.0), c3(150, 4.0);
    r = ksTwoSample(c1, c2);
    QCOMPARE(r.statistic, 0.0);
    QCOMPARE(r.pValue, 1.0);
    r = ksTwoSample(c1, c3);
    QCOMPARE(r.statistic, 1.0);
    QVERIFY(r.pValue < 1e-60 && r.pValue >= 0.0);

    // NaN is refused, wherever it sits, without crashing.
    const std::vector<double> withNaN{1.0, kNaN, 2.0}, nanLast{1.0, 2.0, kNaN};
    r = ksTwoSample(withNaN, one);
    QVERIFY(std::isnan(r.statistic) && std::isnan(r.pValue));
    r = ksTwoSample(one, nanLast);
    QVERIFY(std::isnan(r.statistic) && std::isnan(r.pValue));
    // Unsorted input breaks the precondition; the answer is meaningless but stays in range.
    const std::vector<double> unsorted{3.0, 1.0, 2.0, -5.0};
    r = ksTwoSample(unsorted, one);
    QVERIFY(r.statistic >= 0.0 && r.statistic <= 1.0 && r.pValue >= 0.0 && r.pValue <= 1.0);

    // Infinite values are ordinary, extreme values.
    const std::vector<double> inf1{-kInf, 0.0, kInf}, inf2{1.0, 2.0};
    r = ksTwoSample(inf1, inf2);
    QVERIFY(std::fabs(r.statistic - 2.0 / 3.0) < 1e-15);
    QVERIFY(r.pValue > 0.0 && r.pValue <= 1.0);
    // Huge and subnormal magnitudes change nothing: only the order counts.
    const std::vector<double> big{-DBL_MAX, -1e300, 1e300, DBL_MAX}, small{4e-324, 1e-310};
    const std::vector<double> bigScaled{-4.0, -3.0, 3.0, 4.0}, smallScaled{1.0, 2.0};
    QCOMPARE(ksTwoSample(big, small).statistic, ksTwoSample(bigScaled, smallScaled).statistic);
    QCOMPARE(ksTwoSample(big, small).pValue, ksTwoSample(bigScaled, smallScaled).pValue);

    // The asymptotic path with extreme statistics.
    std::vector<double> low(20000), high(20000);
    std::iota(low.begin(), low.end(), 0.0);
    std::iota(high.begin(), high.end(), 1e6);
    r = ksTwoSample(low, high);
    QCOMPARE(r.statistic, 1.0);
    QCOMPARE(r.pValue, 0.0);
    QVERIFY(!r.exact);
    r = ksTwoSample(low, low);
    QCOMPARE(r.statistic, 0.0);
    QCOMPARE(r.pValue, 1.0);

    QVERIFY(std::isnan(ksFromStatistic(0.5, 0, 10).pValue));
    QVERIFY(std::isnan(ksFromStatistic(kNaN, 10, 10).pValue));
    QVERIFY(std::isnan(ksFromStatistic(-0.1, 10, 10).pValue));
    QVERIFY(std::isnan(ksFromStatistic(1.5, 20000, 10).pValue));
    QCOMPARE(ksFromStatistic(1.0, 7, 9).statistic, 1.0);
}

void TestDriftStats::wassersteinEdgeCases()
{
    const std::vector<double> empty, one{5.0}, other{7.5};
    QVERIFY(std::isnan(wasserstein1(empty, one)));
    QVERIFY(std::isnan(wasserstein1(one, empty)));
    QCOMPARE(wasserstein1(one, one), 0.0);
    QCOMPARE(wasserstein1(one, other), 2.5);
    const std::vector<double> c1(10, 3.0), c2(7, 3.0);
    QCOMPARE(wasserstein1(c1, c2), 0.0);

    const std::vector<double> withNaN{1.0, kNaN};
    QVERIFY(std::isnan(wasserstein1(withNaN, one)));

    // Differences beyond DBL_MAX are rescaled; a distance beyond it is +inf.
    const std::vector<double> wide{-1e308, 1e308}, zero{0.0};
    QVERIFY(std::fabs(wasserstein1(wide, zero) - 1e308) <= 1e-15 * 1e308);
    const std::vector<double> lowest{-1e308}, highest{1e308};
    QCOMPARE(wasserstein1(lowest, highest), kInf);
    const std::vector<double> maxima{DBL_MAX}, minima{-DBL_MAX, DBL_MAX};
    QVERIFY(std::fabs(wasserstein1(maxima, minima) - DBL_MAX) <= 1e-15 * DBL_MAX);
    // Subnormal values keep their exact differences.
    const std::vector<double> s1{5e-324}, s2{1e-323};
    QCOMPARE(wasserstein1(s1, s2), 5e-324);

    // Infinite values: +inf when the masses beyond a finite value differ, finite when they match.
    const std::vector<double> negInf{-kInf, 0.0}, finite{0.0, 1.0};
    QCOMPARE(wasserstein1(negInf, finite), kInf);
    const std::vector<double> posInf1{0.0, kInf}, posInf2{1.0, kInf};
    QCOMPARE(wasserstein1(posInf1, posInf2), 0.5);
    const std::vector<double> allInf{kInf, kInf};
    QCOMPARE(wasserstein1(allInf, allInf), 0.0);
}

void TestDriftStats::frequencyEdgeCases()
{
    const std::vector<double> empty, p{1, 2, 3}, shorter{1, 2}, zeros{0, 0, 0};
    QVERIFY(std::isnan(psi(empty, empty)));
    QVERIFY(std::isnan(psi(p, shorter)));
    QVERIFY(std::isnan(jensenShannon(p, shorter)));
    QVERIFY(std::isnan(jensenShannon(empty, empty)));
    QVERIFY(std::isnan(jensenShannon(p, zeros)));
    QVERIFY(std::isnan(hellinger(zeros, p)));
    QVERIFY(std::isnan(linf(p, shorter)));
    const std::vector<double> negative{1, -1, 3};
    QVERIFY(std::isnan(jensenShannon(p, negative)));
    QVERIFY(std::isnan(jensenShannon(p, p, 1.0)));
    QVERIFY(std::isnan(jensenShannon(p, p, -2.0)));

    // Identical distributions: every distance 0 (scaled copies too, as inputs are normalised).
    const std::vector<double> scaled{10, 20, 30};
    QCOMPARE(jensenShannon(p, scaled), 0.0);
    QCOMPARE(hellinger(p, scaled), 0.0);
    QCOMPARE(linf(p, scaled), 0.0);
    const std::vector<double> f{0.2, 0.3, 0.5};
    QCOMPARE(psi(f, f), 0.0);

    // Disjoint supports: the maxima.
    const std::vector<double> left{1, 0}, right{0, 1};
    QVERIFY(std::fabs(jensenShannon(left, right) - std::sqrt(std::log(2.0))) < 1e-15);
    QVERIFY(std::fabs(jensenShannon(left, right, 2.0) - 1.0) < 1e-15);
    QCOMPARE(hellinger(left, right), 1.0);
    QCOMPARE(linf(left, right), 1.0);
    // PSI's empty-bin substitute.
    const std::vector<double> r0{0.5, 0.5, 0.0}, c0{0.5, 0.4, 0.1};
    const double expected = (0.4 - 0.5) * std::log(0.4 / 0.5) + (0.1 - 1e-4) * std::log(0.1 / 1e-4);
    QVERIFY(std::fabs(psi(r0, c0) - expected) < 1e-15);
    const double custom = (0.4 - 0.5) * std::log(0.4 / 0.5) + (0.1 - 1e-6) * std::log(0.1 / 1e-6);
    QVERIFY(std::fabs(psi(r0, c0, 1e-6) - custom) < 1e-14);
}

void TestDriftStats::chiSquareEdgeCases()
{
    const std::vector<double> empty, p{10, 20}, shorter{10}, zeros{0, 0}, negative{10, -1};
    Chi2Result r = chiSquare(empty, empty);
    QVERIFY(std::isnan(r.statistic) && std::isnan(r.pValue) && r.degreesOfFreedom == 0);
    r = chiSquare(p, shorter);
    QVERIFY(std::isnan(r.pValue));
    r = chiSquare(p, zeros);
    QVERIFY(std::isnan(r.pValue));
    r = chiSquare(zeros, p);
    QVERIFY(std::isnan(r.pValue));
    r = chiSquare(p, negative);
    QVERIFY(std::isnan(r.pValue));

    // One category on both sides: nothing to test.
    const std::vector<double> single{0, 40, 0}, singleCur{0, 7, 0};
    r = chiSquare(single, singleCur);
    QCOMPARE(r.statistic, 0.0);
    QCOMPARE(r.degreesOfFreedom, 0);
    QCOMPARE(r.pValue, 1.0);
    // A category only in the current data.
    const std::vector<double> ref{10, 10, 0}, cur{10, 10, 1};
    r = chiSquare(ref, cur);
    QCOMPARE(r.statistic, kInf);
    QCOMPARE(r.pValue, 0.0);
    QCOMPARE(r.degreesOfFreedom, 2);
    // Empty bins on both sides do not count as degrees of freedom.
    const std::vector<double> refGaps{10, 0, 30, 0}, curGaps{12, 0, 28, 0};
    r = chiSquare(refGaps, curGaps);
    QCOMPARE(r.degreesOfFreedom, 1);
    QVERIFY(std::fabs(r.statistic - (4.0 / 10 + 4.0 / 30)) < 1e-15);
}

void TestDriftStats::zTestEdgeCases()
{
    QCOMPARE(proportionsZTestPValue(10, 10, 5, 5), 1.0);
    QCOMPARE(proportionsZTestPValue(0, 10, 0, 5), 1.0);
    QCOMPARE(proportionsZTestPValue(3, 10, 3, 10), 1.0);
    QVERIFY(std::isnan(proportionsZTestPValue(1, 0, 1, 5)));
    QVERIFY(std::isnan(proportionsZTestPValue(6, 5, 1, 5)));
    QVERIFY(std::isnan(proportionsZTestPValue(-1, 5, 1, 5)));
    QVERIFY(std::isnan(proportionsZTestPValue(kNaN, 5, 1, 5)));
    // Extreme separation keeps a positive p-value far below 1e-16.
    const double p = proportionsZTestPValue(1000, 100000, 2000, 100000);
    QVERIFY(p > 0.0 && p < 1e-50);
}

void TestDriftStats::specialFunctionEdgeCases()
{
    QCOMPARE(chiSquareSurvival(0.0, 3), 1.0);
    QCOMPARE(chiSquareSurvival(-1.0, 3), 1.0);
    QCOMPARE(chiSquareSurvival(kInf, 3), 0.0);
    QVERIFY(std::isnan(chiSquareSurvival(1.0, 0)));
    QVERIFY(std::isnan(chiSquareSurvival(kNaN, 2)));
    // Closed forms: dof 2 is exp(-x/2); dof 1 is erfc(sqrt(x/2)).
    for (double x : {1e-10, 0.3, 1.0, 4.0, 50.0, 700.0, 1400.0}) {
        QVERIFY(close(chiSquareSurvival(x, 2), std::exp(-x / 2), 1e-13));
        QVERIFY(close(chiSquareSurvival(x, 1), std::erfc(std::sqrt(x / 2)), 1e-13));
    }
    QCOMPARE(normalSurvival(0.0), 0.5);
    QCOMPARE(normalSurvival(-kInf), 1.0);
    QCOMPARE(normalSurvival(kInf), 0.0);
    QVERIFY(std::isnan(normalSurvival(kNaN)));
    QCOMPARE(kolmogorovSurvival(0.0), 1.0);
    QCOMPARE(kolmogorovSurvival(-1.0), 1.0);
    QCOMPARE(kolmogorovSurvival(kInf), 0.0);
    QVERIFY(std::isnan(kolmogorovSurvival(kNaN)));
    QCOMPARE(ksOneSampleSurvival(0.0, 10), 1.0);
    QCOMPARE(ksOneSampleSurvival(1.0, 10), 0.0);
    QCOMPARE(ksOneSampleSurvival(0.04, 10), 1.0); // below 1 / (2n)
    QVERIFY(std::isnan(ksOneSampleSurvival(0.5, 0)));
    QVERIFY(std::isnan(ksOneSampleSurvival(kNaN, 5)));
    QVERIFY(std::isnan(smirnovSurvival(0, 0.5)));
    QVERIFY(std::isnan(smirnovSurvival(5, 1.5)));
    QCOMPARE(smirnovSurvival(5, 0.0), 1.0);
    QCOMPARE(smirnovSurvival(5, 1.0), 0.0);
    QCOMPARE(smirnovSurvival(1, 0.25), 0.75);
}

void TestDriftStats::binningQuantiles()
{
    std::vector<double> values(11);
    std::iota(values.begin(), values.end(), 1.0);
    std::reverse(values.begin(), values.end()); // unsorted input is sorted first
    Binning b = fitNumericBinning(values, 10);
    QCOMPARE(b.type, ColumnType::Numeric);
    QCOMPARE(b.edges.size(), size_t(11));
    for (size_t i = 0; i < 11; ++i)
        QCOMPARE(b.edges[i], double(i + 1));
    QCOMPARE(b.binCount(), size_t(13));

    // Interpolated quantiles: 0, 10, 20, 30 at q = 0, 1/3, 2/3, 1 over {0, 10, 20, 30}.
    b = fitNumericBinning({30, 0, 20, 10}, 3);
    QCOMPARE(b.edges, (std::vector<double>{0, 10, 20, 30}));
    // Four values, two bins: the median 15 by interpolation.
    b = fitNumericBinning({0, 10, 20, 30}, 2);
    QCOMPARE(b.edges, (std::vector<double>{0, 15, 30}));

    // Layout and closed last bin.
    const std::vector<double> probe{-1, 0, 5, 15, 29.999, 30, 30.001, kNaN, kNaN};
    const std::vector<double> h = histogram(b, probe);
    QCOMPARE(h, (std::vector<double>{1, 2, 3, 1, 2}));

    // Ties: repeated quantiles collapse.
    b = fitNumericBinning({1, 1, 1, 1, 1, 1, 1, 1, 2, 3}, 10);
    QCOMPARE(b.edges.front(), 1.0);
    QCOMPARE(b.edges.back(), 3.0);
    QVERIFY(std::adjacent_find(b.edges.begin(), b.edges.end()) == b.edges.end());
    QVERIFY(std::is_sorted(b.edges.begin(), b.edges.end()));

    // bins <= 0 means one bin.
    b = fitNumericBinning({4, 2, 9}, 0);
    QCOMPARE(b.edges, (std::vector<double>{2, 9}));
}

void TestDriftStats::binningConstantEmptyAndInfinite()
{
    Binning b = fitNumericBinning({3, 3, 3}, 10);
    QCOMPARE(b.edges, std::vector<double>{3});
    QCOMPARE(b.binCount(), size_t(4));
    QCOMPARE(histogram(b, std::vector<double>{2, 3, 3, 4, kNaN}),
             (std::vector<double>{1, 2, 1, 1}));
    QCOMPARE(histogram(b, std::vector<double>{2, 3, 3, 4}), (std::vector<double>{1, 2, 1, 0}));

    b = fitNumericBinning({kNaN, kNaN}, 10);
    QVERIFY(b.edges.empty());
    QCOMPARE(b.binCount(), size_t(3));
    QCOMPARE(histogram(b, std::vector<double>{1, kNaN, -5}), (std::vector<double>{0, 2, 1}));
    b = fitNumericBinning({}, 10);
    QCOMPARE(b.binCount(), size_t(3));
    QCOMPARE(histogram(b, std::vector<double>{}), (std::vector<double>{0, 0, 0}));

    // A single value.
    b = fitNumericBinning({42}, 10);
    QCOMPARE(b.edges, std::vector<double>{42});

    // Infinite values stay out of the fit and land in the outer bins.
    b = fitNumericBinning({-kInf, 1, 2, 3, kInf}, 2);
    QCOMPARE(b.edges, (std::vector<double>{1, 2, 3}));
    QCOMPARE(histogram(b, std::vector<double>{-kInf, 1, 2.5, 3, kInf, kInf}),
             (std::vector<double>{1, 1, 2, 2, 0}));
}

void TestDriftStats::binningHugeValues()
{
    const Binning b = fitNumericBinning({-1e308, 1e308, 0, -DBL_MAX, DBL_MAX, 5e-324}, 7);
    QVERIFY(!b.edges.empty());
    for (double e : b.edges)
        QVERIFY(std::isfinite(e));
    QVERIFY(std::is_sorted(b.edges.begin(), b.edges.end()));
    QCOMPARE(b.edges.front(), -DBL_MAX);
    QCOMPARE(b.edges.back(), DBL_MAX);
    const std::vector<double> h = histogram(b, std::vector<double>{-DBL_MAX, DBL_MAX, 0.0, kInf});
    QCOMPARE(std::accumulate(h.begin(), h.end(), 0.0), 4.0);
    QCOMPARE(h[b.binCount() - 2], 1.0); // +inf: overflow

    const Binning tiny = fitNumericBinning({5e-324, 1e-323, 1.5e-323, 2e-323}, 3);
    QCOMPARE(tiny.edges, (std::vector<double>{5e-324, 1e-323, 1.5e-323, 2e-323}));
}

void TestDriftStats::histogramSortedMatchesUnsorted()
{
    const std::vector<double> ref = normals(200, 5000, 0.0, 1.0, 0.1);
    const Binning b = fitNumericBinning(ref, 10);
    std::vector<double> cur = normals(201, 7000, 0.2, 1.3, 0.1);
    const std::vector<double> unsortedCounts = histogram(b, cur);
    const std::vector<double> sortedCounts = histogram(b, sorted(cur));
    QCOMPARE(sortedCounts, unsortedCounts);
    QCOMPARE(std::accumulate(sortedCounts.begin(), sortedCounts.end(), 0.0), 7000.0);
    QCOMPARE(sortedCounts.back(), 0.0);
    // Values exactly on every edge, sorted and not.
    std::vector<double> onEdges = b.edges;
    onEdges.insert(onEdges.end(), b.edges.begin(), b.edges.end());
    const std::vector<double> a1 = histogram(b, sorted(onEdges));
    std::reverse(onEdges.begin(), onEdges.end());
    QCOMPARE(histogram(b, onEdges), a1);
    QCOMPARE(a1[0], 0.0);
    QCOMPARE(a1[b.binCount() - 2], 0.0);
    QCOMPARE(a1[b.binCount() - 3], 4.0); // the last bin holds the last two edges twice
}

void TestDriftStats::categoricalBinning()
{
    Column ref;
    ref.name = "colour";
    ref.type = ColumnType::Categorical;
    ref.dictionary = {"red", "green", "blue", "unused"};
    ref.codes = {0, 1, 1, 2, -1, 0};
    const Binning b = fitCategoricalBinning(ref);
    QCOMPARE(b.type, ColumnType::Categorical);
    QCOMPARE(b.categories, (std::vector<std::string>{"red", "green", "blue"}));
    QCOMPARE(b.binCount(), size_t(5));
    QCOMPARE(histogram(b, ref), (std::vector<double>{2, 2, 1, 0, 1}));

    // The current file has its own dictionary order and a new category.
    Column cur;
    cur.type = ColumnType::Categorical;
    cur.dictionary = {"blue", "purple", "red"};
    cur.codes = {0, 1, 2, 2, -1, -1, 1};
    QCOMPARE(histogram(b, cur), (std::vector<double>{2, 0, 1, 2, 2}));

    // Duplicate texts in a dictionary count once.
    Column dup;
    dup.type = ColumnType::Categorical;
    dup.dictionary = {"a", "b", "a"};
    dup.codes = {0, 1, 2};
    const Binning d = fitCategoricalBinning(dup);
    QCOMPARE(d.categories, (std::vector<std::string>{"a", "b"}));
    QCOMPARE(histogram(d, dup), (std::vector<double>{2, 1, 0, 0}));

    // An empty reference: everything is unseen or missing.
    Column none;
    none.type = ColumnType::Categorical;
    const Binning e = fitCategoricalBinning(none);
    QCOMPARE(e.binCount(), size_t(2));
    QCOMPARE(histogram(e, cur), (std::vector<double>{5, 2}));
}

void TestDriftStats::mixedTypes()
{
    // A numeric reference binned as categories (e.g. a Boolean or a small code set).
    Column flags;
    flags.type = ColumnType::Boolean;
    flags.numbers = {1, 0, 1, kNaN, 1};
    const Binning b = fitCategoricalBinning(flags);
    QCOMPARE(b.categories, (std::vector<std::string>{"0", "1"}));
    QCOMPARE(histogram(b, flags), (std::vector<double>{1, 3, 0, 1}));
    QCOMPARE(histogram(b, std::vector<double>{0, 1, 2, 0.5, kNaN}),
             (std::vector<double>{1, 1, 2, 1}));

    // A categorical current column in a numeric binning: texts read as numbers.
    const Binning n = fitNumericBinning({0, 10, 20, 30}, 3);
    Column text;
    text.type = ColumnType::Categorical;
    text.dictionary = {"5", " 25 ", "abc", "-3", "+40", "nan"};
    text.codes = {0, 1, 2, 3, 4, 5, -1};
    QCOMPARE(histogram(n, text), (std::vector<double>{1, 1, 0, 1, 1, 3}));
}

void TestDriftStats::labels()
{
    Binning b = fitNumericBinning({0, 10, 20, 30}, 2);
    QCOMPARE(b.labels(), (std::vector<std::string>{"< 0", "[0, 15)", "[15, 30]", "> 30",
                                                   "(missing)"}));
    b = fitNumericBinning({3, 3}, 10);
    QCOMPARE(b.labels(), (std::vector<std::string>{"< 3", "[3, 3]", "> 3", "(missing)"}));
    b = fitNumericBinning({}, 10);
    QCOMPARE(b.labels().size(), b.binCount());

    // Close edges get the digits they need to stay apart.
    b.edges = {1.00001, 1.00002, 2.5};
    const std::vector<std::string> close = b.labels();
    QCOMPARE(close[1], std::string("[1.00001, 1.00002)"));
    QCOMPARE(close[2], std::string("[1.00002, 2.5]"));
    b.edges = {1234567.0, 7654321.0};
    QCOMPARE(b.labels()[1], std::string("[1.235e+06, 7.654e+06]"));

    // Timestamps as UTC dates.
    b.type = ColumnType::Timestamp;
    b.edges = {1709294400000.0, 1709294400123.0, -86400000.0 * 365};
    std::sort(b.edges.begin(), b.edges.end());
    const std::vector<std::string> t = b.labels();
    QCOMPARE(t[0], std::string("< 1969-01-01T00:00:00Z"));
    QCOMPARE(t[2], std::string("[2024-03-01T12:00:00Z, 2024-03-01T12:00:00.123Z]"));

    Column ref;
    ref.type = ColumnType::Categorical;
    ref.dictionary = {"x", "y"};
    ref.codes = {1, 0};
    QCOMPARE(fitCategoricalBinning(ref).labels(),
             (std::vector<std::string>{"x", "y", "(unseen)", "(missing)"}));
}

QTEST_APPLESS_MAIN(TestDriftStats)
#include "tst_driftstats.moc"
