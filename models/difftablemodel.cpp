// SPDX-License-Identifier: GPL-3.0-or-later
#include "difftablemodel.h"
#include "qtext.h"

#include <QColor>
#include <QFont>

#include <algorithm>

namespace sightline {

namespace {

// Longer values are elided in the cell and shown in full in the tooltip.
constexpr qsizetype kMaxCellChars = 120;
constexpr qsizetype kTooltipLineChars = 100;
constexpr qsizetype kMaxTooltipChars = 4000;

// Light enough for dark text, visible on light and dark alternating rows alike.
const QColor kBestBackground(0xc8, 0xee, 0xc8);
const QColor kBestForeground(0x10, 0x30, 0x10);
const QColor kCurrentBackground(0x3d, 0x8e, 0xe6, 0x30);
const QColor kSectionBackground(0x80, 0x80, 0x80, 0x30);
const QColor kMutedForeground(0x80, 0x80, 0x80);

// Cells show one line: control characters (newlines, tabs) become spaces.
QString cellText(const QString &text)
{
    QString out = text.size() > kMaxCellChars ? text.left(kMaxCellChars - 1) + QChar(0x2026) : text;
    for (QChar &c : out)
        if (c.unicode() < 0x20 || c.unicode() == 0x7f)
            c = QLatin1Char(' ');
    return out;
}

// A tooltip that shows values literally: QToolTip would take "<b>x</b>" for markup, so the text
// is escaped inside an explicit rich-text document, with long lines broken.
QString plainToolTip(const QString &title, const QString &text)
{
    QString t = text.size() > kMaxTooltipChars ? text.left(kMaxTooltipChars) + QChar(0x2026) : text;
    QStringList lines;
    for (const QString &line : t.split(QLatin1Char('\n'))) {
        for (qsizetype i = 0; i < line.size() || i == 0; i += kTooltipLineChars)
            lines << line.mid(i, kTooltipLineChars).toHtmlEscaped();
    }
    return QStringLiteral("<qt><b>") + title.toHtmlEscaped() + QStringLiteral("</b><br/>")
        + QStringLiteral("<p style='white-space:pre'>") + lines.join(QStringLiteral("<br/>"))
        + QStringLiteral("</p></qt>");
}

QString qualifiedKey(const DiffRow &row)
{
    return QLatin1String(diffSectionName(row.section)) + QLatin1Char('.') + qs(row.key);
}

QFont boldFont()
{
    QFont font;
    font.setBold(true);
    return font;
}

} // namespace

DiffTableModel::DiffTableModel(QObject *parent) : QAbstractTableModel(parent) {}

DiffTableModel::~DiffTableModel() = default;

void DiffTableModel::setRuns(std::vector<RunRecord> runs)
{
    m_runs = std::move(runs);
    m_indexById.clear();
    m_indexById.reserve(static_cast<qsizetype>(m_runs.size()));
    for (size_t i = 0; i < m_runs.size(); ++i)
        m_indexById.insert(qs(m_runs[i].run.runId), static_cast<int>(i));
    m_active.reset();
    m_currentIndex = m_indexById.value(m_currentRun, -1);
    // Values at a step came from the old snapshot's histories.
    m_haveStepValues = false;
    m_stepValues.clear();
    rebuildTable();
    refresh();
    requestStepValuesIfNeeded();
}

void DiffTableModel::setActiveRuns(std::optional<QStringList> runIds)
{
    std::optional<std::vector<int>> active;
    if (runIds) {
        active.emplace();
        for (const QString &id : *runIds) {
            const int index = m_indexById.value(id, -1);
            if (index >= 0)
                active->push_back(index);
        }
        // Set order, whatever order the caller listed them in.
        std::sort(active->begin(), active->end());
        active->erase(std::unique(active->begin(), active->end()), active->end());
    }
    if (active == m_active)
        return;
    m_active = std::move(active);
    refresh();
}

void DiffTableModel::setCurrentRun(const QString &runId)
{
    if (runId == m_currentRun)
        return;
    m_currentRun = runId;
    m_currentIndex = m_indexById.value(runId, -1);
    emitAllChanged();
}

bool DiffTableModel::setFlag(bool &flag, bool on)
{
    if (flag == on)
        return false;
    flag = on;
    refresh();
    emit optionsChanged();
    return true;
}

void DiffTableModel::setOnlyDifferences(bool on)
{
    setFlag(m_options.onlyDifferences, on);
}

void DiffTableModel::setTransposed(bool on)
{
    setFlag(m_transposed, on);
}

void DiffTableModel::setShowSystemTags(bool on)
{
    setFlag(m_options.includeSystemTags, on);
}

void DiffTableModel::setKeyFilter(const QString &text)
{
    if (text == m_keyFilter)
        return;
    m_keyFilter = text;
    m_options.keyFilter = text.trimmed().toStdString();
    refresh();
    emit optionsChanged();
}

void DiffTableModel::setMetricMode(DiffMetricMode mode)
{
    if (mode == m_mode)
        return;
    m_mode = mode;
    rebuildTable();
    refresh();
    emit optionsChanged();
    requestStepValuesIfNeeded();
}

void DiffTableModel::setStep(qint64 step)
{
    if (step == m_step)
        return;
    m_step = step;
    if (m_mode == DiffMetricMode::AtStep) {
        rebuildTable();
        refresh();
    }
    emit optionsChanged();
    requestStepValuesIfNeeded();
}

void DiffTableModel::setStepValues(qint64 step, DiffStepValues values)
{
    m_stepValues = std::move(values);
    m_stepValuesStep = step;
    m_haveStepValues = true;
    if (m_mode == DiffMetricMode::AtStep && step == m_step) {
        rebuildTable();
        refresh();
    }
}

void DiffTableModel::requestStepValuesIfNeeded()
{
    if (m_mode == DiffMetricMode::AtStep && !hasStepValues())
        emit stepValuesNeeded(m_step);
}

void DiffTableModel::rebuildTable()
{
    const DiffStepValues *values = hasStepValues() ? &m_stepValues : nullptr;
    m_table = buildDiffTable(m_runs, m_mode, values);
}

void DiffTableModel::refresh()
{
    beginResetModel();
    m_view = makeDiffView(m_table, m_options, m_active);
    m_lines.clear();
    m_lines.reserve(m_view.rows.size() + 3);
    for (size_t i = 0; i < m_view.rows.size(); ++i) {
        const DiffSection section = m_table.rows[static_cast<size_t>(m_view.rows[i].row)].section;
        // Keys down, each section starts with its title; across, the key headers say it.
        if (!m_transposed && (m_lines.empty() || m_lines.back().section != section))
            m_lines.push_back({-1, section});
        m_lines.push_back({static_cast<int>(i), section});
    }
    endResetModel();
}

void DiffTableModel::retranslate()
{
    emitAllChanged();
}

void DiffTableModel::emitAllChanged()
{
    if (rowCount() > 0 && columnCount() > 0)
        emit dataChanged(index(0, 0), index(rowCount() - 1, columnCount() - 1));
    if (rowCount() > 0)
        emit headerDataChanged(Qt::Vertical, 0, rowCount() - 1);
    if (columnCount() > 0)
        emit headerDataChanged(Qt::Horizontal, 0, columnCount() - 1);
}

QString DiffTableModel::sectionTitle(DiffSection section)
{
    switch (section) {
    case DiffSection::Params:
        return tr("Parameters");
    case DiffSection::Metrics:
        return tr("Metrics");
    case DiffSection::Tags:
        return tr("Tags");
    }
    return {};
}

int DiffTableModel::rowCount(const QModelIndex &parent) const
{
    if (parent.isValid())
        return 0;
    return m_transposed ? shownRunCount() : keyCount();
}

int DiffTableModel::columnCount(const QModelIndex &parent) const
{
    if (parent.isValid())
        return 0;
    return m_transposed ? keyCount() : shownRunCount();
}

int DiffTableModel::lineOf(const QModelIndex &index) const
{
    return m_transposed ? index.column() : index.row();
}

int DiffTableModel::runPosOf(const QModelIndex &index) const
{
    return m_transposed ? index.row() : index.column();
}

bool DiffTableModel::isSectionHeaderRow(int row) const
{
    return !m_transposed && row >= 0 && row < keyCount()
        && m_lines[static_cast<size_t>(row)].viewRow < 0;
}

QString DiffTableModel::runIdOfSection(Qt::Orientation orientation, int section) const
{
    const Qt::Orientation runAxis = m_transposed ? Qt::Vertical : Qt::Horizontal;
    if (orientation != runAxis || section < 0 || section >= shownRunCount())
        return {};
    return qs(m_table.runIds[static_cast<size_t>(m_view.runs[static_cast<size_t>(section)])]);
}

QString DiffTableModel::runIdAt(const QModelIndex &index) const
{
    if (!checkIndex(index, CheckIndexOption::IndexIsValid))
        return {};
    if (m_lines[static_cast<size_t>(lineOf(index))].viewRow < 0)
        return {};
    return runIdOfSection(m_transposed ? Qt::Vertical : Qt::Horizontal, runPosOf(index));
}

int DiffTableModel::keyPosition(DiffSection section, const QString &key) const
{
    const std::string k = key.toStdString();
    for (size_t i = 0; i < m_lines.size(); ++i) {
        const KeyLine &line = m_lines[i];
        if (line.viewRow < 0 || line.section != section)
            continue;
        if (m_table.rows[static_cast<size_t>(m_view.rows[static_cast<size_t>(line.viewRow)].row)]
                .key
            == k)
            return static_cast<int>(i);
    }
    return -1;
}

int DiffTableModel::runPosition(const QString &runId) const
{
    const int index = m_indexById.value(runId, -1);
    for (size_t p = 0; p < m_view.runs.size(); ++p)
        if (m_view.runs[p] == index)
            return static_cast<int>(p);
    return -1;
}

std::string DiffTableModel::toCsv() const
{
    return diffTableToCsv(m_table, m_view, m_transposed);
}

QVariant DiffTableModel::data(const QModelIndex &index, int role) const
{
    if (!checkIndex(index, CheckIndexOption::IndexIsValid))
        return {};
    const KeyLine &line = m_lines[static_cast<size_t>(lineOf(index))];
    const int runPos = runPosOf(index);
    if (line.viewRow < 0)
        return sectionHeaderData(line, runPos, role);
    return cellData(line, runPos, role);
}

QVariant DiffTableModel::sectionHeaderData(const KeyLine &line, int runPos, int role) const
{
    switch (role) {
    case Qt::DisplayRole:
        // The view spans the title across the row; the first cell carries it.
        return runPos == 0 ? sectionTitle(line.section) : QString();
    case Qt::FontRole:
        return boldFont();
    case Qt::BackgroundRole:
        return kSectionBackground;
    case SectionRole:
        return static_cast<int>(line.section);
    case SectionHeaderRole:
        return true;
    default:
        return {};
    }
}

QVariant DiffTableModel::cellData(const KeyLine &line, int runPos, int role) const
{
    const DiffViewRow &viewRow = m_view.rows[static_cast<size_t>(line.viewRow)];
    const DiffRow &row = m_table.rows[static_cast<size_t>(viewRow.row)];
    const auto run = static_cast<size_t>(m_view.runs[static_cast<size_t>(runPos)]);
    const bool present = row.present(run);
    const bool current = m_currentIndex >= 0 && run == static_cast<size_t>(m_currentIndex);

    switch (role) {
    case Qt::DisplayRole:
        return present ? cellText(qs(row.displayText(run))) : QStringLiteral("\u2014");
    case Qt::ToolTipRole: {
        const QString title = tr("%1 \u00b7 %2")
                                  .arg(qs(m_table.runLabels[run]), qualifiedKey(row));
        return plainToolTip(title, present ? qs(row.fullText(run)) : tr("(not logged)"));
    }
    case Qt::FontRole:
        if (isBestCell(m_table, viewRow, m_view, static_cast<size_t>(runPos)))
            return boldFont();
        return {};
    case Qt::BackgroundRole:
        if (isBestCell(m_table, viewRow, m_view, static_cast<size_t>(runPos)))
            return kBestBackground;
        if (current)
            return kCurrentBackground;
        return {};
    case Qt::ForegroundRole:
        if (isBestCell(m_table, viewRow, m_view, static_cast<size_t>(runPos)))
            return kBestForeground;
        if (!present || !viewRow.differs)
            return kMutedForeground;
        return {};
    case Qt::TextAlignmentRole:
        if (row.isMetric())
            return QVariant::fromValue(Qt::AlignRight | Qt::AlignVCenter);
        return QVariant::fromValue(Qt::AlignLeft | Qt::AlignVCenter);
    case RunIdRole:
        return qs(m_table.runIds[run]);
    case KeyRole:
        return qs(row.key);
    case SectionRole:
        return static_cast<int>(row.section);
    case SectionHeaderRole:
        return false;
    case DiffersRole:
        return viewRow.differs;
    case BestRole:
        return isBestCell(m_table, viewRow, m_view, static_cast<size_t>(runPos));
    case CurrentRunRole:
        return current;
    case RawValueRole:
        if (!present)
            return {};
        if (row.isMetric())
            return row.numbers[run];
        return qs(row.displayText(run));
    default:
        return {};
    }
}

QVariant DiffTableModel::headerData(int section, Qt::Orientation orientation, int role) const
{
    const Qt::Orientation runAxis = m_transposed ? Qt::Vertical : Qt::Horizontal;
    if (orientation == runAxis) {
        if (section < 0 || section >= shownRunCount())
            return {};
        return runHeaderData(section, role);
    }
    if (section < 0 || section >= keyCount())
        return {};
    return keyHeaderData(section, role);
}

QVariant DiffTableModel::runHeaderData(int runPos, int role) const
{
    const auto run = static_cast<size_t>(m_view.runs[static_cast<size_t>(runPos)]);
    const bool current = m_currentIndex >= 0 && run == static_cast<size_t>(m_currentIndex);
    switch (role) {
    case Qt::DisplayRole:
        return qs(m_table.runLabels[run]);
    case Qt::ToolTipRole:
        return plainToolTip(qs(m_table.runLabels[run]),
                            tr("Run %1\nClick to select this run.").arg(qs(m_table.runIds[run])));
    case Qt::FontRole:
        if (current)
            return boldFont();
        return {};
    case RunIdRole:
        return qs(m_table.runIds[run]);
    case CurrentRunRole:
        return current;
    default:
        return {};
    }
}

QVariant DiffTableModel::keyHeaderData(int lineIndex, int role) const
{
    const KeyLine &line = m_lines[static_cast<size_t>(lineIndex)];
    if (line.viewRow < 0) {
        switch (role) {
        case Qt::DisplayRole:
            return QString();
        case SectionRole:
            return static_cast<int>(line.section);
        case SectionHeaderRole:
            return true;
        default:
            return {};
        }
    }
    const DiffViewRow &viewRow = m_view.rows[static_cast<size_t>(line.viewRow)];
    const DiffRow &row = m_table.rows[static_cast<size_t>(viewRow.row)];
    switch (role) {
    case Qt::DisplayRole:
        // Across, one header names both section and key ("params.lr").
        return m_transposed ? qualifiedKey(row) : qs(row.key);
    case Qt::ToolTipRole: {
        QString text = qualifiedKey(row);
        if (row.isMetric())
            text += QLatin1Char('\n')
                + (metricDirection(row.key) == MetricDirection::LowerIsBetter
                       ? tr("Lower is better")
                       : tr("Higher is better"));
        if (!viewRow.differs)
            text += QLatin1Char('\n') + tr("The same in every run shown");
        return plainToolTip(sectionTitle(row.section), text);
    }
    case Qt::ForegroundRole:
        if (!viewRow.differs)
            return kMutedForeground;
        return {};
    case KeyRole:
        return qs(row.key);
    case SectionRole:
        return static_cast<int>(row.section);
    case SectionHeaderRole:
        return false;
    case DiffersRole:
        return viewRow.differs;
    default:
        return {};
    }
}

Qt::ItemFlags DiffTableModel::flags(const QModelIndex &index) const
{
    if (!checkIndex(index, CheckIndexOption::IndexIsValid))
        return Qt::NoItemFlags;
    if (m_lines[static_cast<size_t>(lineOf(index))].viewRow < 0)
        return Qt::ItemIsEnabled | Qt::ItemNeverHasChildren;
    return Qt::ItemIsEnabled | Qt::ItemIsSelectable | Qt::ItemNeverHasChildren;
}

} // namespace sightline
