// SPDX-License-Identifier: GPL-3.0-or-later
// RunFilter: every comparator, prefix and quoting form, precedence, NaN and missing keys,
// error positions, the depth limit, and survival of arbitrary input.
#include "query/filter.h"

#include <QtTest>

#include <cfloat>
#include <cmath>
#include <limits>
#include <random>
#include <string>
#include <string_view>

using namespace sightline;

namespace {

Run sampleRun()
{
    Run r;
    r.runId = "c3b1acfb0ba844518ac8a56edf86f9bd";
    r.experimentId = "1";
    r.runName = "resnet-lr-0.01";
    r.userId = "alice";
    r.status = "FINISHED";
    r.lifecycleStage = "active";
    r.artifactUri = "mlflow-artifacts:/1/c3b1acfb0ba844518ac8a56edf86f9bd/artifacts";
    r.startTime = 1700000000000;
    r.endTime = 1700000360000;
    r.metrics = {
        {"val_accuracy", 0.91, 0, 10},
        {"val loss", 0.25, 0, 10},
        {"diverged", std::numeric_limits<double>::quiet_NaN(), 0, 10},
        {"huge", DBL_MAX, 0, 10},
        {"delta", -3.5, 0, 10},
        {"train/loss", 0.4, 0, 10},
        {"zero", 0.0, 0, 10},
    };
    r.params = {
        {"lr", "0.01"},
        {"optimizer", "adam"},
        {"batch_size", "32"},
        {"a-b", "dash"},
        {"layers", "1e2"},
        {"html", "<b>x</b>"},
        {"sql", "'); DROP TABLE runs;--"},
        {"model", "日本語モデル"},
        {"city", "Zürich"},
        {"empty", ""},
        {"seed", "abc"},
        {"quote", "it's \"fine\""},
    };
    r.tags = {
        {"mlflow.runName", "resnet-lr-0.01"},
        {"team", "NLP-core"},
        {"mlflow.parentRunId", "9430b94582494e97986929aa530e9fe0"},
    };
    DatasetInput train;
    train.name = "fraud-train";
    train.digest = "abc123";
    train.context = "training";
    DatasetInput eval;
    eval.name = "fraud-eval";
    eval.digest = "def456";
    eval.context = "eval";
    DatasetInput bare;
    bare.name = "no-context";
    bare.digest = "777";
    r.inputs = {train, eval, bare};
    return r;
}

std::string_view view(const QByteArray &bytes)
{
    return std::string_view(bytes.constData(), static_cast<size_t>(bytes.size()));
}

size_t columnOf(std::string_view text, size_t position)
{
    size_t column = 1;
    for (size_t i = 0; i < position && i < text.size(); ++i)
        if ((static_cast<unsigned char>(text[i]) & 0xC0) != 0x80)
            ++column;
    return column;
}

// SQL-style quoting for building filters in tests.
std::string quoted(std::string_view value)
{
    std::string out = "'";
    for (char c : value) {
        out.push_back(c);
        if (c == '\'')
            out.push_back('\'');
    }
    return out + "'";
}

bool filterMatches(std::string_view text, const Run &run)
{
    const Result<RunFilter> filter = RunFilter::parse(text);
    if (!filter) {
        qWarning("unexpected error: %s", filter.error().message.c_str());
        return false;
    }
    return filter->matches(run);
}

void row(const char *filter, bool expected)
{
    QTest::newRow(filter) << QByteArray(filter) << expected;
}

} // namespace

class TestQuery : public QObject {
    Q_OBJECT

private slots:
    void emptyFilterMatchesEverything();
    void matchesTable_data();
    void matchesTable();
    void precedence();
    void nanComparesFalse();
    void missingKeys();
    void numericAttributesTreatZeroAsMissing();
    void datasetsShareOneInput();
    void likePatterns_data();
    void likePatterns();
    void literalValuesStayLiteral();
    void errorPositions_data();
    void errorPositions();
    void depthLimit();
    void longChains();
    void hugeNumbers();
    void arbitraryInputNeverCrashes();
    void referencedKeys();
    void copiesShareTheProgram();
};

