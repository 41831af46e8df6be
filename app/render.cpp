// SPDX-License-Identifier: GPL-3.0-or-later
// `sightline render`: draws a pane of a workspace offscreen to a PNG, for reports, CI and docs.
#include "approvalpane.h"
#include "cli.h"
#include "comparepane.h"
#include "lineagepane.h"
#include "lineageview.h"
#include "mainwindow.h"
#include "registrymodel.h"
#include "runspane.h"

#include <QApplication>
#include <QFileInfo>
#include <QImage>
#include <QLineEdit>
#include <QPixmap>
#include <QSettings>
#include <QTemporaryDir>
#include <QElapsedTimer>
#include <QThread>

#include <iostream>

namespace sightline {

namespace {

// Lets queued work (debounced filters, background loads) finish before the grab.
void pumpEvents(int ms)
{
    QElapsedTimer t;
    t.start();
    do {
        QApplication::processEvents(QEventLoop::AllEvents, 20);
        QThread::msleep(5);
    } while (t.elapsed() < ms);
}

} // namespace

int renderCommand(const QStringList &args)
{
    QString workspace, pane = QStringLiteral("runs"), out, size = QStringLiteral("1400x900"),
                       filter, setName, tab, model, version, run, dataset, up, down;
    for (int i = 2; i < args.size(); ++i) {
        const QString a = args[i];
        auto next = [&](QString &target) {
            if (i + 1 >= args.size())
                return false;
            target = args[++i];
            return true;
        };
        bool ok = true;
        if (a == QLatin1String("--workspace"))
            ok = next(workspace);
        else if (a == QLatin1String("--pane"))
            ok = next(pane);
        else if (a == QLatin1String("--out"))
            ok = next(out);
        else if (a == QLatin1String("--size"))
            ok = next(size);
        else if (a == QLatin1String("--filter"))
            ok = next(filter);
        else if (a == QLatin1String("--set"))
            ok = next(setName);
        else if (a == QLatin1String("--tab"))
            ok = next(tab);
        else if (a == QLatin1String("--model"))
            ok = next(model);
        else if (a == QLatin1String("--version"))
            ok = next(version);
        else if (a == QLatin1String("--run"))
            ok = next(run);
        else if (a == QLatin1String("--dataset"))
            ok = next(dataset);
        else if (a == QLatin1String("--up"))
            ok = next(up);
        else if (a == QLatin1String("--down"))
            ok = next(down);
        else {
            std::cerr << "sightline: Unknown option " << a.toStdString() << "." << std::endl;
            return ExitUsage;
        }
        if (!ok) {
            std::cerr << "sightline: Option " << a.toStdString() << " needs a value." << std::endl;
            return ExitUsage;
        }
    }
    if (workspace.isEmpty() || out.isEmpty()) {
        std::cerr << "sightline: render needs --workspace FILE and --out FILE.png." << std::endl;
        return ExitUsage;
    }
    const bool isLineage = pane == QLatin1String("lineage");
    if (pane != QLatin1String("runs") && pane != QLatin1String("compare")
        && pane != QLatin1String("approval") && !isLineage) {
        std::cerr << "sightline: Unknown pane '" << pane.toStdString()
                  << "': the panes that can be rendered are: runs, compare, approval, lineage."
                  << std::endl;
        return ExitUsage;
    }
    if (!model.isEmpty() && pane != QLatin1String("approval") && !isLineage) {
        std::cerr << "sightline: --model is for --pane approval or lineage." << std::endl;
        return ExitUsage;
    }
    if (!isLineage && !(version + run + dataset + up + down).isEmpty()) {
        std::cerr << "sightline: --version, --run, --dataset, --up and --down are for --pane "
                     "lineage."
                  << std::endl;
        return ExitUsage;
    }
    int upHops = 1, downHops = 1;
    if (isLineage) {
        const int foci = (model.isEmpty() && version.isEmpty() ? 0 : 1) + (run.isEmpty() ? 0 : 1)
                         + (dataset.isEmpty() ? 0 : 1);
        if (foci > 1 || model.isEmpty() != version.isEmpty()) {
            std::cerr << "sightline: Give at most one focus: --model M --version V, --run ID or "
                         "--dataset NAME[@DIGEST]."
                      << std::endl;
            return ExitUsage;
        }
        auto hops = [](const QString &text, int &out) {
            if (text.isEmpty())
                return true;
            bool ok = false;
            out = text.toInt(&ok);
            return ok && out >= 0 && out <= 20;
        };
        if (!hops(up, upHops) || !hops(down, downHops)) {
            std::cerr << "sightline: --up and --down take a number of hops from 0 to 20."
                      << std::endl;
            return ExitUsage;
        }
    }
    const QStringList tabs{QStringLiteral("charts"), QStringLiteral("parallel"),
                           QStringLiteral("scatter"), QStringLiteral("diff")};
    if (pane == QLatin1String("compare") && setName.isEmpty()) {
        std::cerr << "sightline: render --pane compare needs --set NAME (a saved comparison set)."
                  << std::endl;
        return ExitUsage;
    }
    if (!tab.isEmpty() && !tabs.contains(tab)) {
        std::cerr << "sightline: --tab takes one of: charts, parallel, scatter, diff." << std::endl;
        return ExitUsage;
    }
    const QStringList wh = size.split(QLatin1Char('x'));
    bool okW = false, okH = false;
    const int w = wh.value(0).toInt(&okW), h = wh.value(1).toInt(&okH);
    if (wh.size() != 2 || !okW || !okH || w < 200 || h < 150 || w > 8000 || h > 8000) {
        std::cerr << "sightline: --size takes WIDTHxHEIGHT, e.g. 1400x900." << std::endl;
        return ExitUsage;
    }
    if (!QFileInfo::exists(workspace)) {
        std::cerr << "sightline: No workspace file at " << workspace.toStdString() << "."
                  << std::endl;
        return ExitFailure;
    }
    // Rendering must not read or change the user's remembered layout.
    QTemporaryDir settingsDir;
    QSettings::setDefaultFormat(QSettings::IniFormat);
    QSettings::setPath(QSettings::IniFormat, QSettings::UserScope, settingsDir.path());

    MainWindow window(workspace, std::nullopt);
    window.resize(w, h);
    window.show();
    pumpEvents(50);
    if (!window.loadError().isEmpty()) {
        std::cerr << "sightline: " << window.loadError().toStdString() << std::endl;
        return ExitFailure;
    }
    if (!filter.isEmpty()) {
        window.runsPane()->filterEdit()->setText(filter);
        pumpEvents(300);
    }
    if (pane == QLatin1String("compare")) {
        ComparePane *compare = window.comparePane();
        compare->setSynchronousLoading(true);
        window.showComparePane();
        compare->showTab(static_cast<ComparePane::Tab>(std::max<int>(0, tabs.indexOf(tab))));
        pumpEvents(50);
        QString error;
        if (!compare->openSetByName(setName, &error)) {
            std::cerr << "sightline: " << error.toStdString() << std::endl;
            return ExitFailure;
        }
        pumpEvents(200);
    }
    if (pane == QLatin1String("approval")) {
        ApprovalPane *approval = window.approvalPane();
        window.showApprovalPane();
        pumpEvents(50);
        if (!model.isEmpty() && !approval->selectModel(model)) {
            std::cerr << "sightline: The workspace has no registered model '"
                      << model.toStdString() << "'." << std::endl;
            return ExitFailure;
        }
        // A pending request when there is one (of the model, when given), else the model's
        // newest version, else the first model.
        if (!approval->selectFirstPendingRequest(model)) {
            const QString first = model.isEmpty()
                ? approval->registryModel()->index(0, 0).data().toString()
                : model;
            approval->selectModel(first);
            const QModelIndex m = approval->registryModel()->indexOfModel(first.toStdString());
            if (approval->registryModel()->rowCount(m) > 0)
                approval->selectVersion(
                    first, approval->registryModel()
                               ->index(0, 0, m)
                               .data(RegistryModel::VersionRole)
                               .toString());
        }
        pumpEvents(100);
    }
    if (isLineage) {
        LineagePane *lp = window.lineagePane();
        window.showLineagePane();
        pumpEvents(50);
        lp->setHops(upHops, downHops);
        QString key, what;
        if (!run.isEmpty()) {
            key = QStringLiteral("run:") + run;
            what = QStringLiteral("run ") + run;
        } else if (!dataset.isEmpty()) {
            const int d = lineage::findDataset(lp->graph(), dataset.toStdString());
            key = d >= 0 ? QString::fromStdString(lp->graph().node(d).key) : QString();
            what = QStringLiteral("dataset ") + dataset;
        } else if (!model.isEmpty()) {
            key = QString::fromStdString(lineage::versionKey(model.toStdString(),
                                                             version.toStdString()));
            what = QStringLiteral("version %1 of model %2").arg(version, model);
        }
        if (!key.isEmpty() && !lp->setFocusKey(key)) {
            std::cerr << "sightline: The workspace has no " << what.toStdString() << "."
                      << std::endl;
            return ExitFailure;
        }
        if (key.isEmpty() && lp->focusKey().isEmpty()) {
            std::cerr << "sightline: The workspace has no lineage to draw." << std::endl;
            return ExitFailure;
        }
        lp->view()->selectNode(lp->focusKey(), false);
        lp->view()->fitAll();
        pumpEvents(100);
    }
    QApplication::processEvents();
    QImage image = window.grab().toImage();
    if (!image.save(out)) {
        std::cerr << "sightline: Cannot write " << out.toStdString() << "." << std::endl;
        return ExitFailure;
    }
    std::cout << "Wrote " << out.toStdString() << " (" << image.width() << "x" << image.height()
              << ")." << std::endl;
    return ExitOk;
}

} // namespace sightline
