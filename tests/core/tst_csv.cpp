// SPDX-License-Identifier: GPL-3.0-or-later
// The drift engine's CSV reader: quoting, delimiters, line ends, BOM, type inference and
// overrides, missing values, errors with file and line, gzip, extreme numbers, non-ASCII text,
// parsing on several threads (equal to one thread, dictionaries in file order), progress and
// cancellation.
#include "drift/csvvalues.h"
#include "drift/table.h"

#include <zlib.h>

#include <QTemporaryDir>
#include <QtTest>

#include <algorithm>
#include <atomic>
#include <charconv>
#include <cmath>
#include <cstring>
#include <fstream>
#include <iterator>
#include <limits>
#include <random>
#include <set>
#include <string>
#include <vector>

using namespace sightline;
using namespace sightline::drift;

namespace {

const std::string kData = SIGHTLINE_TEST_DATA "/csv/";

using Strings = std::vector<std::string>;
using Numbers = std::vector<double>;

Table parsed(const std::string &text, const CsvOptions &options = {})
{
    auto result = parseCsv(text, options, "t.csv");
    if (!result)
        qFatal("unexpected parse error: %s", result.error().message.c_str());
    return std::move(result).value();
}

QString errorOf(const std::string &text, const CsvOptions &options = {})
{
    auto result = parseCsv(text, options, "t.csv");
    return result ? QString() : QString::fromStdString(result.error().message);
}

QString errorCodeOf(const Result<Table> &result)
{
    return result ? QString() : QString::fromStdString(result.error().code);
}

QString messageOf(const Result<Table> &result)
{
    return result ? QString() : QString::fromStdString(result.error().message);
}

Strings categories(const Column &column)
{
    Strings out;
    for (int32_t code : column.codes)
        out.push_back(code < 0 ? std::string("<missing>") : column.dictionary[size_t(code)]);
    return out;
}

bool sameBits(double a, double b)
{
    return std::memcmp(&a, &b, sizeof a) == 0;
}

// Empty when equal (bit for bit), else what differs first.
QString difference(const Table &a, const Table &b)
{
    if (a.rows != b.rows)
        return QStringLiteral("rows %1 vs %2").arg(a.rows).arg(b.rows);
    if (a.columns.size() != b.columns.size())
        return QStringLiteral("column count");
    for (size_t c = 0; c < a.columns.size(); ++c) {
        const Column &x = a.columns[c];
        const Column &y = b.columns[c];
        const QString name = QString::fromStdString(x.name);
        if (x.name != y.name || x.type != y.type)
            return name + QStringLiteral(": name or type");
        if (x.missing != y.missing)
            return name + QStringLiteral(": missing");
        if (x.dictionary != y.dictionary)
            return name + QStringLiteral(": dictionary");
        if (x.codes != y.codes)
            return name + QStringLiteral(": codes");
        if (x.numbers.size() != y.numbers.size())
            return name + QStringLiteral(": size");
        for (size_t i = 0; i < x.numbers.size(); ++i) {
            if (!sameBits(x.numbers[i], y.numbers[i]))
                return name + QStringLiteral(": row %1").arg(i);
        }
    }
    return {};
}

void writeFile(const std::string &path, const std::string &bytes)
{
    std::ofstream out(path, std::ios::binary);
    out.write(bytes.data(), std::streamsize(bytes.size()));
}

// One gzip member per part (several parts make a concatenated gzip file, as `cat a.gz b.gz`).
void writeGzip(const std::string &path, const Strings &parts)
{
    bool first = true;
    for (const std::string &part : parts) {
        gzFile file = gzopen(path.c_str(), first ? "wb" : "ab");
        QVERIFY(file);
        QCOMPARE(gzwrite(file, part.data(), unsigned(part.size())), int(part.size()));
        QCOMPARE(gzclose(file), Z_OK);
        first = false;
    }
}

// Record ends become CRLF; line breaks inside quoted fields stay as they are (they are data).
std::string withCrlf(const std::string &text)
{
    std::string out;
    bool quoted = false;
    for (char c : text) {
        quoted ^= c == '"';
        if (c == '\n' && !quoted)
            out += '\r';
        out += c;
    }
    return out;
}

struct Generated {
    std::string text;
    Strings firstSeenCities;  // the dictionary order the reader must produce
};

// A mixed table with quoted fields holding delimiters, quotes and newlines, missing values,
// non-ASCII categories, and one long multi-line quoted field in the middle so that a split into
// two chunks lands inside quotes.
Generated generate(size_t rows, uint64_t seed)
{
    static const char *const cities[] = {
        "Berlin", "Paris",  "Zürich", "\"Kyiv, UA\"", "東京", "São Paulo", "\"Line\nBreak\"",
        "\"Say \"\"hi\"\"\"", "NA", "", "Oslo", "Kraków", "Lagos", "Lima", "Québec"};
    std::mt19937_64 rng(seed);
    std::uniform_real_distribution<double> uniform(-1e6, 1e6);
    std::uniform_int_distribution<int> pick(0, int(std::size(cities)) - 1);
    Generated g;
    std::set<std::string> seen;
    g.text = "id,x,city,flag,when,note\n";
    char buffer[64];
    for (size_t r = 0; r < rows; ++r) {
        g.text += std::to_string(r) + ',';
        switch (rng() % 5) {
        case 0:
            std::snprintf(buffer, sizeof buffer, "%.17g", uniform(rng));
            break;
        case 1:
            std::snprintf(buffer, sizeof buffer, "%.3f", uniform(rng));
            break;
        case 2:
            std::snprintf(buffer, sizeof buffer, "%.6e", uniform(rng));
            break;
        case 3:
            std::snprintf(buffer, sizeof buffer, "%s", rng() % 2 ? "NaN" : "");
            break;
        default:
            std::snprintf(buffer, sizeof buffer, "%d", int(rng() % 100000) - 50000);
        }
        g.text += buffer;
        g.text += ',';
        const std::string city = cities[pick(rng)];
        g.text += city + ',';
        std::string unquoted = city;
        if (!city.empty() && city.front() == '"') {
            unquoted = city.substr(1, city.size() - 2);
            for (size_t i = unquoted.find("\"\""); i != std::string::npos;
                 i = unquoted.find("\"\"", i + 1))
                unquoted.erase(i, 1);
        }
        if (!csv::isMissingValue(unquoted) && seen.insert(unquoted).second)
            g.firstSeenCities.push_back(unquoted);
        g.text += rng() % 2 ? "true," : "false,";
        std::snprintf(buffer, sizeof buffer, "2026-%02d-%02dT%02d:%02d:%02dZ,",
                      int(rng() % 12 + 1), int(rng() % 28 + 1), int(rng() % 24),
                      int(rng() % 60), int(rng() % 60));
        g.text += buffer;
        if (r == rows / 2) {
            g.text += '"';
            for (int i = 0; i < 60000; ++i)
                g.text += "a long note, with \"\"quotes\"\"\nand lines\n";
            g.text += '"';
        } else if (rng() % 10 == 0) {
            g.text += "\"two\nlines, one comma\"";
        } else {
            g.text += "plain";
        }
        g.text += rng() % 50 == 0 ? "\r\n" : "\n";
    }
    return g;
}

} // namespace