void TestQuery::emptyFilterMatchesEverything()
{
    for (const char *text : {"", "   ", " \t\r\n "}) {
        const Result<RunFilter> filter = RunFilter::parse(text);
        QVERIFY(filter.ok());
        QVERIFY(filter->isEmpty());
        QVERIFY(filter->matches(Run()));
        QVERIFY(filter->matches(sampleRun()));
        QVERIFY(filter->referencedKeys().empty());
        QVERIFY(!RunFilter::validate(text).has_value());
    }
    const RunFilter byDefault;
    QVERIFY(byDefault.isEmpty());
    QVERIFY(byDefault.matches(sampleRun()));

    const Result<RunFilter> some = RunFilter::parse("status = 'FINISHED'");
    QVERIFY(some.ok());
    QVERIFY(!some->isEmpty());
}

void TestQuery::matchesTable_data()
{
    QTest::addColumn<QByteArray>("filter");
    QTest::addColumn<bool>("expected");

    // Metrics: numeric comparators and number forms.
    row("metrics.val_accuracy > 0.9", true);
    row("metrics.val_accuracy > 0.91", false);
    row("metrics.val_accuracy >= 0.91", true);
    row("metrics.val_accuracy < 0.91", false);
    row("metrics.val_accuracy <= 0.91", true);
    row("metrics.val_accuracy = 0.91", true);
    row("metrics.val_accuracy == 0.91", true);
    row("metrics.val_accuracy != 0.91", false);
    row("metrics.val_accuracy <> 0.5", true);
    row("metrics.val_accuracy > 9.1e-1", false);
    row("metrics.val_accuracy >= 9.1E-1", true);
    row("metrics.val_accuracy > .5", true);
    row("metrics.val_accuracy < +1", true);
    row("metrics.delta < -3", true);
    row("metrics.delta = -3.5e0", true);
    row("metrics.delta > -3.5E+1", true);
    row("metrics.zero = 0", true);
    row("metrics.zero = -0", true);
    row("metrics.huge > 1e308", true);
    row("metric.val_accuracy > 0.9", true);
    row("METRICS.val_accuracy > 0.9", true);
    row("metrics.val_accuracy>0.9", true);

    // Params: text equality, MLflow's aliases, numeric ordering when both sides are numbers.
    row("params.optimizer = 'adam'", true);
    row("params.optimizer = \"adam\"", true);
    row("params.optimizer = 'ADAM'", false);
    row("params.optimizer != 'adam'", false);
    row("params.optimizer != 'sgd'", true);
    row("param.optimizer = 'adam'", true);
    row("parameter.optimizer = 'adam'", true);
    row("parameters.optimizer = 'adam'", true);
    row("params.batch_size > 4", true);
    row("params.batch_size > '4'", true);
    row("params.batch_size < 100", true);
    row("params.batch_size <= 32", true);
    row("params.batch_size >= 33", false);
    row("params.batch_size = 32", true);
    row("params.batch_size = 32.0", true);
    row("params.batch_size = '32'", true);
    row("params.batch_size = '32.0'", false);
    row("params.layers = 100", true);
    row("params.lr != 0.01", false);
    row("params.lr != 0.02", true);
    row("params.optimizer > 1", false);
    row("params.optimizer = 1", false);
    row("params.optimizer != 1", false);
    row("params.optimizer > '1'", true);
    row("params.seed < 'b'", true);
    row("params.seed >= 'abd'", false);

    // Tags, including dotted and quoted keys.
    row("tags.team = 'NLP-core'", true);
    row("tag.team = 'NLP-core'", true);
    row("tags.mlflow.runName = 'resnet-lr-0.01'", true);
    row("tags.`mlflow.runName` LIKE 'resnet%'", true);
    row("tags.\"mlflow.parentRunId\" = '9430b94582494e97986929aa530e9fe0'", true);
    row("metrics.`val loss` < 0.3", true);
    row("metrics.\"val loss\" < 0.3", true);
    row("params.\"a-b\" = 'dash'", true);
    row("params.`a-b` = 'dash'", true);
    row("params.a-b = 'dash'", true);
    row("metrics.train/loss = 0.4", true);
    row("params.quote = 'it''s \"fine\"'", true);
    row("params.quote = \"it's \"\"fine\"\"\"", true);

    // LIKE and ILIKE.
    row("tags.team LIKE 'NLP%'", true);
    row("tags.team LIKE 'nlp%'", false);
    row("tags.team ILIKE 'nlp%'", true);
    row("tags.team ilike '%CORE'", true);
    row("tags.team LIKE '%-%'", true);
    row("tags.team LIKE 'N_P-core'", true);
    row("tags.team LIKE 'N_P'", false);
    row("tags.team like '%'", true);
    row("tags.team LIKE 'NLP-core'", true);
    row("tags.team LIKE 'NLP-cor'", false);
    row("tags.team LIKE '%L%c%e'", true);
    row("tags.team LIKE '%e%e'", false);
    row("tags.team ILIKE '_lp%'", true);
    row("params.empty LIKE ''", true);
    row("params.empty LIKE '%'", true);
    row("params.empty LIKE '_'", false);

    // IN and NOT IN.
    row("params.optimizer IN ('sgd', 'adam')", true);
    row("params.optimizer IN ('sgd')", false);
    row("params.optimizer NOT IN ('sgd', \"rmsprop\")", true);
    row("params.optimizer not in ('adam')", false);
    row("attributes.run_id IN ('c3b1acfb0ba844518ac8a56edf86f9bd')", true);
    row("status in ('RUNNING','FINISHED')", true);
    row("status NOT IN ('RUNNING','FINISHED')", false);

    // Attributes, with and without prefix.
    row("attributes.status = 'FINISHED'", true);
    row("attribute.status = 'FINISHED'", true);
    row("attr.status = 'FINISHED'", true);
    row("run.status = 'FINISHED'", true);
    row("status = 'FINISHED'", true);
    row("STATUS = 'FINISHED'", true);
    row("status = 'finished'", false);
    row("status ILIKE 'finished'", true);
    row("run_name = 'resnet-lr-0.01'", true);
    row("attributes.`run name` = 'resnet-lr-0.01'", true);
    row("run_id LIKE 'c3b1%'", true);
    row("user_id = 'alice'", true);
    row("artifact_uri LIKE 'mlflow-artifacts:%'", true);
    row("lifecycle_stage = 'active'", true);
    row("lifecycle_stage != 'deleted'", true);
    row("experiment_id = '1'", true);
    row("experiment_id = 1", true);
    row("start_time > 1600000000000", true);
    row("attributes.start_time = 1700000000000", true);
    row("attributes.created = 1700000000000", true);
    row("end_time >= 1700000360000", true);
    row("end_time < 1700000360000", false);
    row("end_time IS NOT NULL", true);
    row("start_time IS NULL", false);

    // Datasets.
    row("datasets.name = 'fraud-train'", true);
    row("dataset.name = 'fraud-eval'", true);
    row("datasets.name = 'other'", false);
    row("datasets.digest LIKE 'abc%'", true);
    row("datasets.context = 'training'", true);
    row("datasets.name IN ('fraud-eval')", true);
    row("datasets.context != 'training'", true);

    // Non-ASCII keys and values.
    row("params.model = '日本語モデル'", true);
    row("params.model LIKE '日本%'", true);
    row("params.model LIKE '日本語___'", true);
    row("params.model LIKE '日本語__'", false);
    row("params.model ILIKE '%モデル'", true);
    row("params.city ILIKE 'zürich'", true);
    row("params.city ILIKE 'ZÜRICH'", false);
    row("params.city LIKE 'Z_rich'", true);
    row("params.city = 'Zurich'", false);
    row("tags.チーム IS NULL", true);

    // Precedence, parentheses and layout.
    row("metrics.val_accuracy > 0.5 OR params.optimizer = 'sgd' AND tags.team = 'x'", true);
    row("(metrics.val_accuracy > 0.5 OR params.optimizer = 'sgd') AND tags.team = 'x'", false);
    row("params.optimizer = 'sgd' AND tags.team = 'x' OR status = 'FINISHED'", true);
    row("params.optimizer = 'sgd' AND (tags.team = 'x' OR status = 'FINISHED')", false);
    row("((((status = 'FINISHED'))))", true);
    row("(status = 'FAILED' OR (params.lr = '0.01' AND (metrics.val_accuracy > 0.9)))", true);
    row("status = 'FAILED' or params.lr = '0.01' and metrics.val_accuracy < 0.9", false);
    row("status = 'FINISHED' AND (params.optimizer = 'sgd' OR params.optimizer = 'adam') "
        "AND tags.team LIKE 'NLP%'",
        true);
    QTest::newRow("tabs and newlines")
        << QByteArray("  metrics.val_accuracy>0.9\n\tAND\tparams.optimizer='adam'  ") << true;
    row("status='FINISHED'AND(run_id!='x')", true);
}

