// SPDX-License-Identifier: GPL-3.0-or-later
// ColumnChooser: the dialog that picks the runs table's extra columns — params, metrics (latest,
// lowest or highest value) and tags — from searchable, checkable lists.
#pragma once

#include "runtablemodel.h"

#include <QDialog>

#include <string>
#include <vector>

class QDialogButtonBox;
class QLabel;
class QLineEdit;
class QPushButton;
class QTabWidget;
class QTreeWidget;
class QTreeWidgetItem;

namespace sightline {

class ColumnChooser : public QDialog {
    Q_OBJECT

public:
    ColumnChooser(std::vector<std::string> paramKeys, std::vector<std::string> metricKeys,
                  std::vector<std::string> tagKeys, std::vector<ColumnSpec> current,
                  QWidget *parent = nullptr);

    // The chosen columns: those already shown keep their order, new ones follow.
    std::vector<ColumnSpec> columns() const;

    QLineEdit *searchEdit() const { return m_search; }
    QTreeWidget *paramList() const { return m_params; }
    QTreeWidget *metricList() const { return m_metrics; }
    QTreeWidget *tagList() const { return m_tags; }

    void retranslateUi();

protected:
    void changeEvent(QEvent *event) override;

private:
    QTreeWidget *makeList(int checkColumns);
    void fill(QTreeWidget *list, const std::vector<std::string> &keys, ColumnSpec::Kind kind);
    void applySearch();
    void clearAll();
    void updateSummary();
    std::vector<ColumnSpec> checkedSpecs() const;

    std::vector<ColumnSpec> m_initial;
    QLineEdit *m_search = nullptr;
    QTabWidget *m_tabs = nullptr;
    QTreeWidget *m_params = nullptr;
    QTreeWidget *m_metrics = nullptr;
    QTreeWidget *m_tags = nullptr;
    QLabel *m_summary = nullptr;
    QPushButton *m_clear = nullptr;
    QDialogButtonBox *m_buttons = nullptr;
    bool m_filling = false;
};

} // namespace sightline