class TestCsv : public QObject {
    Q_OBJECT

private slots:
    void quoting()
    {
        const Table t = parsed("name,comment,n\n"
                               "a,\"x, y\",1\n"
                               "b,\"she said \"\"hi\"\"\",2\n"
                               "c,\"two\nlines\",3\n"
                               "d,\"\",4\n"
                               "e,\"\"\"\",5\n");
        QCOMPARE(t.rows, size_t(5));
        const Column *comment = t.find("comment");
        QVERIFY(comment);
        QCOMPARE(comment->type, ColumnType::Categorical);
        QVERIFY(categories(*comment)
                == (Strings{"x, y", "she said \"hi\"", "two\nlines", "<missing>", "\""}));
        QCOMPARE(comment->missing, size_t(1));
        QCOMPARE(t.find("n")->numbers, (Numbers{1, 2, 3, 4, 5}));
        // Quoted numbers are numbers; a quoted last field before CRLF is fine too.
        const Table q = parsed("a,b\r\n\"1.5\",\"x\"\r\n\"2\",\"y\"\r\n");
        QCOMPARE(q.find("a")->type, ColumnType::Numeric);
        QCOMPARE(q.find("a")->numbers, (Numbers{1.5, 2}));
        QVERIFY(categories(*q.find("b")) == (Strings{"x", "y"}));
    }