void TestQuery::matchesTable()
{
    QFETCH(QByteArray, filter);
    QFETCH(bool, expected);
    const Result<RunFilter> parsed = RunFilter::parse(view(filter));
    QVERIFY2(parsed.ok(), parsed.ok() ? "" : parsed.error().message.c_str());
    QCOMPARE(parsed->matches(sampleRun()), expected);
    QVERIFY(!RunFilter::validate(view(filter)).has_value());
}

void TestQuery::precedence()
{
    // A OR B AND C is A OR (B AND C): with A true and C false it must still match.
    Run a;
    a.params = {{"a", "1"}, {"b", "0"}, {"c", "0"}};
    QVERIFY(filterMatches("params.a = '1' OR params.b = '1' AND params.c = '1'", a));
    QVERIFY(!filterMatches("(params.a = '1' OR params.b = '1') AND params.c = '1'", a));
    Run bc;
    bc.params = {{"a", "0"}, {"b", "1"}, {"c", "1"}};
    QVERIFY(filterMatches("params.a = '1' OR params.b = '1' AND params.c = '1'", bc));
    QVERIFY(filterMatches("params.b = '1' AND params.c = '1' OR params.a = '1'", bc));
    Run none;
    none.params = {{"a", "0"}, {"b", "1"}, {"c", "0"}};
    QVERIFY(!filterMatches("params.a = '1' OR params.b = '1' AND params.c = '1'", none));
    QVERIFY(filterMatches("(params.a = '1' OR params.b = '1') AND params.c = '0'", none));
}

