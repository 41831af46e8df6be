// SPDX-License-Identifier: GPL-3.0-or-later
// RunDetailsView: everything the cache knows about one run — attributes, metrics with their
// range, params, dataset inputs, tags — and links to its parent and child runs.
#pragma once

#include "store/store.h"

#include <QTextBrowser>

#include <optional>
#include <utility>
#include <vector>

namespace sightline {

class RunDetailsView : public QTextBrowser {
    Q_OBJECT

public:
    explicit RunDetailsView(QWidget *parent = nullptr);

    // `parent` and `children` may be empty; they are shown as links.
    void showRun(const RunRecord &record, const QString &experimentName,
                 const RunRecord *parent, const std::vector<const RunRecord *> &children);
    void clearRun();
    QString currentRunId() const;

    void retranslateUi();

signals:
    // A parent or child run link was clicked.
    void runLinkActivated(const QString &runId);

protected:
    void changeEvent(QEvent *event) override;
    // Copies without the invisible break opportunities inserted into long values.
    QMimeData *createMimeDataFromSelection() const override;

private:
    struct Shown {
        RunRecord record;
        QString experimentName;
        std::optional<std::pair<QString, QString>> parent; // id, name
        std::vector<std::pair<QString, QString>> children;
    };

    void render();

    std::optional<Shown> m_shown;
};

} // namespace sightline