    void delimiters()
    {
        const Table comma = parsed("a,b,c\n1,x,2.5\n3,\"y;z\",4\n");
        const Table semicolon = parsed("a;b;c\n1;x;2.5\n3;\"y,z\";4\n");
        const Table tab = parsed("a\tb\tc\n1\tx\t2.5\n3\t\"y;z\"\t4\n");
        QCOMPARE(comma.columns.size(), size_t(3));
        QCOMPARE(semicolon.columns.size(), size_t(3));
        QCOMPARE(difference(comma, tab), QString());
        QVERIFY(categories(*semicolon.find("b")) == (Strings{"x", "y,z"}));
        QCOMPARE(comma.find("c")->numbers, semicolon.find("c")->numbers);
        // A decimal comma in a semicolon file does not fool the detection.
        const Table decimalComma = parsed("p;q\n1,5;x\n2,5;y\n");
        QCOMPARE(decimalComma.columns.size(), size_t(2));
        QCOMPARE(decimalComma.find("p")->type, ColumnType::Categorical);
        // An explicit delimiter wins.
        CsvOptions pipe;
        pipe.delimiter = '|';
        const Table piped = parsed("a|b\n1|2\n", pipe);
        QCOMPARE(piped.columns.size(), size_t(2));
        QCOMPARE(piped.find("b")->numbers, Numbers{2});
        // A single column has no delimiter at all.
        const Table single = parsed("only\n1\n2\n");
        QCOMPARE(single.columns.size(), size_t(1));
        QCOMPARE(single.rows, size_t(2));
    }

    void crlfEqualsLf()
    {
        const Generated g = generate(3000, 7);
        std::string lf;
        std::copy_if(g.text.begin(), g.text.end(), std::back_inserter(lf),
                     [](char c) { return c != '\r'; });
        const Table a = parsed(lf);
        QCOMPARE(difference(a, parsed(withCrlf(lf))), QString());
        // Without a final line end, and with a blank line at the end, the table is the same too.
        QCOMPARE(difference(a, parsed(lf.substr(0, lf.size() - 1))), QString());
        QCOMPARE(difference(a, parsed(withCrlf(lf) + "\r\n")), QString());
    }

    void byteOrderMark()
    {
        auto result = readCsv(kData + "weather.csv");
        QVERIFY(result.ok());
        QCOMPARE(result->columns.front().name, std::string("city"));
        const Table plain = parsed("a,b\n1,2\n");
        const Table bom = parsed("\xEF\xBB\xBF"
                                 "a,b\n1,2\n");
        QCOMPARE(difference(plain, bom), QString());
    }