void TestQuery::nanComparesFalse()
{
    const Run run = sampleRun();
    for (const char *op : {"=", "!=", "<", "<=", ">", ">="}) {
        for (const char *value : {"0", "-1e308", "1e308"}) {
            const std::string text = std::string("metrics.diverged ") + op + " " + value;
            QVERIFY2(!filterMatches(text, run), text.c_str());
        }
    }
    QVERIFY(filterMatches("metrics.diverged IS NOT NULL", run));
    QVERIFY(!filterMatches("metrics.diverged IS NULL", run));
    QVERIFY(filterMatches("metrics.diverged != 0 OR metrics.val_accuracy > 0.5", run));
}

void TestQuery::missingKeys()
{
    const Run run = sampleRun();
    for (const char *text : {
             "metrics.missing > 0",
             "metrics.missing != 0",
             "metrics.missing IS NOT NULL",
             "params.missing = 'x'",
             "params.missing != 'x'",
             "params.missing NOT IN ('x')",
             "params.missing LIKE '%'",
             "params.missing > 1",
             "tags.missing != 'x'",
             "tags.team IS NULL",
             "params.empty IS NULL",
         })
        QVERIFY2(!filterMatches(text, run), text);
    for (const char *text : {
             "metrics.missing IS NULL",
             "metrics.missing is null",
             "params.missing IS NULL",
             "tags.missing IS NULL",
             "tags.team IS NOT NULL",
             "tags.team is not null",
             "params.empty = ''",
             "params.empty IS NOT NULL",
         })
        QVERIFY2(filterMatches(text, run), text);

    const Run bare;
    QVERIFY(!filterMatches("datasets.name != 'x'", bare));
    QVERIFY(!filterMatches("status = 'FINISHED'", bare));
    QVERIFY(filterMatches("status = ''", bare));
    QVERIFY(filterMatches("metrics.any IS NULL AND params.any IS NULL", bare));
}

void TestQuery::numericAttributesTreatZeroAsMissing()
{
    Run running = sampleRun();
    running.status = "RUNNING";
    running.endTime = 0;
    QVERIFY(filterMatches("end_time IS NULL", running));
    QVERIFY(!filterMatches("end_time IS NOT NULL", running));
    QVERIFY(!filterMatches("end_time < 1800000000000", running));
    QVERIFY(!filterMatches("end_time != 5", running));
    QVERIFY(filterMatches("status = 'RUNNING' AND start_time > 0", running));
}

