// SPDX-License-Identifier: GPL-3.0-or-later
#include "runtablemodel.h"
#include "qtext.h"

#include <QColor>
#include <QDateTime>

#include <algorithm>
#include <cfloat>
#include <charconv>
#include <cmath>
#include <string_view>
#include <unordered_set>

namespace sightline {

namespace {

// Longer values are elided in the cell and shown in full in the tooltip.
constexpr qsizetype kMaxCellChars = 120;
constexpr qsizetype kTooltipLineChars = 100;
constexpr qsizetype kMaxTooltipChars = 4000;

// Cells show one line: control characters (newlines, tabs) become spaces.
QString cellText(const QString &text)
{
    QString out = text.size() > kMaxCellChars ? text.left(kMaxCellChars - 1) + QChar(0x2026) : text;
    for (QChar &c : out)
        if (c.unicode() < 0x20 || c.unicode() == 0x7f)
            c = QLatin1Char(' ');
    return out;
}

// A tooltip that shows the text literally: QToolTip would interpret "<b>x</b>" as markup, so
// the text is escaped inside an explicit rich-text document, with long lines broken.
QString plainToolTip(const QString &text)
{
    QString t = text.size() > kMaxTooltipChars ? text.left(kMaxTooltipChars) + QChar(0x2026) : text;
    QStringList lines;
    for (const QString &line : t.split(QLatin1Char('\n'))) {
        for (qsizetype i = 0; i < line.size() || i == 0; i += kTooltipLineChars)
            lines << line.mid(i, kTooltipLineChars).toHtmlEscaped();
    }
    return QStringLiteral("<qt><p style='white-space:pre'>") + lines.join(QStringLiteral("<br/>"))
        + QStringLiteral("</p></qt>");
}

bool needsToolTip(const QString &text)
{
    return text.size() > 40 || text.contains(QLatin1Char('\n'));
}

// A decimal number in the text, or nothing: params and tags are text that often holds numbers.
bool parseNumber(std::string_view text, double *out)
{
    while (!text.empty() && text.front() == ' ')
        text.remove_prefix(1);
    while (!text.empty() && text.back() == ' ')
        text.remove_suffix(1);
    if (text.empty())
        return false;
    if (text.front() == '+')
        text.remove_prefix(1);
    const char *end = text.data() + text.size();
    auto [ptr, ec] = std::from_chars(text.data(), end, *out);
    return ec == std::errc() && ptr == end && std::isfinite(*out);
}

char fold(char c)
{
    return c >= 'A' && c <= 'Z' ? static_cast<char>(c - 'A' + 'a') : c;
}

bool isDigit(char c)
{
    return c >= '0' && c <= '9';
}

// "run-2" before "run-10"; ASCII case folded; ties broken byte-wise so the order is total.
int naturalCompare(std::string_view a, std::string_view b)
{
    size_t i = 0;
    size_t j = 0;
    while (i < a.size() && j < b.size()) {
        if (isDigit(a[i]) && isDigit(b[j])) {
            size_t si = i;
            size_t sj = j;
            while (si < a.size() && a[si] == '0')
                ++si;
            while (sj < b.size() && b[sj] == '0')
                ++sj;
            size_t ei = si;
            size_t ej = sj;
            while (ei < a.size() && isDigit(a[ei]))
                ++ei;
            while (ej < b.size() && isDigit(b[ej]))
                ++ej;
            if (ei - si != ej - sj)
                return ei - si < ej - sj ? -1 : 1;
            if (int c = a.substr(si, ei - si).compare(b.substr(sj, ej - sj)); c != 0)
                return c < 0 ? -1 : 1;
            i = ei;
            j = ej;
            continue;
        }
        const char ca = fold(a[i]);
        const char cb = fold(b[j]);
        if (ca != cb)
            return static_cast<unsigned char>(ca) < static_cast<unsigned char>(cb) ? -1 : 1;
        ++i;
        ++j;
    }
    if (i < a.size() || j < b.size())
        return i < a.size() ? 1 : -1;
    const int c = a.compare(b);
    return c < 0 ? -1 : (c > 0 ? 1 : 0);
}

// A key whose plain byte order is the natural order: ASCII letters folded, and each run of
// digits prefixed by its length (without leading zeros) so "run-2" sorts before "run-10".
// Comparing these with memcmp is what keeps a 100,000-row text sort fast.
std::string naturalSortKey(std::string_view s)
{
    std::string key;
    key.reserve(s.size() + 4);
    size_t i = 0;
    while (i < s.size()) {
        if (!isDigit(s[i])) {
            key += fold(s[i++]);
            continue;
        }
        while (i + 1 < s.size() && s[i] == '0' && isDigit(s[i + 1]))
            ++i;
        size_t end = i;
        while (end < s.size() && isDigit(s[end]))
            ++end;
        const size_t len = std::min<size_t>(end - i, 255);
        key += static_cast<char>('0' + std::min<size_t>(len, 9));
        if (len >= 9)
            key += static_cast<char>(len);
        key.append(s.substr(i, end - i));
        i = end;
    }
    return key;
}

const std::string *findKey(const std::vector<KeyValue> &list, const std::string &key)
{
    for (const auto &kv : list)
        if (kv.key == key)
            return &kv.value;
    return nullptr;
}

// The value a metric column shows; false when the run has no such metric.
bool metricValue(const RunRecord &record, const ColumnSpec &spec, double *out)
{
    if (auto it = record.summaries.find(spec.key); it != record.summaries.end()) {
        const MetricSummary &s = it->second;
        *out = spec.agg == ColumnSpec::Min ? s.min : spec.agg == ColumnSpec::Max ? s.max : s.last;
        return true;
    }
    for (const Metric &m : record.run.metrics)
        if (m.key == spec.key) {
            *out = m.value;
            return true;
        }
    return false;
}

QString runName(const Run &run)
{
    return run.runName.empty() ? qs(run.runId) : qs(run.runName);
}

} // namespace

// --- ColumnSpec -----------------------------------------------------------------------------

QString ColumnSpec::toString() const
{
    switch (kind) {
    case Param:
        return QStringLiteral("param:") + qs(key);
    case Tag:
        return QStringLiteral("tag:") + qs(key);
    case Metric:
        break;
    }
    const char *a = agg == Min ? "min" : agg == Max ? "max" : "last";
    return QStringLiteral("metric:%1:").arg(QLatin1String(a)) + qs(key);
}

bool ColumnSpec::fromString(const QString &text, ColumnSpec *spec)
{
    const qsizetype colon = text.indexOf(QLatin1Char(':'));
    if (colon <= 0)
        return false;
    const QString kind = text.left(colon);
    QString rest = text.mid(colon + 1);
    ColumnSpec s;
    if (kind == QLatin1String("param")) {
        s.kind = Param;
    } else if (kind == QLatin1String("tag")) {
        s.kind = Tag;
    } else if (kind == QLatin1String("metric")) {
        s.kind = Metric;
        const qsizetype c2 = rest.indexOf(QLatin1Char(':'));
        if (c2 <= 0)
            return false;
        const QString agg = rest.left(c2);
        if (agg == QLatin1String("min"))
            s.agg = Min;
        else if (agg == QLatin1String("max"))
            s.agg = Max;
        else if (agg == QLatin1String("last"))
            s.agg = Last;
        else
            return false;
        rest = rest.mid(c2 + 1);
    } else {
        return false;
    }
    if (rest.isEmpty())
        return false;
    s.key = rest.toStdString();
    *spec = s;
    return true;
}

// --- RunTableModel --------------------------------------------------------------------------

// What a row sorts by in the current column: numbers before text, missing values and NaN last
// in either direction.
struct RunTableModel::SortKey {
    enum Class : unsigned char { Number, Text, Missing } cls = Missing;
    double number = 0.0;
    std::string_view text;    // the value, for ties
    std::string_view collate; // naturalSortKey(text): byte order is natural order
};

RunTableModel::RunTableModel(QObject *parent) : QAbstractTableModel(parent) {}

RunTableModel::~RunTableModel() = default;

void RunTableModel::setRuns(std::vector<RunRecord> runs)
{
    beginResetModel();
    m_runs = std::move(runs);
    m_now = QDateTime::currentMSecsSinceEpoch();
    m_indexById.clear();
    m_children.clear();
    m_indexById.reserve(m_runs.size());
    for (size_t i = 0; i < m_runs.size(); ++i) {
        const Run &run = m_runs[i].run;
        m_indexById.emplace(run.runId, static_cast<int>(i));
        if (const std::string *parent = run.tag("mlflow.parentRunId"); parent && !parent->empty())
            m_children.emplace(*parent, static_cast<int>(i));
    }
    rebuildRows();
    endResetModel();
}

void RunTableModel::setExperimentNames(std::map<std::string, std::string> names)
{
    m_experimentNames = std::move(names);
    if (!m_rows.empty())
        emit dataChanged(index(0, Experiment), index(rowCount() - 1, Experiment),
                         {Qt::DisplayRole, Qt::ToolTipRole, SortRole});
    if (m_sortColumn == Experiment)
        sort(m_sortColumn, m_sortOrder);
}

void RunTableModel::setColumns(std::vector<ColumnSpec> columns)
{
    if (columns == m_columns)
        return;
    beginResetModel();
    // A dynamic sort column follows its spec to its new position, or the sort is dropped.
    if (m_sortColumn >= FixedColumnCount) {
        const ColumnSpec sorted = m_columns[static_cast<size_t>(m_sortColumn - FixedColumnCount)];
        auto it = std::find(columns.begin(), columns.end(), sorted);
        m_sortColumn = it == columns.end()
            ? -1
            : FixedColumnCount + static_cast<int>(it - columns.begin());
    }
    m_columns = std::move(columns);
    rebuildRows();
    endResetModel();
}

void RunTableModel::setFilter(const RunFilter &filter)
{
    beginResetModel();
    m_filter = filter;
    rebuildRows();
    endResetModel();
}

void RunTableModel::setExperimentScope(std::vector<std::string> experimentIds)
{
    std::sort(experimentIds.begin(), experimentIds.end());
    if (experimentIds == m_scope)
        return;
    beginResetModel();
    m_scope = std::move(experimentIds);
    rebuildRows();
    endResetModel();
}

bool RunTableModel::inScope(const RunRecord &record) const
{
    return m_scope.empty()
        || std::binary_search(m_scope.begin(), m_scope.end(), record.run.experimentId);
}

// Called between begin/endResetModel.
void RunTableModel::rebuildRows()
{
    m_rows.clear();
    m_scopedCount = 0;
    const bool everything = m_filter.isEmpty();
    for (size_t i = 0; i < m_runs.size(); ++i) {
        const RunRecord &record = m_runs[i];
        if (!inScope(record))
            continue;
        ++m_scopedCount;
        if (everything || m_filter.matches(record.run))
            m_rows.push_back(static_cast<int>(i));
    }
    sortRows();
}

void RunTableModel::sortRows()
{
    if (m_sortColumn < 0) {
        std::sort(m_rows.begin(), m_rows.end()); // snapshot order
        return;
    }
    // Keys are computed once per row; the comparisons then touch no strings but the text keys.
    std::vector<SortKey> keys(m_runs.size());
    const int column = m_sortColumn;
    const ColumnSpec *spec = column >= FixedColumnCount
        ? &m_columns[static_cast<size_t>(column - FixedColumnCount)]
        : nullptr;
    std::vector<std::string> collation(m_runs.size()); // owns the collate views
    auto textKey = [&collation, &keys](SortKey &k, const std::string &s) {
        k.cls = s.empty() ? SortKey::Missing : SortKey::Text;
        k.text = s;
        std::string &c = collation[static_cast<size_t>(&k - keys.data())];
        c = naturalSortKey(s);
        k.collate = c;
    };
    auto numberKey = [](SortKey &k, double v) {
        k.cls = std::isnan(v) ? SortKey::Missing : SortKey::Number;
        k.number = v;
    };
    static const std::string kEmpty;
    for (int i : m_rows) {
        const Run &run = m_runs[static_cast<size_t>(i)].run;
        SortKey &k = keys[static_cast<size_t>(i)];
        switch (column) {
        case Name:
            textKey(k, run.runName.empty() ? run.runId : run.runName);
            break;
        case Status:
            textKey(k, run.status);
            break;
        case Experiment: {
            auto it = m_experimentNames.find(run.experimentId);
            textKey(k, it != m_experimentNames.end() ? it->second : run.experimentId);
            break;
        }
        case User:
            textKey(k, run.userId);
            break;
        case Started:
            if (run.startTime > 0)
                numberKey(k, static_cast<double>(run.startTime));
            break;
        case Duration:
            if (run.startTime > 0)
                numberKey(k, static_cast<double>((run.endTime > 0 ? run.endTime : m_now)
                                                 - run.startTime));
            break;
        case RunId:
            textKey(k, run.runId);
            break;
        default:
            if (spec->kind == ColumnSpec::Metric) {
                double v = 0.0;
                if (metricValue(m_runs[static_cast<size_t>(i)], *spec, &v))
                    numberKey(k, v);
            } else {
                const std::string *s = spec->kind == ColumnSpec::Param ? run.param(spec->key)
                                                                       : run.tag(spec->key);
                if (s) {
                    double v = 0.0;
                    if (parseNumber(*s, &v))
                        numberKey(k, v);
                    else
                        textKey(k, *s);
                }
            }
            break;
        }
    }
    const bool descending = m_sortOrder == Qt::DescendingOrder;
    std::stable_sort(m_rows.begin(), m_rows.end(), [&](int a, int b) {
        const SortKey &ka = keys[static_cast<size_t>(a)];
        const SortKey &kb = keys[static_cast<size_t>(b)];
        if (ka.cls != kb.cls)
            return ka.cls < kb.cls;
        int c = 0;
        if (ka.cls == SortKey::Number)
            c = ka.number < kb.number ? -1 : (kb.number < ka.number ? 1 : 0);
        else if (ka.cls == SortKey::Text)
            c = ka.collate != kb.collate ? ka.collate.compare(kb.collate)
                                         : ka.text.compare(kb.text);
        return descending ? c > 0 : c < 0;
    });
}

void RunTableModel::sort(int column, Qt::SortOrder order)
{
    if (column >= columnCount())
        column = -1;
    emit layoutAboutToBeChanged({}, QAbstractItemModel::VerticalSortHint);
    // Keep selection and current index on the same runs.
    const QModelIndexList before = persistentIndexList();
    std::vector<int> runOfPersistent;
    runOfPersistent.reserve(static_cast<size_t>(before.size()));
    for (const QModelIndex &idx : before)
        runOfPersistent.push_back(m_rows[static_cast<size_t>(idx.row())]);
    m_sortColumn = column;
    m_sortOrder = order;
    sortRows();
    if (!before.isEmpty()) {
        std::vector<int> rowOf(m_runs.size(), -1);
        for (size_t r = 0; r < m_rows.size(); ++r)
            rowOf[static_cast<size_t>(m_rows[r])] = static_cast<int>(r);
        QModelIndexList after;
        after.reserve(before.size());
        for (qsizetype i = 0; i < before.size(); ++i)
            after << index(rowOf[static_cast<size_t>(runOfPersistent[static_cast<size_t>(i)])],
                           before[i].column());
        changePersistentIndexList(before, after);
    }
    emit layoutChanged({}, QAbstractItemModel::VerticalSortHint);
}

void RunTableModel::retranslate()
{
    emit headerDataChanged(Qt::Horizontal, 0, columnCount() - 1);
    if (!m_rows.empty())
        emit dataChanged(index(0, 0), index(rowCount() - 1, columnCount() - 1),
                         {Qt::DisplayRole, Qt::ToolTipRole});
}

const RunRecord *RunTableModel::findRun(const std::string &runId) const
{
    auto it = m_indexById.find(runId);
    return it == m_indexById.end() ? nullptr : &m_runs[static_cast<size_t>(it->second)];
}

std::vector<const RunRecord *> RunTableModel::childrenOf(const std::string &runId) const
{
    std::vector<const RunRecord *> out;
    auto [begin, end] = m_children.equal_range(runId);
    for (auto it = begin; it != end; ++it)
        out.push_back(&m_runs[static_cast<size_t>(it->second)]);
    std::sort(out.begin(), out.end(), [](const RunRecord *a, const RunRecord *b) {
        return naturalCompare(a->run.runName, b->run.runName) < 0;
    });
    return out;
}

QString RunTableModel::experimentName(const std::string &experimentId) const
{
    auto it = m_experimentNames.find(experimentId);
    return qs(it != m_experimentNames.end() ? it->second : experimentId);
}

int RunTableModel::rowOfRun(const std::string &runId) const
{
    auto it = m_indexById.find(runId);
    if (it == m_indexById.end())
        return -1;
    auto pos = std::find(m_rows.begin(), m_rows.end(), it->second);
    return pos == m_rows.end() ? -1 : static_cast<int>(pos - m_rows.begin());
}

const RunRecord *RunTableModel::runAt(int row) const
{
    if (row < 0 || row >= static_cast<int>(m_rows.size()))
        return nullptr;
    return &m_runs[static_cast<size_t>(m_rows[static_cast<size_t>(row)])];
}

namespace {

template<typename Keys>
std::vector<std::string> sortedKeys(const std::vector<RunRecord> &runs, Keys &&keysOf)
{
    std::unordered_set<std::string_view> seen;
    for (const RunRecord &r : runs)
        keysOf(r, seen);
    std::vector<std::string> out(seen.begin(), seen.end());
    std::sort(out.begin(), out.end(),
              [](const std::string &a, const std::string &b) { return naturalCompare(a, b) < 0; });
    return out;
}

} // namespace

std::vector<std::string> RunTableModel::availableParamKeys() const
{
    return sortedKeys(m_runs, [](const RunRecord &r, auto &seen) {
        for (const auto &kv : r.run.params)
            seen.insert(kv.key);
    });
}

std::vector<std::string> RunTableModel::availableMetricKeys() const
{
    return sortedKeys(m_runs, [](const RunRecord &r, auto &seen) {
        for (const auto &m : r.run.metrics)
            seen.insert(m.key);
        for (const auto &s : r.summaries)
            seen.insert(s.first);
    });
}

std::vector<std::string> RunTableModel::availableTagKeys() const
{
    return sortedKeys(m_runs, [](const RunRecord &r, auto &seen) {
        for (const auto &kv : r.run.tags)
            seen.insert(kv.key);
    });
}

std::vector<std::string> RunTableModel::commonKeys(bool metrics, size_t max) const
{
    std::unordered_map<std::string_view, int> counts;
    for (int index : m_rows) {
        const RunRecord &r = m_runs[static_cast<size_t>(index)];
        if (metrics) {
            for (const auto &m : r.run.metrics)
                ++counts[m.key];
        } else {
            for (const auto &kv : r.run.params)
                if (kv.value.size() <= 64) // long values make poor columns
                    ++counts[kv.key];
        }
    }
    std::vector<std::pair<std::string_view, int>> sorted(counts.begin(), counts.end());
    std::sort(sorted.begin(), sorted.end(), [](const auto &a, const auto &b) {
        return a.second != b.second ? a.second > b.second : naturalCompare(a.first, b.first) < 0;
    });
    std::vector<std::string> out;
    for (size_t i = 0; i < sorted.size() && i < max; ++i)
        out.emplace_back(sorted[i].first);
    return out;
}

std::vector<std::string> RunTableModel::commonMetricKeys(size_t max) const
{
    return commonKeys(true, max);
}

std::vector<std::string> RunTableModel::commonParamKeys(size_t max) const
{
    return commonKeys(false, max);
}

int RunTableModel::rowCount(const QModelIndex &parent) const
{
    return parent.isValid() ? 0 : static_cast<int>(m_rows.size());
}

int RunTableModel::columnCount(const QModelIndex &parent) const
{
    return parent.isValid() ? 0 : FixedColumnCount + static_cast<int>(m_columns.size());
}

Qt::ItemFlags RunTableModel::flags(const QModelIndex &index) const
{
    if (!index.isValid())
        return Qt::NoItemFlags;
    return Qt::ItemIsEnabled | Qt::ItemIsSelectable | Qt::ItemNeverHasChildren;
}

QVariant RunTableModel::data(const QModelIndex &index, int role) const
{
    if (!checkIndex(index, CheckIndexOption::IndexIsValid | CheckIndexOption::ParentIsInvalid))
        return {};
    const RunRecord &record = m_runs[static_cast<size_t>(m_rows[static_cast<size_t>(index.row())])];
    return value(record, index.column(), role);
}

QVariant RunTableModel::value(const RunRecord &record, int column, int role) const
{
    const Run &run = record.run;
    switch (role) {
    case RunIdRole:
        return qs(run.runId);
    case ExperimentIdRole:
        return qs(run.experimentId);
    case StatusRole:
        return qs(run.status);
    case Qt::ForegroundRole:
        if (column == Status)
            return statusColor(run.status);
        if (run.lifecycleStage == "deleted")
            return QColor(0x80, 0x80, 0x80);
        return {};
    case Qt::TextAlignmentRole: {
        const bool numeric = column == Duration
            || (column >= FixedColumnCount
                && m_columns[static_cast<size_t>(column - FixedColumnCount)].kind
                    == ColumnSpec::Metric);
        return QVariant::fromValue(Qt::AlignVCenter | (numeric ? Qt::AlignRight : Qt::AlignLeft));
    }
    case Qt::DisplayRole:
    case Qt::ToolTipRole:
    case SortRole:
    case RawValueRole:
        break;
    default:
        return {};
    }

    // Text, with the raw value and the sort key alongside.
    QString text;
    QVariant raw;
    QString tip;
    switch (column) {
    case Name:
        text = runName(run);
        raw = text;
        tip = run.runName.empty() ? text : text + QLatin1Char('\n') + qs(run.runId);
        break;
    case Status:
        text = statusText(run.status);
        raw = qs(run.status);
        break;
    case Experiment:
        text = experimentName(run.experimentId);
        raw = text;
        tip = text;
        break;
    case User:
        text = qs(run.userId);
        raw = text;
        break;
    case Started:
        if (run.startTime > 0) {
            text = formatTime(run.startTime);
            raw = static_cast<qint64>(run.startTime);
        }
        break;
    case Duration:
        if (run.startTime > 0) {
            const qint64 ms = (run.endTime > 0 ? run.endTime : m_now) - run.startTime;
            text = formatDuration(ms);
            raw = ms;
            if (run.endTime <= 0 && run.status == "RUNNING")
                tip = tr("Running for %1").arg(text);
        }
        break;
    case RunId:
        text = qs(run.runId);
        raw = text;
        tip = text;
        break;
    default: {
        const ColumnSpec &spec = m_columns[static_cast<size_t>(column - FixedColumnCount)];
        if (spec.kind == ColumnSpec::Metric) {
            double v = 0.0;
            if (metricValue(record, spec, &v)) {
                text = formatNumber(v);
                raw = v;
                auto it = record.summaries.find(spec.key);
                if (it != record.summaries.end() && it->second.hasHistory)
                    tip = tr("last %1 · min %2 · max %3 · step %4")
                              .arg(formatNumber(it->second.last), formatNumber(it->second.min),
                                   formatNumber(it->second.max))
                              .arg(it->second.step);
            }
        } else {
            const std::string *s = spec.kind == ColumnSpec::Param ? findKey(run.params, spec.key)
                                                                  : findKey(run.tags, spec.key);
            if (s) {
                text = qs(*s);
                raw = text;
            }
        }
        break;
    }
    }

    switch (role) {
    case Qt::DisplayRole:
        return cellText(text);
    case RawValueRole:
        return raw;
    case SortRole: {
        if (raw.typeId() == QMetaType::Double || raw.typeId() == QMetaType::LongLong)
            return raw;
        double v = 0.0;
        const std::string utf8 = text.toStdString();
        return parseNumber(utf8, &v) ? QVariant(v) : QVariant(text);
    }
    case Qt::ToolTipRole:
        if (!tip.isEmpty())
            return plainToolTip(tip);
        if (needsToolTip(text))
            return plainToolTip(text);
        return {};
    default:
        return {};
    }
}

QString RunTableModel::columnTitle(int column) const
{
    switch (column) {
    case Name:
        return tr("Name");
    case Status:
        return tr("Status");
    case Experiment:
        return tr("Experiment");
    case User:
        return tr("User");
    case Started:
        return tr("Started");
    case Duration:
        return tr("Duration");
    case RunId:
        return tr("Run ID");
    default:
        break;
    }
    const ColumnSpec &spec = m_columns[static_cast<size_t>(column - FixedColumnCount)];
    // The filter language's spelling, so a header can be typed into the filter as it reads.
    switch (spec.kind) {
    case ColumnSpec::Param:
        return QStringLiteral("params.") + qs(spec.key);
    case ColumnSpec::Tag:
        return QStringLiteral("tags.") + qs(spec.key);
    case ColumnSpec::Metric:
        break;
    }
    const QString name = QStringLiteral("metrics.") + qs(spec.key);
    if (spec.agg == ColumnSpec::Min)
        return tr("%1 (min)").arg(name);
    if (spec.agg == ColumnSpec::Max)
        return tr("%1 (max)").arg(name);
    return name;
}

QVariant RunTableModel::headerData(int section, Qt::Orientation orientation, int role) const
{
    if (orientation != Qt::Horizontal || section < 0 || section >= columnCount())
        return QAbstractTableModel::headerData(section, orientation, role);
    if (role == Qt::DisplayRole)
        return cellText(columnTitle(section));
    if (role == Qt::ToolTipRole) {
        if (section < FixedColumnCount)
            return plainToolTip(columnTitle(section));
        const ColumnSpec &spec = m_columns[static_cast<size_t>(section - FixedColumnCount)];
        QString what;
        if (spec.kind == ColumnSpec::Param)
            what = tr("Parameter %1");
        else if (spec.kind == ColumnSpec::Tag)
            what = tr("Tag %1");
        else if (spec.agg == ColumnSpec::Min)
            what = tr("Metric %1: lowest value in its history");
        else if (spec.agg == ColumnSpec::Max)
            what = tr("Metric %1: highest value in its history");
        else
            what = tr("Metric %1: latest value");
        return plainToolTip(what.arg(qs(spec.key)));
    }
    if (role == Qt::TextAlignmentRole)
        return QVariant::fromValue(Qt::AlignLeft | Qt::AlignVCenter);
    return {};
}

QString RunTableModel::formatNumber(double value)
{
    if (std::isnan(value))
        return QStringLiteral("NaN");
    // MLflow stores infinities as +/-DBL_MAX.
    if (std::isinf(value) || std::abs(value) >= DBL_MAX)
        return value > 0 ? QStringLiteral("inf") : QStringLiteral("-inf");
    if (value == 0.0)
        return QStringLiteral("0");
    return QString::number(value, 'g', 6);
}

QString RunTableModel::formatDuration(qint64 ms)
{
    if (ms < 0)
        return {};
    const qint64 s = ms / 1000;
    if (s < 60)
        return tr("%1s").arg(s);
    const qint64 m = s / 60;
    if (m < 60)
        return tr("%1m %2s").arg(m).arg(s % 60, 2, 10, QLatin1Char('0'));
    const qint64 h = m / 60;
    if (h < 24)
        return tr("%1h %2m").arg(h).arg(m % 60, 2, 10, QLatin1Char('0'));
    return tr("%1d %2h").arg(h / 24).arg(h % 24, 2, 10, QLatin1Char('0'));
}

QString RunTableModel::formatTime(qint64 ms)
{
    if (ms <= 0)
        return {};
    return QDateTime::fromMSecsSinceEpoch(ms).toString(QStringLiteral("yyyy-MM-dd HH:mm"));
}

QString RunTableModel::statusText(const std::string &status)
{
    if (status == "FINISHED")
        return tr("Finished");
    if (status == "RUNNING")
        return tr("Running");
    if (status == "FAILED")
        return tr("Failed");
    if (status == "KILLED")
        return tr("Killed");
    if (status == "SCHEDULED")
        return tr("Scheduled");
    return qs(status);
}

QColor RunTableModel::statusColor(const std::string &status)
{
    if (status == "FINISHED")
        return QColor(0x2e, 0x7d, 0x32);
    if (status == "RUNNING")
        return QColor(0x15, 0x65, 0xc0);
    if (status == "FAILED")
        return QColor(0xc6, 0x28, 0x28);
    if (status == "KILLED")
        return QColor(0xb2, 0x6a, 0x00);
    return QColor(0x75, 0x75, 0x75);
}

} // namespace sightline