    void typeInference()
    {
        auto result = readCsv(kData + "weather.csv");
        QVERIFY(result.ok());
        const Table &t = *result;
        QCOMPARE(t.rows, size_t(3));
        QCOMPARE(t.find("city")->type, ColumnType::Categorical);
        QCOMPARE(t.find("temperature")->type, ColumnType::Numeric);
        QCOMPARE(t.find("when")->type, ColumnType::Timestamp);
        QCOMPARE(t.find("raining")->type, ColumnType::Boolean);
        QVERIFY(categories(*t.find("city")) == (Strings{"Zürich", "København, DK", "東京"}));
        QCOMPARE(t.find("temperature")->missing, size_t(1));
        const double day = 1793491200000.0;  // 2026-11-01T00:00:00Z
        QCOMPARE(t.find("when")->numbers,
                 (Numbers{day + 8 * 3600000.0, day + 9.5 * 3600000.0, day + 86400000.0}));
        QCOMPARE(t.find("raining")->numbers, (Numbers{1, 0, 0}));

        // 0/1 stays numeric; true/false is boolean; ints and floats numeric; inf numeric.
        const Table u = parsed("bits,flags,n,big\n0,True,1,inf\n1,FALSE,2.5,-inf\n1,yes,-3,1\n");
        QCOMPARE(u.find("bits")->type, ColumnType::Numeric);
        QCOMPARE(u.find("flags")->type, ColumnType::Boolean);
        QCOMPARE(u.find("flags")->numbers, (Numbers{1, 0, 1}));
        QCOMPARE(u.find("n")->type, ColumnType::Numeric);
        QCOMPARE(u.find("big")->type, ColumnType::Numeric);
        QCOMPARE(u.find("big")->numbers[0], std::numeric_limits<double>::infinity());
        QCOMPARE(u.find("big")->numbers[1], -std::numeric_limits<double>::infinity());

        // Mixed content falls back to categorical; an all-missing column is numeric.
        const Table m = parsed("mixed,empty\n1,\nx,NA\n2026-01-01,\n");
        QCOMPARE(m.find("mixed")->type, ColumnType::Categorical);
        QCOMPARE(m.find("empty")->type, ColumnType::Numeric);
        QCOMPARE(m.find("empty")->missing, size_t(3));

        // Inference looks at the first rows only.
        CsvOptions few;
        few.inferenceRows = 2;
        QCOMPARE(errorOf("v\n1\n2\nx\n", few),
                 QStringLiteral("t.csv:4: column 'v' expects a number, found 'x'."));
    }

    void typeOverrides()
    {
        CsvOptions options;
        options.typeOverrides = {{"code", ColumnType::Categorical},
                                 {"flag", ColumnType::Boolean},
                                 {"day", ColumnType::Timestamp},
                                 {"absent", ColumnType::Numeric}};
        const Table t = parsed("code,flag,day\n007,1,2026-11-01\n42,0,2026-11-01T12:30\n", options);
        QCOMPARE(t.find("code")->type, ColumnType::Categorical);
        QVERIFY(categories(*t.find("code")) == (Strings{"007", "42"}));
        QCOMPARE(t.find("flag")->type, ColumnType::Boolean);
        QCOMPARE(t.find("flag")->numbers, (Numbers{1, 0}));
        QCOMPARE(t.find("day")->numbers, (Numbers{1793491200000.0, 1793536200000.0}));

        CsvOptions numeric;
        numeric.typeOverrides = {{"name", ColumnType::Numeric}};
        QCOMPARE(errorOf("name\nalpha\n", numeric),
                 QStringLiteral("t.csv:2: column 'name' expects a number, found 'alpha'."));
        CsvOptions boolean;
        boolean.typeOverrides = {{"b", ColumnType::Boolean}};
        QCOMPARE(errorOf("b\ntrue\nmaybe\n", boolean),
                 QStringLiteral("t.csv:3: column 'b' expects true or false, found 'maybe'."));
        CsvOptions stamp;
        stamp.typeOverrides = {{"t", ColumnType::Timestamp}};
        QVERIFY(errorOf("t\n2026-02-30\n", stamp)
                    .startsWith(QStringLiteral("t.csv:2: column 't' expects a date")));
    }

    void columnTypeNames()
    {
        for (ColumnType type : {ColumnType::Numeric, ColumnType::Categorical, ColumnType::Boolean,
                                ColumnType::Timestamp}) {
            ColumnType back = ColumnType::Numeric;
            QVERIFY(parseColumnType(columnTypeName(type), back));
            QCOMPARE(back, type);
        }
        ColumnType type = ColumnType::Numeric;
        QVERIFY(parseColumnType("Category", type));
        QCOMPARE(type, ColumnType::Categorical);
        QVERIFY(!parseColumnType("colour", type));
        const Table t = parsed("a,b\n1,2\n");
        QVERIFY(t.find("b"));
        QVERIFY(!t.find("c"));
    }