void TestQuery::datasetsShareOneInput()
{
    const Run run = sampleRun();
    QVERIFY(filterMatches("datasets.name = 'fraud-train' AND datasets.context = 'training'", run));
    QVERIFY(!filterMatches("datasets.name = 'fraud-train' AND datasets.context = 'eval'", run));
    QVERIFY(!filterMatches("datasets.name = 'fraud-train' AND (datasets.context = 'eval')", run));
    QVERIFY(filterMatches("datasets.name = 'fraud-train' AND metrics.val_accuracy > 0.5 "
                          "AND datasets.digest = 'abc123'",
                          run));
    QVERIFY(!filterMatches("datasets.name = 'fraud-train' AND metrics.val_accuracy > 0.5 "
                           "AND datasets.digest = 'def456'",
                           run));
    QVERIFY(filterMatches("datasets.name = 'fraud-train' OR datasets.context = 'nothing'", run));
    // (a OR b) is its own group: any input may satisfy it.
    QVERIFY(filterMatches("(datasets.name = 'fraud-train' OR datasets.name = 'x') "
                          "AND datasets.context = 'eval'",
                          run));
    // An input without a context has no context to compare.
    QVERIFY(!filterMatches("datasets.name = 'no-context' AND datasets.context != 'x'", run));
    QVERIFY(filterMatches("datasets.name = 'fraud-eval' AND datasets.context != 'x'", run));
}

void TestQuery::likePatterns_data()
{
    QTest::addColumn<QByteArray>("pattern");
    QTest::addColumn<QByteArray>("subject");
    QTest::addColumn<bool>("caseInsensitive");
    QTest::addColumn<bool>("expected");

    auto add = [](const char *name, const char *pattern, const char *subject, bool ci, bool e) {
        QTest::newRow(name) << QByteArray(pattern) << QByteArray(subject) << ci << e;
    };
    add("exact", "abc", "abc", false, true);
    add("exact case", "abc", "ABC", false, false);
    add("exact folded", "abc", "ABC", true, true);
    add("prefix", "ab%", "abc", false, true);
    add("suffix", "%bc", "abc", false, true);
    add("contains", "%b%", "abc", false, true);
    add("contains folded", "%B%", "abc", true, true);
    add("backtrack suffix", "%aab", "aaab", false, true);
    add("segments in order", "a%b%c", "abxbc", false, true);
    add("segments out of order", "a%c%b", "abc", false, false);
    add("anchors overlap", "ab%ba", "aba", false, false);
    add("doubled percent", "a%%b", "ab", false, true);
    add("percent alone empty", "%", "", false, true);
    add("empty empty", "", "", false, true);
    add("empty vs text", "", "x", false, false);
    add("underscore one byte", "a_c", "abc", false, true);
    add("underscore multibyte", "a_c", "a€c", false, true);
    add("two underscores one char", "a__c", "a€c", false, false);
    add("underscore then percent", "_%_", "é", false, false);
    add("underscore two chars", "_%_", "éa", false, true);
    add("percent underscore empty", "%_", "", false, false);
    add("underscore backtrack", "%a_c", "aaxabc", false, true);
    add("underscore folded", "A_C%", "abcd", true, true);
    add("non-ascii not folded", "%ä%", "xÄy", true, false);
    add("non-ascii exact", "%ä%", "xäy", true, true);
    add("invalid utf8 subject", "_", "\xff", false, true);
    add("truncated utf8 subject", "a_", "a\xe2\x82", false, true);
    add("regex metacharacters", "a.*[b]%", "a.*[b]c", false, true);
    add("regex metacharacters literal", "a.*", "abc", false, false);
}

void TestQuery::likePatterns()
{
    QFETCH(QByteArray, pattern);
    QFETCH(QByteArray, subject);
    QFETCH(bool, caseInsensitive);
    QFETCH(bool, expected);
    Run run;
    run.params = {{"s", subject.toStdString()}};
    const std::string text = std::string("params.s ") + (caseInsensitive ? "ILIKE " : "LIKE ")
                             + quoted(view(pattern));
    QCOMPARE(filterMatches(text, run), expected);
}

