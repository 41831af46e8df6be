// SPDX-License-Identifier: GPL-3.0-or-later
#include "rundetailsview.h"
#include "qtext.h"

#include "runtablemodel.h"

#include <QEvent>
#include <QMimeData>
#include <QTextDocumentFragment>
#include <QUrl>

#include <algorithm>

namespace sightline {

namespace {

constexpr int kMaxChildrenShown = 200;
constexpr QChar kBreak(0x200B); // zero-width space: lets long tokens wrap
constexpr QLatin1StringView kTable("<table cellspacing='0'>");

// Server text as literal HTML: escaped, with break opportunities in long unbroken runs so a
// 600-character param wraps instead of widening the panel.
QString esc(const QString &text)
{
    QString broken;
    broken.reserve(text.size() + text.size() / 40);
    int run = 0;
    for (QChar c : text) {
        broken += c;
        run = c.isSpace() ? 0 : run + 1;
        if (run >= 40) {
            broken += kBreak;
            run = 0;
        }
    }
    return broken.toHtmlEscaped();
}

QString esc(const std::string &text)
{
    return esc(qs(text));
}

QString runLink(const QString &id, const QString &name)
{
    QUrl url;
    url.setScheme(QStringLiteral("run"));
    url.setPath(id);
    return QStringLiteral("<a href=\"%1\">%2</a>")
        .arg(url.toString(QUrl::FullyEncoded).toHtmlEscaped(), esc(name.isEmpty() ? id : name));
}

QString row(const QString &key, const QString &valueHtml)
{
    return QStringLiteral("<tr><td class='k'>%1</td><td>%2</td></tr>").arg(key, valueHtml);
}

bool isSystemTag(const std::string &key)
{
    return key.rfind("mlflow.", 0) == 0;
}

} // namespace

RunDetailsView::RunDetailsView(QWidget *parent) : QTextBrowser(parent)
{
    setOpenLinks(false);
    setOpenExternalLinks(false);
    setFrameShape(QFrame::NoFrame);
    document()->setDocumentMargin(10);
    document()->setDefaultStyleSheet(QStringLiteral(
        "h2 { margin: 0; font-size: large; }"
        "h4 { margin-top: 14px; margin-bottom: 4px; }"
        "td { padding: 1px 10px 1px 0; vertical-align: top; }"
        "th { padding: 1px 10px 1px 0; text-align: left; font-weight: normal; color: #707070;"
        " white-space: nowrap; }"
        "td.k { color: #505050; }"
        "td.n { text-align: right; white-space: nowrap; }"
        "th.n { text-align: right; }"
        ".muted { color: #707070; }"
        "p.id { font-family: monospace; font-size: small; color: #707070; margin-top: 0; }"
        "td.sub { color: #707070; font-size: small; padding-bottom: 4px; }"));
    connect(this, &QTextBrowser::anchorClicked, this, [this](const QUrl &url) {
        if (url.scheme() == QLatin1String("run") && !url.path().isEmpty())
            emit runLinkActivated(url.path());
    });
    retranslateUi();
}

void RunDetailsView::showRun(const RunRecord &record, const QString &experimentName,
                             const RunRecord *parent,
                             const std::vector<const RunRecord *> &children)
{
    Shown shown{record, experimentName, std::nullopt, {}};
    if (parent)
        shown.parent = std::make_pair(qs(parent->run.runId), qs(parent->run.runName));
    else if (std::string id = record.run.parentRunId(); !id.empty())
        shown.parent = std::make_pair(qs(id), QString());
    shown.children.reserve(children.size());
    for (const RunRecord *child : children)
        shown.children.emplace_back(qs(child->run.runId), qs(child->run.runName));
    m_shown = std::move(shown);
    render();
}

void RunDetailsView::clearRun()
{
    m_shown.reset();
    render();
}

QString RunDetailsView::currentRunId() const
{
    return m_shown ? qs(m_shown->record.run.runId) : QString();
}

void RunDetailsView::retranslateUi()
{
    render();
}

void RunDetailsView::changeEvent(QEvent *event)
{
    if (event->type() == QEvent::LanguageChange)
        retranslateUi();
    QTextBrowser::changeEvent(event);
}

QMimeData *RunDetailsView::createMimeDataFromSelection() const
{
    auto *mime = new QMimeData;
    QString text = textCursor().selection().toPlainText();
    text.remove(kBreak);
    mime->setText(text);
    return mime;
}

void RunDetailsView::render()
{
    if (!m_shown) {
        setHtml(QStringLiteral("<p class='muted'>%1</p>")
                    .arg(tr("Select a run to see its parameters, metrics, datasets and tags.")
                             .toHtmlEscaped()));
        return;
    }
    const RunRecord &record = m_shown->record;
    const Run &run = record.run;
    QString html;
    html += QStringLiteral("<h2>%1</h2>").arg(esc(run.runName.empty() ? run.runId : run.runName));
    html += QStringLiteral("<p><span style='color:%1'>%2</span>"
                           " <span class='muted'>· %3</span></p>")
                .arg(RunTableModel::statusColor(run.status).name(),
                     RunTableModel::statusText(run.status).toHtmlEscaped(),
                     esc(m_shown->experimentName));

    // The run ID on a line of its own: 32 characters that must not wrap.
    html += QStringLiteral("<p class='id'>%1</p>").arg(esc(run.runId));
    html += QString(kTable);
    if (!run.userId.empty())
        html += row(tr("User"), esc(run.userId));
    if (run.startTime > 0)
        html += row(tr("Started"), RunTableModel::formatTime(run.startTime).toHtmlEscaped());
    if (run.endTime > 0)
        html += row(tr("Ended"), RunTableModel::formatTime(run.endTime).toHtmlEscaped());
    if (run.startTime > 0 && run.endTime >= run.startTime)
        html += row(tr("Duration"),
                    RunTableModel::formatDuration(run.endTime - run.startTime).toHtmlEscaped());
    if (run.lifecycleStage == "deleted")
        html += row(tr("Lifecycle"), tr("Deleted").toHtmlEscaped());
    if (!run.artifactUri.empty())
        html += row(tr("Artifacts"), esc(run.artifactUri));
    if (m_shown->parent)
        html += row(tr("Parent run"), runLink(m_shown->parent->first, m_shown->parent->second));
    html += QStringLiteral("</table>");

    if (!m_shown->children.empty()) {
        html += QStringLiteral("<h4>%1</h4><p>")
                    .arg(tr("Child runs (%1)").arg(m_shown->children.size()).toHtmlEscaped());
        QStringList links;
        const int shown = std::min<int>(kMaxChildrenShown,
                                        static_cast<int>(m_shown->children.size()));
        for (int i = 0; i < shown; ++i)
            links << runLink(m_shown->children[static_cast<size_t>(i)].first,
                             m_shown->children[static_cast<size_t>(i)].second);
        html += links.join(QStringLiteral(", "));
        if (shown < static_cast<int>(m_shown->children.size()))
            html += QStringLiteral(" <span class='muted'>%1</span>")
                        .arg(tr("and %1 more").arg(m_shown->children.size() - shown)
                                 .toHtmlEscaped());
        html += QStringLiteral("</p>");
    }

    // Metrics: latest value, and the range and last step where the history is cached.
    std::vector<const Metric *> metrics;
    for (const Metric &m : run.metrics)
        metrics.push_back(&m);
    std::sort(metrics.begin(), metrics.end(),
              [](const Metric *a, const Metric *b) { return a->key < b->key; });
    if (!metrics.empty()) {
        // Two lines a metric, so four numbers fit a narrow panel: the latest value beside the
        // key, then the range over the history and the last step.
        html += QStringLiteral("<h4>%1</h4><table cellspacing='0' width='100%'>")
                    .arg(tr("Metrics (%1)").arg(metrics.size()).toHtmlEscaped());
        for (const Metric *m : metrics) {
            QString detail = tr("step %1").arg(m->step);
            auto it = record.summaries.find(m->key);
            if (it != record.summaries.end() && it->second.hasHistory)
                detail = tr("min %1 · max %2 · step %3")
                             .arg(RunTableModel::formatNumber(it->second.min),
                                  RunTableModel::formatNumber(it->second.max))
                             .arg(m->step);
            html += QStringLiteral("<tr><td class='k'>%1</td><td class='n'><b>%2</b></td></tr>"
                                   "<tr><td colspan='2' class='sub'>%3</td></tr>")
                        .arg(esc(m->key), RunTableModel::formatNumber(m->value).toHtmlEscaped(),
                             detail.toHtmlEscaped());
        }
        html += QStringLiteral("</table>");
    }

    auto keyValues = [&html](const QString &title, std::vector<const KeyValue *> list) {
        if (list.empty())
            return;
        std::sort(list.begin(), list.end(),
                  [](const KeyValue *a, const KeyValue *b) { return a->key < b->key; });
        html += (QStringLiteral("<h4>%1</h4>") + kTable).arg(title.toHtmlEscaped());
        for (const KeyValue *kv : list)
            html += row(esc(kv->key), esc(kv->value));
        html += QStringLiteral("</table>");
    };
    std::vector<const KeyValue *> params;
    for (const KeyValue &kv : run.params)
        params.push_back(&kv);
    keyValues(tr("Parameters (%1)").arg(params.size()), params);

    if (!run.inputs.empty()) {
        html += (QStringLiteral("<h4>%1</h4>") + kTable)
                    .arg(tr("Datasets (%1)").arg(run.inputs.size()).toHtmlEscaped());
        for (const DatasetInput &d : run.inputs) {
            QString what = QStringLiteral("<b>%1</b>").arg(esc(d.name));
            if (!d.digest.empty())
                what += QStringLiteral(" <span class='muted'>%1</span>")
                            .arg(esc(tr("digest %1").arg(qs(d.digest))));
            if (!d.context.empty())
                what += QStringLiteral(" · %1").arg(esc(d.context));
            html += QStringLiteral("<tr><td colspan='2'>%1</td></tr>").arg(what);
            if (!d.sourceType.empty() || !d.source.empty())
                html += row(tr("Source"), esc((d.sourceType.empty() ? QString()
                                                                     : qs(d.sourceType) + ": ")
                                              + qs(d.source)));
        }
        html += QStringLiteral("</table>");
    }

    std::vector<const KeyValue *> tags;
    std::vector<const KeyValue *> systemTags;
    for (const KeyValue &kv : run.tags)
        (isSystemTag(kv.key) ? systemTags : tags).push_back(&kv);
    keyValues(tr("Tags (%1)").arg(tags.size()), tags);
    keyValues(tr("System tags (%1)").arg(systemTags.size()), systemTags);

    setHtml(html);
}

} // namespace sightline