    void timestamps()
    {
        struct Case {
            const char *text;
            double ms;
        };
        const Case cases[] = {
            {"2026-11-01", 1793491200000.0},
            {"2026-11-01T12:30", 1793536200000.0},
            {"2026-11-01 12:30:00", 1793536200000.0},
            {"2026-11-01T12:30:00Z", 1793536200000.0},
            {"2026-11-01T12:30:00.250+05:30", 1793516400250.0},
            {"2026-11-01T12:30:00.250+0530", 1793516400250.0},
            {"2026-11-01T07:00:00.250+00", 1793516400250.0},
            {"2026-11-01T02:00:00.250-05", 1793516400250.0},
            {"1969-12-31T23:59:59Z", -1000.0},
            {"2024-02-29", 1709164800000.0},
        };
        for (const Case &c : cases) {
            double ms = 0;
            QVERIFY2(csv::parseTimestamp(c.text, ms), c.text);
            QCOMPARE(ms, c.ms);
        }
        double ms = 0;
        for (const char *bad : {"2026-13-01", "2025-02-29", "2026-11-01T25:00", "2026-11-01X",
                                "2026/11/01", "12:30", "2026-11-01T12:30:00+5"})
            QVERIFY2(!csv::parseTimestamp(bad, ms), bad);
    }

    void missingValues()
    {
        const char *const spellings[] = {"",     "NA",   "N/A",  "NaN", "nan",
                                         "null", "NULL", "None", "  ",  " NA "};
        std::string text = "num,cat,flag,when,pad\n";
        for (const char *s : spellings)
            text += std::string(s) + ',' + s + ',' + s + ',' + s + ",1\n";
        text += "1.5,x,true,2026-11-01,1\n";
        const Table t = parsed(text);
        QCOMPARE(t.rows, std::size(spellings) + 1);
        QCOMPARE(t.find("num")->type, ColumnType::Numeric);
        QCOMPARE(t.find("cat")->type, ColumnType::Categorical);
        QCOMPARE(t.find("flag")->type, ColumnType::Boolean);
        QCOMPARE(t.find("when")->type, ColumnType::Timestamp);
        for (const char *name : {"num", "cat", "flag", "when"})
            QCOMPARE(t.find(name)->missing, std::size(spellings));
        for (size_t i = 0; i < std::size(spellings); ++i) {
            QVERIFY(std::isnan(t.find("num")->numbers[i]));
            QVERIFY(std::isnan(t.find("flag")->numbers[i]));
            QVERIFY(std::isnan(t.find("when")->numbers[i]));
            QCOMPARE(t.find("cat")->codes[i], -1);
        }
        QCOMPARE(t.find("cat")->dictionary, Strings{"x"});
        // Quoted spellings are missing too.
        const Table q = parsed("a,b\n\"NA\",\"\"\n1,x\n");
        QCOMPARE(q.find("a")->missing, size_t(1));
        QCOMPARE(q.find("b")->missing, size_t(1));
    }

    void raggedRowNamesFileAndLine()
    {
        const std::string path = kData + "ragged.csv";
        auto result = readCsv(path);
        QCOMPARE(errorCodeOf(result), QStringLiteral("parse"));
        QCOMPARE(messageOf(result),
                 QString::fromStdString(path + ":5: expected 3 fields, found 2."));
        QCOMPARE(errorOf("a,b\n1,2\n3,4,5\n"),
                 QStringLiteral("t.csv:3: expected 2 fields, found 3."));
        QCOMPARE(errorOf("a,b\n1,2\n3,4,\"5\n6\",7\n"),
                 QStringLiteral("t.csv:3: expected 2 fields, found 4."));
        QCOMPARE(errorOf("a,b\n1,2\n3"), QStringLiteral("t.csv:3: expected 2 fields, found 1."));
        // Many rows and several threads: the first bad row in the file is the one reported.
        std::string text = "a,b\n";
        for (int i = 0; i < 300000; ++i)
            text += i == 250000 || i == 20000 ? "1\n" : "1,2\n";
        CsvOptions options;
        options.threads = 4;
        QCOMPARE(errorOf(text, options),
                 QStringLiteral("t.csv:20002: expected 2 fields, found 1."));
    }

