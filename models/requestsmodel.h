// SPDX-License-Identifier: GPL-3.0-or-later
// RequestsModel: the promotion requests mirrored in a workspace, pending ones first (then one
// being applied), then the others newest first, with their approvals against the policy's
// required count and their frozen gate results counted.
#pragma once

#include "approval/request.h"

#include <QAbstractTableModel>
#include <QStringList>

#include <vector>

namespace sightline {

class Store;

class RequestsModel : public QAbstractTableModel {
    Q_OBJECT

public:
    enum Column { Model, Version, Target, Requester, Requested, State, Approvals, Gates,
                  ColumnCount };

    enum Roles {
        RequestIdRole = Qt::UserRole + 1, // QString
        ModelNameRole,                    // QString
        VersionRole,                      // QString
        StateRole,                        // QString: "pending", "applied", ...
        ApprovalCountRole,                // int: distinct approvers so far
        RequiredApprovalsRole,            // int: from the policy frozen in the evidence
        GatesPassedRole,                  // int
        GatesFailedRole,                  // int
        GatesUnknownRole,                 // int
    };

    explicit RequestsModel(QObject *parent = nullptr);

    // Reads every request from the cache; damaged ones are left out and listed in problems().
    void load(const Store &store);
    void setRequests(std::vector<PromotionRequest> requests);
    QStringList problems() const { return m_problems; }

    void retranslate();

    int pendingCount() const;
    const PromotionRequest *requestAt(int row) const;
    QModelIndex indexOfRequest(const std::string &model, const std::string &version,
                               int column = Model) const;

    int rowCount(const QModelIndex &parent = {}) const override;
    int columnCount(const QModelIndex &parent = {}) const override;
    QVariant data(const QModelIndex &index, int role = Qt::DisplayRole) const override;
    QVariant headerData(int section, Qt::Orientation orientation,
                        int role = Qt::DisplayRole) const override;

private:
    struct Row {
        PromotionRequest request;
        int approvals = 0;
        int required = 1;
        int passed = 0;
        int failed = 0;
        int unknown = 0;
    };

    std::vector<Row> m_rows;
    QStringList m_problems;
};

// The policy's required approval count frozen in a request's evidence (1 when absent).
int requiredApprovals(const PromotionRequest &request);
// "pending", "rejected", ... as a person reads it ("Pending", "Rolled back").
QString requestStateLabel(RequestState state);

} // namespace sightline