void TestQuery::literalValuesStayLiteral()
{
    const Run run = sampleRun();
    QVERIFY(filterMatches("params.html = '<b>x</b>'", run));
    QVERIFY(filterMatches("params.html LIKE '<b>%</b>'", run));
    QVERIFY(filterMatches("params.sql = " + quoted("'); DROP TABLE runs;--"), run));
    QVERIFY(filterMatches("params.sql LIKE '%DROP TABLE%'", run));
    QVERIFY(!filterMatches("params.optimizer = " + quoted("'); DROP TABLE runs;--"), run));
    QVERIFY(!filterMatches("params.optimizer = 'x'' OR ''1''=''1'", run));
    QVERIFY(filterMatches("params.optimizer != 'x'' OR ''1''=''1'", run));
    QVERIFY(filterMatches("params.sql IN ('<script>', " + quoted("'); DROP TABLE runs;--") + ")",
                          run));

    // An injection attempt that is not a quoted value is rejected, not run.
    QVERIFY(!RunFilter::parse("params.optimizer = 'adam'; DROP TABLE runs;--").ok());
    QVERIFY(!RunFilter::parse("params.optimizer = adam OR 1=1").ok());
}

void TestQuery::errorPositions_data()
{
    QTest::addColumn<QByteArray>("filter");
    QTest::addColumn<int>("column");
    QTest::addColumn<int>("position");
    QTest::addColumn<QByteArray>("fragment");

    auto add = [](const char *filter, int column, int position, const char *fragment) {
        QTest::newRow(filter) << QByteArray(filter) << column << position << QByteArray(fragment);
    };
    add("metrics.acc >", 14, 13, "Expected a value after '>'");
    add("metrics.acc >>> 1", 13, 12, "Unknown comparator '>>>'");
    add("params.x = 'abc", 12, 11, "Unterminated string");
    add("foo.bar = 1", 1, 0, "Unknown prefix 'foo.'");
    add("status = FINISHED", 10, 9, "Expected a quoted value");
    add("metrics.acc LIKE '%a'", 13, 12, "LIKE");
    add("(metrics.a > 1", 1, 0, "Missing ')'");
    add("metrics.a > 1)", 14, 13, "Unmatched ')'");
    add("metrics.a > 1 AND", 18, 17, "Expected a condition after 'AND'");
    add("metrics.a > 1 metrics.b < 2", 15, 14, "Expected AND or OR");
    add("params.x IN ()", 13, 12, "is empty");
    add("params.x IN ('a' 'b')", 18, 17, "Expected ',' or ')'");
    add("params.x IN ('a'", 13, 12, "Missing ')'");
    add("params.x IN 'a'", 13, 12, "Expected '('");
    add("metrics.a = 'x'", 13, 12, "Expected a number");
    add("attributes.nope = 'x'", 12, 11, "Unknown attribute 'nope'");
    add("nope = 'x'", 1, 0, "Unknown field 'nope'");
    add("metrics. > 1", 9, 8, "Expected a name after 'metrics.'");
    add("tags.名前 = 'x' AND", 18, 21, "Expected a condition after 'AND'");
    add("params.a IS 'x'", 13, 12, "Expected NULL or NOT NULL");
    add("params.a NOT LIKE 'x'", 14, 13, "Expected IN after NOT");
    add("metrics.a > 1 @", 15, 14, "Unexpected character '@'");
    add("metrics.`abc > 1", 9, 8, "Unterminated quoted name");
    add("metrics.a > 12abc", 13, 12, "Malformed number");
    add("status IS NULL", 8, 7, "IS NULL");
    add("params.x LIKE 5", 15, 14, "Expected a quoted pattern");
    add("AND metrics.a > 1", 1, 0, "Expected a condition");
    add("()", 2, 1, "Expected a condition after '('");
    add("metrics.a", 10, 9, "Expected a comparator");
    add("metrics.a 5", 11, 10, "Expected a comparator");
    add("datasets.size = 'x'", 10, 9, "Unknown dataset field");
    add("metrics.a > 1e999", 13, 12, "out of range");
    add("params.x = 'a' OR (metrics.y > 2 AND", 37, 36, "Expected a condition after 'AND'");
    add("(params.x = 'a' status = 'b')", 17, 16, "Expected AND, OR or ')'");
    add("metrics.a > 1 AND `x` = 1", 19, 18, "Unexpected '`'");
    add("run_name = 'x' OR OR", 19, 18, "Expected a condition after 'OR'");
    add("metrics.a > 'é' OR", 13, 12, "Expected a number");
    add("params.é = 'x' OR params.b = 'ü", 30, 30, "Unterminated string");
}