    void unparsableNumberNamesLine()
    {
        const std::string path = kData + "badnumber.csv";
        CsvOptions options;
        options.inferenceRows = 2;
        QCOMPARE(messageOf(readCsv(path, options)),
                 QString::fromStdString(path
                                        + ":6: column 'score' expects a number, found 'abc'."));
        // Long values are cut; the line after a multi-line quoted field is counted right.
        CsvOptions one;
        one.inferenceRows = 1;
        QCOMPARE(errorOf("s,t\n1,\"a\nb\"\n" + std::string(100, 'z') + ",x\n", one),
                 QString::fromStdString("t.csv:4: column 's' expects a number, found '"
                                        + std::string(40, 'z') + "...'."));
    }

    void otherErrors()
    {
        QCOMPARE(errorOf("a,b,a\n1,2,3\n"),
                 QStringLiteral("t.csv:1: the column name 'a' appears twice."));
        QCOMPARE(errorOf("a,b\n1,\"open\n2,3\n"),
                 QStringLiteral("t.csv:2: a quoted field starting on this line is not closed."));
        auto missing = readCsv(kData + "no-such-file.csv");
        QCOMPARE(errorCodeOf(missing), QStringLiteral("io"));
        QVERIFY(messageOf(missing).contains(QStringLiteral("no-such-file.csv")));
        QCOMPARE(errorCodeOf(readCsv(kData)), QStringLiteral("io"));
    }

    void emptyFile()
    {
        const std::string path = kData + "empty.csv";
        QCOMPARE(messageOf(readCsv(path)), QString::fromStdString(path + " is empty."));
        QCOMPARE(errorOf(""), QStringLiteral("t.csv is empty."));
        QCOMPARE(errorOf("\n\r\n"), QStringLiteral("t.csv is empty."));
    }

    void headerOnly()
    {
        auto result = readCsv(kData + "header-only.csv");
        QVERIFY(result.ok());
        QCOMPARE(result->rows, size_t(0));
        QCOMPARE(result->columns.size(), size_t(3));
        QCOMPARE(result->columns[2].name, std::string("c"));
        QCOMPARE(result->columns[0].size(), size_t(0));
        QCOMPARE(parsed("x,y").rows, size_t(0));
    }

    void oneRow()
    {
        for (const char *text :
             {"a,b\n1,z\n", "a,b\n1,z", "a,b\r\n1,z\r\n", "\n\na,b\n\n1,z\n\n"}) {
            const Table t = parsed(text);
            QCOMPARE(t.rows, size_t(1));
            QCOMPARE(t.find("a")->numbers, Numbers{1});
            QCOMPARE(t.find("b")->dictionary, Strings{"z"});
        }
        // Blank lines are skipped but still counted for line numbers.
        QCOMPARE(errorOf("a,b\n\n\n1\n"), QStringLiteral("t.csv:4: expected 2 fields, found 1."));
    }

    void gzipEqualsPlain()
    {
        QTemporaryDir dir;
        QVERIFY(dir.isValid());
        const std::string base = dir.path().toStdString();
        const Generated g = generate(150000, 11);  // about 11 MB: several inflated blocks
        writeFile(base + "/plain.csv", g.text);
        writeGzip(base + "/data.csv.gz", {g.text});
        const size_t third = g.text.size() / 3;
        writeGzip(base + "/members.csv.gz", {g.text.substr(0, third), g.text.substr(third)});
        auto plain = readCsv(base + "/plain.csv");
        QVERIFY(plain.ok());
        QCOMPARE(plain->rows, size_t(150000));
        for (int threads : {1, 2}) {
            CsvOptions options;
            options.threads = threads;
            for (const char *name : {"/data.csv.gz", "/members.csv.gz"}) {
                auto gz = readCsv(base + name, options);
                QVERIFY2(gz.ok(), qPrintable(messageOf(gz)));
                QCOMPARE(difference(*plain, *gz), QString());
            }
        }
        // Errors name the file and line as for plain files.
        writeGzip(base + "/ragged.csv.gz", {"a,b\nq,2\n\"x\ny\",3,4\n"});
        QCOMPARE(messageOf(readCsv(base + "/ragged.csv.gz")),
                 QString::fromStdString(base + "/ragged.csv.gz:3: expected 2 fields, found 3."));
        writeGzip(base + "/empty.csv.gz", {""});
        QCOMPARE(messageOf(readCsv(base + "/empty.csv.gz")),
                 QString::fromStdString(base + "/empty.csv.gz is empty."));
        // A cut-off gzip file is an error, not a shorter table.
        std::ifstream in(base + "/data.csv.gz", std::ios::binary);
        const std::string bytes((std::istreambuf_iterator<char>(in)),
                                std::istreambuf_iterator<char>());
        writeFile(base + "/cut.csv.gz", bytes.substr(0, bytes.size() / 2));
        auto cut = readCsv(base + "/cut.csv.gz");
        QCOMPARE(errorCodeOf(cut), QStringLiteral("parse"));
        QVERIFY(messageOf(cut).contains(QStringLiteral("gzip")));
    }

