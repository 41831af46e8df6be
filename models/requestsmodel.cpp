// SPDX-License-Identifier: GPL-3.0-or-later
#include "requestsmodel.h"
#include "qtext.h"

#include "approval/workflow.h"
#include "store/store.h"

#include <QColor>
#include <QCoreApplication>
#include <QDateTime>
#include <QFont>

#include <algorithm>

namespace sightline {

namespace {

// Pending requests wait for someone, so they come first; an interrupted apply next.
int stateRank(RequestState state)
{
    switch (state) {
    case RequestState::Pending:
        return 0;
    case RequestState::Applying:
        return 1;
    default:
        return 2;
    }
}

QColor stateColour(RequestState state)
{
    switch (state) {
    case RequestState::Pending:
        return QColor(0xb2, 0x6a, 0x00);
    case RequestState::Rejected:
        return QColor(0xc6, 0x28, 0x28);
    case RequestState::Applying:
        return QColor(0x15, 0x65, 0xc0);
    case RequestState::Applied:
        return QColor(0x2e, 0x7d, 0x32);
    case RequestState::RolledBack:
        return QColor(0x6a, 0x1b, 0x9a);
    }
    return {};
}

} // namespace

int requiredApprovals(const PromotionRequest &request)
{
    const auto &e = request.evidence;
    if (e.is_object() && e.contains("policy") && e["policy"].is_object()) {
        const auto &p = e["policy"];
        if (p.contains("required_approvals") && p["required_approvals"].is_number_integer())
            return std::max(1, p["required_approvals"].get<int>());
    }
    return 1;
}

QString requestStateLabel(RequestState state)
{
    switch (state) {
    case RequestState::Pending:
        return QCoreApplication::translate("sightline::RequestsModel", "Pending");
    case RequestState::Rejected:
        return QCoreApplication::translate("sightline::RequestsModel", "Rejected");
    case RequestState::Applying:
        return QCoreApplication::translate("sightline::RequestsModel", "Applying");
    case RequestState::Applied:
        return QCoreApplication::translate("sightline::RequestsModel", "Applied");
    case RequestState::RolledBack:
        return QCoreApplication::translate("sightline::RequestsModel", "Rolled back");
    }
    return {};
}

RequestsModel::RequestsModel(QObject *parent) : QAbstractTableModel(parent) {}

void RequestsModel::load(const Store &store)
{
    std::vector<std::string> problems;
    auto requests = requestsInCache(store, &problems);
    setRequests(std::move(requests));
    m_problems.clear();
    for (const auto &p : problems)
        m_problems << qs(p);
}

void RequestsModel::setRequests(std::vector<PromotionRequest> requests)
{
    beginResetModel();
    m_rows.clear();
    m_rows.reserve(requests.size());
    m_problems.clear();
    for (auto &r : requests) {
        Row row;
        row.approvals = static_cast<int>(r.approvers().size());
        row.required = requiredApprovals(r);
        for (const auto &g : r.gates()) {
            if (g.outcome == GateResult::Pass)
                ++row.passed;
            else if (g.outcome == GateResult::Fail)
                ++row.failed;
            else
                ++row.unknown;
        }
        row.request = std::move(r);
        m_rows.push_back(std::move(row));
    }
    std::stable_sort(m_rows.begin(), m_rows.end(), [](const Row &a, const Row &b) {
        const int ra = stateRank(a.request.state), rb = stateRank(b.request.state);
        if (ra != rb)
            return ra < rb;
        return a.request.requestedAtMs > b.request.requestedAtMs;
    });
    endResetModel();
}

void RequestsModel::retranslate()
{
    emit headerDataChanged(Qt::Horizontal, 0, ColumnCount - 1);
    if (!m_rows.empty())
        emit dataChanged(index(0, 0), index(rowCount() - 1, ColumnCount - 1));
}

int RequestsModel::pendingCount() const
{
    return static_cast<int>(std::count_if(m_rows.begin(), m_rows.end(), [](const Row &r) {
        return r.request.state == RequestState::Pending;
    }));
}

const PromotionRequest *RequestsModel::requestAt(int row) const
{
    return row >= 0 && size_t(row) < m_rows.size() ? &m_rows[row].request : nullptr;
}

QModelIndex RequestsModel::indexOfRequest(const std::string &model, const std::string &version,
                                          int column) const
{
    for (size_t i = 0; i < m_rows.size(); ++i)
        if (m_rows[i].request.model == model && m_rows[i].request.version == version)
            return index(static_cast<int>(i), column);
    return {};
}

int RequestsModel::rowCount(const QModelIndex &parent) const
{
    return parent.isValid() ? 0 : static_cast<int>(m_rows.size());
}

int RequestsModel::columnCount(const QModelIndex &parent) const
{
    return parent.isValid() ? 0 : ColumnCount;
}

QVariant RequestsModel::data(const QModelIndex &index, int role) const
{
    if (!index.isValid() || index.model() != this || size_t(index.row()) >= m_rows.size())
        return {};
    const Row &row = m_rows[index.row()];
    const PromotionRequest &r = row.request;
    switch (role) {
    case RequestIdRole:
        return qs(r.id);
    case ModelNameRole:
        return qs(r.model);
    case VersionRole:
        return qs(r.version);
    case StateRole:
        return qs(std::string(requestStateText(r.state)));
    case ApprovalCountRole:
        return row.approvals;
    case RequiredApprovalsRole:
        return row.required;
    case GatesPassedRole:
        return row.passed;
    case GatesFailedRole:
        return row.failed;
    case GatesUnknownRole:
        return row.unknown;
    case Qt::FontRole:
        if (r.state == RequestState::Pending && index.column() == State) {
            QFont f;
            f.setBold(true);
            return f;
        }
        return {};
    case Qt::ForegroundRole:
        if (index.column() == State)
            return stateColour(r.state);
        if (index.column() == Gates && (row.failed > 0 || row.unknown > 0))
            return QColor(0xc6, 0x28, 0x28);
        return {};
    case Qt::ToolTipRole:
        switch (index.column()) {
        case Target:
            return r.holder.empty() ? tr("Nothing held the target when this was requested")
                                    : tr("Held by version %1 when this was requested")
                                          .arg(qs(r.holder));
        case Approvals: {
            QStringList names;
            for (const auto &a : r.approvers())
                names << qs(a);
            return names.isEmpty() ? tr("No approvals yet")
                                   : tr("Approved by %1").arg(names.join(QStringLiteral(", ")));
        }
        case Requested:
            return r.comment.empty() ? QVariant() : qs(r.comment);
        default:
            return {};
        }
    case Qt::DisplayRole:
        break;
    default:
        return {};
    }
    switch (index.column()) {
    case Model:
        return qs(r.model);
    case Version:
        return qs(r.version);
    case Target:
        return r.target.kind == PromotionTarget::Alias
            ? tr("alias %1").arg(qs(r.target.name))
            : tr("stage %1").arg(qs(r.target.name));
    case Requester:
        return qs(r.requester);
    case Requested:
        return r.requestedAtMs > 0 ? QDateTime::fromMSecsSinceEpoch(r.requestedAtMs)
                                         .toString(QStringLiteral("yyyy-MM-dd HH:mm"))
                                   : QString();
    case State:
        return requestStateLabel(r.state);
    case Approvals:
        return tr("%1 of %2").arg(row.approvals).arg(row.required);
    case Gates: {
        if (row.passed + row.failed + row.unknown == 0)
            return tr("no gates");
        QStringList parts;
        parts << tr("%1 passed").arg(row.passed);
        if (row.failed > 0)
            parts << tr("%1 failed").arg(row.failed);
        if (row.unknown > 0)
            parts << tr("%1 unknown").arg(row.unknown);
        return parts.join(QStringLiteral(", "));
    }
    default:
        return {};
    }
}

QVariant RequestsModel::headerData(int section, Qt::Orientation orientation, int role) const
{
    if (orientation != Qt::Horizontal || role != Qt::DisplayRole)
        return {};
    switch (section) {
    case Model:
        return tr("Model");
    case Version:
        return tr("Version");
    case Target:
        return tr("Target");
    case Requester:
        return tr("Requested by");
    case Requested:
        return tr("Requested");
    case State:
        return tr("State");
    case Approvals:
        return tr("Approvals");
    case Gates:
        return tr("Gates");
    default:
        return {};
    }
}

} // namespace sightline
