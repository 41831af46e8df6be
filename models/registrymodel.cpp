// SPDX-License-Identifier: GPL-3.0-or-later
#include "registrymodel.h"
#include "qtext.h"

#include "approval/request.h"
#include "store/store.h"

#include <QColor>
#include <QDateTime>
#include <QFont>

#include <algorithm>

namespace sightline {

namespace {

// Version numbers compare as numbers ("10" after "9"); anything else as text.
bool versionLess(const std::string &a, const std::string &b)
{
    bool okA = false, okB = false;
    const qlonglong na = qs(a).toLongLong(&okA), nb = qs(b).toLongLong(&okB);
    if (okA && okB)
        return na < nb;
    if (okA != okB)
        return okA;
    return a < b;
}

QString firstLine(const std::string &text)
{
    const QString t = qs(text).trimmed();
    const qsizetype nl = t.indexOf(QLatin1Char('\n'));
    return nl < 0 ? t : t.left(nl) + QStringLiteral(" …");
}

const std::string *tagValue(const std::vector<KeyValue> &tags, const char *key)
{
    for (const auto &t : tags)
        if (t.key == key)
            return &t.value;
    return nullptr;
}

} // namespace

QStringList visibleTags(const std::vector<KeyValue> &tags)
{
    QStringList out;
    for (const auto &t : tags)
        if (!isSightlineTag(t.key))
            out << qs(t.key) + QLatin1Char('=') + qs(t.value);
    return out;
}

RegistryModel::RegistryModel(QObject *parent) : QAbstractItemModel(parent) {}

std::vector<RegistryEntry> RegistryModel::readRegistry(const Store &store)
{
    std::vector<RegistryEntry> out;
    for (auto &model : store.registeredModels()) {
        RegistryEntry e;
        e.versions = store.modelVersions(model.name);
        e.model = std::move(model);
        for (const auto &v : e.versions) {
            if (v.runId.empty() || e.runNames.count(v.runId))
                continue;
            if (auto run = store.run(v.runId))
                e.runNames[v.runId] = run->runName;
        }
        out.push_back(std::move(e));
    }
    return out;
}

void RegistryModel::load(const Store &store)
{
    setEntries(readRegistry(store));
}

void RegistryModel::setEntries(std::vector<RegistryEntry> entries)
{
    beginResetModel();
    m_entries = std::move(entries);
    std::stable_sort(m_entries.begin(), m_entries.end(), [](const auto &a, const auto &b) {
        return qs(a.model.name).compare(qs(b.model.name), Qt::CaseInsensitive) < 0;
    });
    for (auto &e : m_entries)
        std::stable_sort(e.versions.begin(), e.versions.end(), [](const auto &a, const auto &b) {
            return versionLess(b.version, a.version);
        });
    endResetModel();
}

void RegistryModel::retranslate()
{
    emit headerDataChanged(Qt::Horizontal, 0, ColumnCount - 1);
    if (!m_entries.empty())
        emit dataChanged(index(0, 0), index(modelCount() - 1, ColumnCount - 1));
    for (int i = 0; i < modelCount(); ++i) {
        const QModelIndex parent = index(i, 0);
        const int n = rowCount(parent);
        if (n > 0)
            emit dataChanged(index(0, 0, parent), index(n - 1, ColumnCount - 1, parent));
    }
}

const RegistryEntry *RegistryModel::entryAt(const QModelIndex &index) const
{
    if (!index.isValid() || index.model() != this)
        return nullptr;
    const size_t m = index.internalId() == 0 ? size_t(index.row()) : index.internalId() - 1;
    return m < m_entries.size() ? &m_entries[m] : nullptr;
}

const ModelVersion *RegistryModel::versionAt(const QModelIndex &index) const
{
    if (!index.isValid() || index.model() != this || index.internalId() == 0)
        return nullptr;
    const auto &versions = m_entries[index.internalId() - 1].versions;
    return size_t(index.row()) < versions.size() ? &versions[index.row()] : nullptr;
}

const RegistryEntry *RegistryModel::entry(const std::string &model) const
{
    for (const auto &e : m_entries)
        if (e.model.name == model)
            return &e;
    return nullptr;
}

QModelIndex RegistryModel::indexOfModel(const std::string &model, int column) const
{
    for (size_t i = 0; i < m_entries.size(); ++i)
        if (m_entries[i].model.name == model)
            return createIndex(static_cast<int>(i), column, quintptr(0));
    return {};
}

QModelIndex RegistryModel::indexOfVersion(const std::string &model, const std::string &version,
                                          int column) const
{
    for (size_t i = 0; i < m_entries.size(); ++i) {
        if (m_entries[i].model.name != model)
            continue;
        const auto &versions = m_entries[i].versions;
        for (size_t v = 0; v < versions.size(); ++v)
            if (versions[v].version == version)
                return createIndex(static_cast<int>(v), column, quintptr(i + 1));
    }
    return {};
}

std::string RegistryModel::holderOf(const std::string &model, const std::string &alias) const
{
    const RegistryEntry *e = entry(model);
    if (!e)
        return {};
    for (const auto &a : e->model.aliases)
        if (a.alias == alias)
            return a.version;
    // Older caches may only know aliases from the versions.
    for (const auto &v : e->versions)
        if (std::find(v.aliases.begin(), v.aliases.end(), alias) != v.aliases.end())
            return v.version;
    return {};
}

QModelIndex RegistryModel::index(int row, int column, const QModelIndex &parent) const
{
    if (row < 0 || column < 0 || column >= ColumnCount)
        return {};
    if (!parent.isValid())
        return size_t(row) < m_entries.size() ? createIndex(row, column, quintptr(0))
                                              : QModelIndex();
    if (parent.model() != this || parent.internalId() != 0 || parent.column() != 0
        || size_t(parent.row()) >= m_entries.size())
        return {};
    if (size_t(row) >= m_entries[parent.row()].versions.size())
        return {};
    return createIndex(row, column, quintptr(parent.row() + 1));
}

QModelIndex RegistryModel::parent(const QModelIndex &child) const
{
    if (!child.isValid() || child.internalId() == 0)
        return {};
    return createIndex(static_cast<int>(child.internalId() - 1), 0, quintptr(0));
}

int RegistryModel::rowCount(const QModelIndex &parent) const
{
    if (!parent.isValid())
        return modelCount();
    if (parent.internalId() != 0 || parent.column() != 0)
        return 0;
    return static_cast<int>(m_entries[parent.row()].versions.size());
}

int RegistryModel::columnCount(const QModelIndex &) const
{
    return ColumnCount;
}

QVariant RegistryModel::data(const QModelIndex &index, int role) const
{
    const RegistryEntry *e = entryAt(index);
    if (!e)
        return {};
    if (const ModelVersion *v = versionAt(index))
        return versionData(*e, *v, index.column(), role);
    return modelData(*e, index.column(), role);
}

QVariant RegistryModel::modelData(const RegistryEntry &e, int column, int role) const
{
    const RegisteredModel &m = e.model;
    switch (role) {
    case ModelNameRole:
        return qs(m.name);
    case VersionRole:
    case RunIdRole:
    case RequestStateRole:
        return QString();
    case IsModelRole:
        return true;
    case AliasesRole: {
        QStringList out;
        for (const auto &a : m.aliases)
            out << qs(a.alias);
        return out;
    }
    case TagsRole:
        return visibleTags(m.tags);
    case Qt::FontRole:
        if (column == Name) {
            QFont f;
            f.setBold(true);
            return f;
        }
        return {};
    case Qt::ToolTipRole:
        if (column == Description && !m.description.empty())
            return qs(m.description);
        if (column == Aliases && !m.aliases.empty())
            return tr("Which version holds each alias of the model");
        return {};
    case Qt::DisplayRole:
        break;
    default:
        return {};
    }
    switch (column) {
    case Name:
        return qs(m.name);
    case Aliases: {
        QStringList out;
        for (const auto &a : m.aliases)
            out << tr("%1 → v%2").arg(qs(a.alias), qs(a.version));
        return out.join(QStringLiteral(", "));
    }
    case Status:
        return e.versions.size() == 1 ? tr("1 version")
                                      : tr("%1 versions").arg(e.versions.size());
    case Created:
        return timeText(m.creationTimestamp);
    case Updated:
        return timeText(m.lastUpdatedTimestamp);
    case Description:
        return firstLine(m.description);
    case Tags:
        return visibleTags(m.tags).join(QStringLiteral(", "));
    default:
        return QString();
    }
}

QVariant RegistryModel::versionData(const RegistryEntry &e, const ModelVersion &v, int column,
                                    int role) const
{
    const std::string *state = tagValue(v.tags, tagkeys::kState);
    switch (role) {
    case ModelNameRole:
        return qs(v.name.empty() ? e.model.name : v.name);
    case VersionRole:
        return qs(v.version);
    case IsModelRole:
        return false;
    case RunIdRole:
        return qs(v.runId);
    case AliasesRole: {
        QStringList out;
        for (const auto &a : v.aliases)
            out << qs(a);
        return out;
    }
    case RequestStateRole:
        return state ? qs(*state) : QString();
    case TagsRole:
        return visibleTags(v.tags);
    case Qt::ForegroundRole:
        if (column == Status && state && *state == "pending")
            return QColor(0xb2, 0x6a, 0x00);
        return {};
    case Qt::ToolTipRole:
        switch (column) {
        case SourceRun:
            return v.runId.empty() ? QVariant() : tr("Run %1").arg(qs(v.runId));
        case Description:
            return v.description.empty() ? QVariant() : qs(v.description);
        case Tags:
            return v.tags.empty() ? QVariant() : visibleTags(v.tags).join(QLatin1Char('\n'));
        case Status:
            if (state && *state == "pending")
                return tr("This version has a pending promotion request");
            return {};
        default:
            return {};
        }
    case Qt::DisplayRole:
        break;
    default:
        return {};
    }
    switch (column) {
    case Name:
        return tr("Version %1").arg(qs(v.version));
    case Aliases: {
        QStringList out;
        for (const auto &a : v.aliases)
            out << qs(a);
        return out.join(QStringLiteral(", "));
    }
    case Stage:
        return v.currentStage == "None" ? QString() : qs(v.currentStage);
    case Status: {
        QString s = qs(v.status);
        if (state && *state == "pending")
            s += (s.isEmpty() ? QString() : QStringLiteral(" · ")) + tr("request pending");
        return s;
    }
    case SourceRun: {
        auto it = e.runNames.find(v.runId);
        if (it != e.runNames.end() && !it->second.empty())
            return qs(it->second);
        return qs(v.runId);
    }
    case Created:
        return timeText(v.creationTimestamp);
    case Updated:
        return timeText(v.lastUpdatedTimestamp);
    case Description:
        return firstLine(v.description);
    case Tags:
        return visibleTags(v.tags).join(QStringLiteral(", "));
    default:
        return QString();
    }
}

QVariant RegistryModel::headerData(int section, Qt::Orientation orientation, int role) const
{
    if (orientation != Qt::Horizontal || role != Qt::DisplayRole)
        return {};
    switch (section) {
    case Name:
        return tr("Model / version");
    case Aliases:
        return tr("Aliases");
    case Stage:
        return tr("Stage");
    case Status:
        return tr("Status");
    case SourceRun:
        return tr("Source run");
    case Created:
        return tr("Created");
    case Updated:
        return tr("Updated");
    case Description:
        return tr("Description");
    case Tags:
        return tr("Tags");
    default:
        return {};
    }
}

Qt::ItemFlags RegistryModel::flags(const QModelIndex &index) const
{
    if (!index.isValid())
        return Qt::NoItemFlags;
    return Qt::ItemIsEnabled | Qt::ItemIsSelectable;
}

} // namespace sightline