    void extremeNumbers()
    {
        const Table t = parsed("v\n1e308\n-1.7976931348623157e308\n1e-308\n4.9e-324\n1e-320\n"
                               "2.2250738585072014e-308\n1e400\n-1e400\n1e-400\n+5\n -0 \n0.1\n");
        const Numbers &v = t.find("v")->numbers;
        QCOMPARE(v.size(), size_t(12));
        QVERIFY(sameBits(v[0], 1e308));
        QVERIFY(sameBits(v[1], -std::numeric_limits<double>::max()));
        QVERIFY(sameBits(v[2], 1e-308));
        QVERIFY(sameBits(v[3], std::numeric_limits<double>::denorm_min()));
        QVERIFY(sameBits(v[4], 1e-320));
        QVERIFY(v[4] > 0 && v[4] < std::numeric_limits<double>::min());
        QVERIFY(sameBits(v[5], std::numeric_limits<double>::min()));
        QVERIFY(sameBits(v[6], std::numeric_limits<double>::infinity()));
        QVERIFY(sameBits(v[7], -std::numeric_limits<double>::infinity()));
        QVERIFY(sameBits(v[8], 0.0));
        QVERIFY(sameBits(v[9], 5.0));
        QVERIFY(sameBits(v[10], -0.0));
        QVERIFY(sameBits(v[11], 0.1));
        QCOMPARE(t.find("v")->missing, size_t(0));
    }

    // The fast number path must give the same bits as std::from_chars, in every position of a
    // record and in the formats writers commonly use.
    void numbersMatchFromChars()
    {
        std::mt19937_64 rng(3);
        std::uniform_real_distribution<double> unit(0.0, 1.0);
        std::uniform_int_distribution<int> exponent(-30, 30);
        const char *const formats[] = {"%.17g", "%.16g", "%.15g", "%.6f", "%.3e",
                                       "%g",    "%.0f",  "%.12f", "%.19g", "%.1f"};
        Strings cells;
        std::string text = "a,b\n";
        char buffer[64];
        for (int i = 0; i < 200000; ++i) {
            const double v = (unit(rng) - 0.5) * std::pow(10.0, exponent(rng));
            std::snprintf(buffer, sizeof buffer, formats[size_t(i) % std::size(formats)], v);
            cells.emplace_back(buffer);
            text += buffer;
            text += i % 2 ? '\n' : ',';
        }
        // Exact ties between two doubles (round half to even) and other edges of the fast paths.
        for (const char *last : {"-0", "0", "123456789012345678", "-0.5", "4503599627370496.5",
                                 "4503599627370497.5", "9007199254740993", "-9007199254740995",
                                 "9223372036854775807.5", "0.30000000000000004",
                                 "1.7976931348623157e308", "2.2250738585072011e-308"}) {
            cells.emplace_back(last);
            text += last;
            text += cells.size() % 2 ? ',' : '\n';
        }
        const Table t = parsed(text);
        QCOMPARE(t.rows * 2, cells.size());
        for (size_t i = 0; i < cells.size(); ++i) {
            double expected = 0;
            std::from_chars(cells[i].data(), cells[i].data() + cells[i].size(), expected);
            QVERIFY2(sameBits(t.columns[i % 2].numbers[i / 2], expected), cells[i].c_str());
        }
    }

