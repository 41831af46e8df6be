// SPDX-License-Identifier: GPL-3.0-or-later
#include "columnchooser.h"
#include "qtext.h"

#include <QDialogButtonBox>
#include <QEvent>
#include <QHBoxLayout>
#include <QHeaderView>
#include <QLabel>
#include <QLineEdit>
#include <QPushButton>
#include <QTabWidget>
#include <QTreeWidget>
#include <QVBoxLayout>

#include <algorithm>

namespace sightline {

namespace {

constexpr int kKeyRole = Qt::UserRole + 1;

bool contains(const std::vector<ColumnSpec> &specs, const ColumnSpec &spec)
{
    return std::find(specs.begin(), specs.end(), spec) != specs.end();
}

} // namespace

ColumnChooser::ColumnChooser(std::vector<std::string> paramKeys,
                             std::vector<std::string> metricKeys,
                             std::vector<std::string> tagKeys, std::vector<ColumnSpec> current,
                             QWidget *parent)
    : QDialog(parent), m_initial(std::move(current))
{
    m_search = new QLineEdit(this);
    m_search->setClearButtonEnabled(true);
    m_tabs = new QTabWidget(this);
    m_params = makeList(1);
    m_metrics = makeList(3);
    m_tags = makeList(1);
    m_tabs->addTab(m_params, QString());
    m_tabs->addTab(m_metrics, QString());
    m_tabs->addTab(m_tags, QString());
    m_summary = new QLabel(this);
    m_clear = new QPushButton(this);
    m_buttons = new QDialogButtonBox(QDialogButtonBox::Ok | QDialogButtonBox::Cancel, this);

    auto *bottom = new QHBoxLayout;
    bottom->addWidget(m_summary, 1);
    bottom->addWidget(m_clear);
    auto *layout = new QVBoxLayout(this);
    layout->addWidget(m_search);
    layout->addWidget(m_tabs, 1);
    layout->addLayout(bottom);
    layout->addWidget(m_buttons);

    m_filling = true;
    fill(m_params, paramKeys, ColumnSpec::Param);
    fill(m_metrics, metricKeys, ColumnSpec::Metric);
    fill(m_tags, tagKeys, ColumnSpec::Tag);
    m_filling = false;

    connect(m_search, &QLineEdit::textChanged, this, &ColumnChooser::applySearch);
    connect(m_clear, &QPushButton::clicked, this, &ColumnChooser::clearAll);
    connect(m_buttons, &QDialogButtonBox::accepted, this, &QDialog::accept);
    connect(m_buttons, &QDialogButtonBox::rejected, this, &QDialog::reject);
    for (QTreeWidget *list : {m_params, m_metrics, m_tags})
        connect(list, &QTreeWidget::itemChanged, this, &ColumnChooser::updateSummary);

    resize(520, 560);
    retranslateUi();
    m_search->setFocus();
}

QTreeWidget *ColumnChooser::makeList(int checkColumns)
{
    auto *list = new QTreeWidget(this);
    list->setColumnCount(1 + (checkColumns > 1 ? checkColumns : 0));
    list->setRootIsDecorated(false);
    list->setUniformRowHeights(true);
    list->setAlternatingRowColors(true);
    list->setSelectionMode(QAbstractItemView::NoSelection);
    list->header()->setStretchLastSection(false);
    list->header()->setSectionResizeMode(0, QHeaderView::Stretch);
    for (int c = 1; c < list->columnCount(); ++c)
        list->header()->setSectionResizeMode(c, QHeaderView::ResizeToContents);
    list->setHeaderHidden(checkColumns <= 1);
    return list;
}

void ColumnChooser::fill(QTreeWidget *list, const std::vector<std::string> &keys,
                         ColumnSpec::Kind kind)
{
    QList<QTreeWidgetItem *> items;
    items.reserve(static_cast<qsizetype>(keys.size()));
    for (const std::string &key : keys) {
        auto *item = new QTreeWidgetItem;
        item->setText(0, qs(key));
        item->setToolTip(0, QStringLiteral("<qt>") + qs(key).toHtmlEscaped()
                                + QStringLiteral("</qt>"));
        item->setData(0, kKeyRole, qs(key));
        item->setFlags(Qt::ItemIsEnabled | Qt::ItemIsUserCheckable | Qt::ItemNeverHasChildren);
        if (kind == ColumnSpec::Metric) {
            const ColumnSpec::Agg aggs[] = {ColumnSpec::Last, ColumnSpec::Min, ColumnSpec::Max};
            for (int c = 0; c < 3; ++c)
                item->setCheckState(c + 1, contains(m_initial, {kind, key, aggs[c]})
                                               ? Qt::Checked
                                               : Qt::Unchecked);
        } else {
            item->setCheckState(0, contains(m_initial, {kind, key, ColumnSpec::Last})
                                       ? Qt::Checked
                                       : Qt::Unchecked);
        }
        items << item;
    }
    list->addTopLevelItems(items);
}

void ColumnChooser::retranslateUi()
{
    setWindowTitle(tr("Columns"));
    m_search->setPlaceholderText(tr("Search keys"));
    m_tabs->setTabText(0, tr("Parameters (%1)").arg(m_params->topLevelItemCount()));
    m_tabs->setTabText(1, tr("Metrics (%1)").arg(m_metrics->topLevelItemCount()));
    m_tabs->setTabText(2, tr("Tags (%1)").arg(m_tags->topLevelItemCount()));
    m_metrics->setHeaderLabels({tr("Metric"), tr("Latest"), tr("Min"), tr("Max")});
    m_clear->setText(tr("Clear all"));
    updateSummary();
}

void ColumnChooser::changeEvent(QEvent *event)
{
    if (event->type() == QEvent::LanguageChange)
        retranslateUi();
    QDialog::changeEvent(event);
}

void ColumnChooser::applySearch()
{
    const QString needle = m_search->text().trimmed();
    for (QTreeWidget *list : {m_params, m_metrics, m_tags}) {
        for (int i = 0; i < list->topLevelItemCount(); ++i) {
            QTreeWidgetItem *item = list->topLevelItem(i);
            item->setHidden(!needle.isEmpty()
                            && !item->text(0).contains(needle, Qt::CaseInsensitive));
        }
    }
}

void ColumnChooser::clearAll()
{
    m_filling = true;
    for (QTreeWidget *list : {m_params, m_metrics, m_tags})
        for (int i = 0; i < list->topLevelItemCount(); ++i) {
            QTreeWidgetItem *item = list->topLevelItem(i);
            for (int c = 0; c < list->columnCount(); ++c)
                if (item->data(c, Qt::CheckStateRole).isValid())
                    item->setCheckState(c, Qt::Unchecked);
        }
    m_filling = false;
    updateSummary();
}

void ColumnChooser::updateSummary()
{
    if (m_filling)
        return;
    const size_t n = checkedSpecs().size();
    m_summary->setText(n == 1 ? tr("1 column chosen") : tr("%1 columns chosen").arg(n));
}

std::vector<ColumnSpec> ColumnChooser::checkedSpecs() const
{
    std::vector<ColumnSpec> out;
    auto collect = [&out](QTreeWidget *list, ColumnSpec::Kind kind) {
        for (int i = 0; i < list->topLevelItemCount(); ++i) {
            QTreeWidgetItem *item = list->topLevelItem(i);
            const std::string key = item->data(0, kKeyRole).toString().toStdString();
            if (kind == ColumnSpec::Metric) {
                const ColumnSpec::Agg aggs[] = {ColumnSpec::Last, ColumnSpec::Min,
                                                ColumnSpec::Max};
                for (int c = 0; c < 3; ++c)
                    if (item->checkState(c + 1) == Qt::Checked)
                        out.push_back({kind, key, aggs[c]});
            } else if (item->checkState(0) == Qt::Checked) {
                out.push_back({kind, key, ColumnSpec::Last});
            }
        }
    };
    collect(m_params, ColumnSpec::Param);
    collect(m_metrics, ColumnSpec::Metric);
    collect(m_tags, ColumnSpec::Tag);
    return out;
}

std::vector<ColumnSpec> ColumnChooser::columns() const
{
    const std::vector<ColumnSpec> checked = checkedSpecs();
    std::vector<ColumnSpec> out;
    for (const ColumnSpec &spec : m_initial)
        if (contains(checked, spec))
            out.push_back(spec);
    for (const ColumnSpec &spec : checked)
        if (!contains(out, spec))
            out.push_back(spec);
    return out;
}

} // namespace sightline
