// SPDX-License-Identifier: GPL-3.0-or-later
// RegistryModel: the registered models of a workspace, each with its versions as children, for
// the registry browser of the approval pane. Versions are listed newest first with their aliases,
// stage, status, source run and tags (Sightline's own sightline.* tags are left out: they hold
// promotion requests, which the requests model shows).
#pragma once

#include "mlflow/entities.h"

#include <QAbstractItemModel>
#include <QStringList>

#include <map>
#include <string>
#include <vector>

namespace sightline {

class Store;

// One registered model with its versions and the names of their source runs (by run id).
struct RegistryEntry {
    RegisteredModel model;
    std::vector<ModelVersion> versions;
    std::map<std::string, std::string> runNames;
};

class RegistryModel : public QAbstractItemModel {
    Q_OBJECT

public:
    enum Column { Name, Aliases, Stage, Status, SourceRun, Created, Updated, Description, Tags,
                  ColumnCount };

    enum Roles {
        ModelNameRole = Qt::UserRole + 1, // QString, on every row
        VersionRole,                      // QString; empty on a model row
        IsModelRole,                      // bool
        RunIdRole,                        // QString (version rows)
        AliasesRole,                      // QStringList: the version's aliases
        RequestStateRole,                 // QString: the state of the version's request, or empty
        TagsRole,                         // QStringList of "key=value", sightline.* left out
    };

    explicit RegistryModel(QObject *parent = nullptr);

    // Reads every registered model, its versions and their source runs' names.
    static std::vector<RegistryEntry> readRegistry(const Store &store);
    void load(const Store &store);
    // Models are listed by name, versions newest first.
    void setEntries(std::vector<RegistryEntry> entries);

    void retranslate();

    int modelCount() const { return static_cast<int>(m_entries.size()); }
    // The model of a model row or of a version row; nullptr for an invalid index.
    const RegistryEntry *entryAt(const QModelIndex &index) const;
    // Nothing on a model row.
    const ModelVersion *versionAt(const QModelIndex &index) const;
    const RegistryEntry *entry(const std::string &model) const;
    QModelIndex indexOfModel(const std::string &model, int column = Name) const;
    QModelIndex indexOfVersion(const std::string &model, const std::string &version,
                               int column = Name) const;
    // The version that holds `alias` of `model` ("" when none does).
    std::string holderOf(const std::string &model, const std::string &alias) const;

    QModelIndex index(int row, int column, const QModelIndex &parent = {}) const override;
    QModelIndex parent(const QModelIndex &child) const override;
    int rowCount(const QModelIndex &parent = {}) const override;
    int columnCount(const QModelIndex &parent = {}) const override;
    QVariant data(const QModelIndex &index, int role = Qt::DisplayRole) const override;
    QVariant headerData(int section, Qt::Orientation orientation,
                        int role = Qt::DisplayRole) const override;
    Qt::ItemFlags flags(const QModelIndex &index) const override;

private:
    QVariant modelData(const RegistryEntry &entry, int column, int role) const;
    QVariant versionData(const RegistryEntry &entry, const ModelVersion &version, int column,
                         int role) const;

    // internalId 0 is a model row; n > 0 is a version of model n - 1.
    std::vector<RegistryEntry> m_entries;
};

// The version's tags without sightline.* ones, as "key=value".
QStringList visibleTags(const std::vector<KeyValue> &tags);

} // namespace sightline