    void nonAsciiCategories()
    {
        const Table t = parsed("name,n\nZürich,1\nКиїв,2\n東京,3\n\"🙂, emoji\",4\nZürich,5\n");
        QCOMPARE(t.find("name")->dictionary, (Strings{"Zürich", "Київ", "東京", "🙂, emoji"}));
        QCOMPARE(t.find("name")->codes, (std::vector<int32_t>{0, 1, 2, 3, 0}));
        // A long non-ASCII value is cut between characters in messages.
        CsvOptions numeric;
        numeric.typeOverrides = {{"name", ColumnType::Numeric}};
        std::string many;
        for (int i = 0; i < 30; ++i)
            many += "ä";
        QVERIFY(errorOf("name\n" + many + "\n", numeric)
                    .contains(QString::fromStdString(many.substr(0, 40) + "...")));
    }

    void threadsEqualOneThread()
    {
        const Generated g = generate(200000, 5);
        CsvOptions one;
        one.threads = 1;
        const Table reference = parsed(g.text, one);
        QCOMPARE(reference.rows, size_t(200000));
        QCOMPARE(reference.find("x")->type, ColumnType::Numeric);
        QCOMPARE(reference.find("city")->type, ColumnType::Categorical);
        QCOMPARE(reference.find("flag")->type, ColumnType::Boolean);
        QCOMPARE(reference.find("when")->type, ColumnType::Timestamp);
        QCOMPARE(reference.find("note")->type, ColumnType::Categorical);
        QVERIFY(reference.find("city")->dictionary == g.firstSeenCities);
        for (int threads : {2, 3, 4, 7, 16}) {
            CsvOptions options;
            options.threads = threads;
            QCOMPARE(difference(reference, parsed(g.text, options)), QString());
        }
    }

    void dictionaryOrderIsFileOrder()
    {
        // Values first seen late in the file (in a later chunk) come after earlier ones,
        // whatever the number of threads.
        std::string text = "k\n";
        for (int i = 0; i < 400000; ++i)
            text += i < 200000 ? (i % 2 ? "b\n" : "a\n") : (i % 3 ? "c\n" : "a\n");
        text += "d\n";
        for (int threads : {1, 2, 4}) {
            CsvOptions options;
            options.threads = threads;
            const Table t = parsed(text, options);
            QCOMPARE(t.find("k")->dictionary, (Strings{"a", "b", "c", "d"}));
            QCOMPARE(t.find("k")->codes[200000], 2);
            QCOMPARE(t.find("k")->codes.back(), 3);
        }
    }

    void progressAndCancel()
    {
        const Generated g = generate(200000, 9);
        Numbers fractions;
        CsvOptions options;
        options.progress = [&](double f) { fractions.push_back(f); };
        QVERIFY(parseCsv(g.text, options).ok());
        QVERIFY(fractions.size() > 2);
        QVERIFY(std::is_sorted(fractions.begin(), fractions.end()));
        QCOMPARE(fractions.back(), 1.0);

        std::atomic<bool> cancel{true};
        CsvOptions cancelled;
        cancelled.cancel = &cancel;
        QCOMPARE(errorCodeOf(parseCsv(g.text, cancelled)), QStringLiteral("cancelled"));

        for (int threads : {1, 2}) {
            std::atomic<bool> flag{false};
            CsvOptions midway;
            midway.threads = threads;
            midway.cancel = &flag;
            midway.progress = [&](double f) {
                if (f > 0.2)
                    flag = true;
            };
            QCOMPARE(errorCodeOf(parseCsv(g.text, midway)), QStringLiteral("cancelled"));
        }

        QTemporaryDir dir;
        const std::string gz = dir.path().toStdString() + "/g.csv.gz";
        writeGzip(gz, {g.text});
        std::atomic<bool> flag{false};
        CsvOptions midway;
        midway.cancel = &flag;
        midway.progress = [&](double f) {
            if (f > 0.2)
                flag = true;
        };
        QCOMPARE(errorCodeOf(readCsv(gz, midway)), QStringLiteral("cancelled"));
    }
};

QTEST_APPLESS_MAIN(TestCsv)
#include "tst_csv.moc"