void TestQuery::errorPositions()
{
    QFETCH(QByteArray, filter);
    QFETCH(int, column);
    QFETCH(int, position);
    QFETCH(QByteArray, fragment);

    const Result<RunFilter> parsed = RunFilter::parse(view(filter));
    QVERIFY(!parsed.ok());
    QCOMPARE(QString::fromStdString(parsed.error().code), QStringLiteral("invalid"));
    const QString message = QString::fromStdString(parsed.error().message);
    QVERIFY2(message.contains(QString::fromUtf8(fragment)), qPrintable(message));
    QVERIFY2(message.contains(QStringLiteral("column %1").arg(column)), qPrintable(message));
    QVERIFY2(message.endsWith(QLatin1Char('.')), qPrintable(message));

    const std::optional<FilterError> error = RunFilter::validate(view(filter));
    QVERIFY(error.has_value());
    QCOMPARE(error->message, parsed.error().message);
    QCOMPARE(static_cast<int>(error->position), position);
    QVERIFY(error->position + error->length <= static_cast<size_t>(filter.size()));
}

void TestQuery::depthLimit()
{
    auto nested = [](int depth) {
        return std::string(static_cast<size_t>(depth), '(') + "metrics.val_accuracy > 0.5"
               + std::string(static_cast<size_t>(depth), ')');
    };
    const Result<RunFilter> deepest = RunFilter::parse(nested(RunFilter::kMaxDepth));
    QVERIFY(deepest.ok());
    QVERIFY(deepest->matches(sampleRun()));

    const std::string tooDeep = nested(RunFilter::kMaxDepth + 1);
    const Result<RunFilter> rejected = RunFilter::parse(tooDeep);
    QVERIFY(!rejected.ok());
    QVERIFY2(rejected.error().message.find("nested more than 200 deep at column 201")
                 != std::string::npos,
             rejected.error().message.c_str());
    QCOMPARE(RunFilter::validate(tooDeep)->position, size_t(RunFilter::kMaxDepth));

    // Far beyond the limit: an error, not a stack overflow.
    for (const std::string &text : {std::string(10000, '('), nested(10000),
                                    std::string(10000, ')'), std::string(100000, '(') + "x"}) {
        const Result<RunFilter> r = RunFilter::parse(text);
        QVERIFY(!r.ok());
    }
}

void TestQuery::longChains()
{
    std::string ors = "params.optimizer = 'x0'";
    std::string ands = "metrics.val_accuracy > 0";
    for (int i = 1; i < 10000; ++i) {
        ors += " OR params.optimizer = 'x" + std::to_string(i) + "'";
        ands += " AND metrics.val_accuracy > 0";
    }
    ors += " OR params.optimizer = 'adam'";
    const Result<RunFilter> anyOf = RunFilter::parse(ors);
    QVERIFY(anyOf.ok());
    QVERIFY(anyOf->matches(sampleRun()));
    QCOMPARE(anyOf->referencedKeys().size(), size_t(1));
    const Result<RunFilter> allOf = RunFilter::parse(ands);
    QVERIFY(allOf.ok());
    QVERIFY(allOf->matches(sampleRun()));
}

void TestQuery::hugeNumbers()
{
    const Run run = sampleRun();
    QVERIFY(!RunFilter::parse("metrics.a > 1e999").ok());
    QVERIFY(!RunFilter::parse("metrics.a > -1e999").ok());
    QVERIFY(!RunFilter::parse("metrics.a > 1" + std::string(400, '0')).ok());
    QVERIFY(!RunFilter::parse("metrics.a > 1e-999").ok());
    QVERIFY(filterMatches("metrics.val_accuracy > 0." + std::string(300, '0') + "1", run));
    QVERIFY(filterMatches("metrics.huge >= 1.7976931348623157e308", run));
    QVERIFY(!filterMatches("metrics.huge > 1.7976931348623157e308", run));

    // A param too large for a double is not a number: compared as text, never crashing.
    Run wide;
    wide.params = {{"n", "1" + std::string(400, '0')}};
    QVERIFY(filterMatches("params.n > '0'", wide));
    QVERIFY(!filterMatches("params.n > 0", wide));
    QVERIFY(filterMatches("params.n LIKE '1%0'", wide));
}

void TestQuery::arbitraryInputNeverCrashes()
{
    const Run run = sampleRun();
    std::mt19937 rng(20240611);
    auto check = [&run](const std::string &text) {
        const Result<RunFilter> parsed = RunFilter::parse(text);
        const std::optional<FilterError> error = RunFilter::validate(text);
        QCOMPARE(parsed.ok(), !error.has_value());
        if (parsed.ok()) {
            (void)parsed->matches(run);
            (void)parsed->matches(Run());
            return;
        }
        QVERIFY(error->position <= text.size());
        QVERIFY(error->position + error->length <= text.size());
        QVERIFY(!error->message.empty());
        QCOMPARE(error->message.back(), '.');
        // Quoting the user's text must not make the message invalid UTF-8.
        QCOMPARE(QString::fromStdString(error->message).toStdString(), error->message);
        const std::string column = "column " + std::to_string(columnOf(text, error->position));
        QVERIFY2(error->message.find(column) != std::string::npos, error->message.c_str());
    };

    for (int i = 0; i < 5000; ++i) {
        std::string text(rng() % 64, '\0');
        for (char &c : text)
            c = static_cast<char>(rng() & 0xFF);
        check(text);
        if (QTest::currentTestFailed())
            return;
    }

    static const char *const pieces[] = {
        "metrics.a", "params.lr", "tags.mlflow.runName", "status", "datasets.name",
        "attributes.start_time", "metrics.`v l`", "params.\"x", "(", ")", "AND", "OR", "and",
        "=", "!=", "<", ">=", ">>", "LIKE", "ILIKE", "IN", "NOT", "IS", "NULL", "'x'", "'it''s'",
        "\"y\"", "'", "1", "-2.5e3", "1e999", ".5", ",", "`", "é", "日本", "\t", "@", "metrics.",
        "foo.bar", "'%_'", "12ab",
    };
    constexpr size_t pieceCount = sizeof(pieces) / sizeof(pieces[0]);
    for (int i = 0; i < 20000; ++i) {
        std::string text;
        const int n = static_cast<int>(rng() % 12);
        for (int j = 0; j < n; ++j) {
            text += pieces[rng() % pieceCount];
            if (rng() % 4)
                text += ' ';
        }
        check(text);
        if (QTest::currentTestFailed())
            return;
    }
}

void TestQuery::referencedKeys()
{
    const Result<RunFilter> filter = RunFilter::parse(
        "metrics.`val loss` < 1 AND (params.lr > 0.1 OR tags.mlflow.runName = 'x' "
        "OR metric.\"val loss\" > 0) AND created > 0 AND STATUS = 'x' AND dataset.NAME = 'a' "
        "AND attributes.start_time IS NOT NULL");
    QVERIFY(filter.ok());
    const std::vector<std::string> expected = {
        "metrics.val loss", "params.lr",        "tags.mlflow.runName",
        "attributes.start_time", "attributes.status", "datasets.name",
    };
    QCOMPARE(filter->referencedKeys(), expected);
}

void TestQuery::copiesShareTheProgram()
{
    RunFilter copy;
    {
        const Result<RunFilter> parsed = RunFilter::parse("params.optimizer = 'adam'");
        QVERIFY(parsed.ok());
        copy = *parsed;
    }
    QVERIFY(!copy.isEmpty());
    QVERIFY(copy.matches(sampleRun()));
    Run other = sampleRun();
    other.params = {{"optimizer", "sgd"}};
    QVERIFY(!copy.matches(other));
}

QTEST_APPLESS_MAIN(TestQuery)
#include "tst_query.moc"
