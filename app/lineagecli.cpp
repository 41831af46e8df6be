// SPDX-License-Identifier: GPL-3.0-or-later
// sightline lineage: the lineage graph around a model version, a run or a dataset, from a
// workspace cache, as DOT, JSON or SVG on stdout.
#include "cliargs.h"
#include "lineage/export.h"
#include "lineage/graph.h"
#include "lineage/layout.h"
#include "store/store.h"

#include <QFileInfo>

#include <iostream>

namespace sightline {

bool isLineageCommand(const QString &command) { return command == QLatin1String("lineage"); }

int runLineageCommand(const QStringList &args)
{
    if (args.contains(QStringLiteral("--help")) || args.contains(QStringLiteral("-h"))) {
        std::cout << cliUsage().toStdString();
        return ExitOk;
    }
    const Args a = parseArgs(args, 2,
                             {QStringLiteral("workspace"), QStringLiteral("model"),
                              QStringLiteral("version"), QStringLiteral("run"),
                              QStringLiteral("dataset"), QStringLiteral("up"),
                              QStringLiteral("down"), QStringLiteral("format")},
                             {QStringLiteral("no-clusters")});
    if (!a.error.isEmpty())
        return fail(a.error, ExitUsage);
    if (!a.positional.isEmpty())
        return fail("Unexpected argument '" + a.positional.front() + "'.", ExitUsage);
    const QString workspace = a.value(QStringLiteral("workspace"));
    if (workspace.isEmpty())
        return fail("Give the workspace: sightline lineage --workspace FILE ...", ExitUsage);
    const int focusCount = (a.has(QStringLiteral("model")) || a.has(QStringLiteral("version")) ? 1 : 0)
                           + (a.has(QStringLiteral("run")) ? 1 : 0)
                           + (a.has(QStringLiteral("dataset")) ? 1 : 0);
    if (focusCount != 1)
        return fail("Give one focus: --model M --version V, --run ID or --dataset NAME[@DIGEST].",
                    ExitUsage);
    if (a.has(QStringLiteral("model")) != a.has(QStringLiteral("version")))
        return fail("--model and --version go together.", ExitUsage);
    const QString format = a.value(QStringLiteral("format"), QStringLiteral("json"));
    if (format != QLatin1String("dot") && format != QLatin1String("json")
        && format != QLatin1String("svg"))
        return fail("--format takes dot, json or svg.", ExitUsage);
    auto hops = [&](const QString &name, int &out) {
        if (!a.has(name))
            return true;
        bool ok = false;
        out = a.value(name).toInt(&ok);
        return ok && out >= 0 && out <= 100;
    };
    int up = 1, down = 1;
    if (!hops(QStringLiteral("up"), up) || !hops(QStringLiteral("down"), down))
        return fail("--up and --down take a number of hops from 0 to 100.", ExitUsage);

    if (!QFileInfo::exists(workspace))
        return fail("The workspace " + workspace + " does not exist.", ExitUsage);
    auto store = Store::open(workspace.toStdString(), Store::Mode::ReadOnly);
    if (!store)
        return fail(store.error().message, ExitUsage);
    const lineage::Graph graph = lineage::buildGraph(**store);

    int focus = -1;
    QString what;
    if (a.has(QStringLiteral("run"))) {
        what = "run " + a.value(QStringLiteral("run"));
        focus = graph.find(lineage::runKey(a.value(QStringLiteral("run")).toStdString()));
        if (focus >= 0 && graph.node(focus).missing)
            focus = -1;
    } else if (a.has(QStringLiteral("dataset"))) {
        what = "dataset " + a.value(QStringLiteral("dataset"));
        focus = lineage::findDataset(graph, a.value(QStringLiteral("dataset")).toStdString());
    } else {
        what = "version " + a.value(QStringLiteral("version")) + " of model "
               + a.value(QStringLiteral("model"));
        focus = graph.find(lineage::versionKey(a.value(QStringLiteral("model")).toStdString(),
                                               a.value(QStringLiteral("version")).toStdString()));
    }
    if (focus < 0)
        return fail("The workspace has no " + what + ".", ExitUsage);

    lineage::View view(graph, focus, up, down);
    const lineage::VisibleGraph visible = view.visible(a.has(QStringLiteral("no-clusters")) ? 0 : 5);
    const std::string focusKey = graph.node(focus).key;
    if (format == QLatin1String("dot")) {
        std::cout << lineage::toDot(graph, visible);
    } else if (format == QLatin1String("json")) {
        std::cout << lineage::toJson(graph, visible, focusKey);
    } else {
        auto layout = lineage::layoutGraph(visible);
        if (!layout)
            return fail(layout.error().message);
        std::cout << lineage::toSvg(graph, visible, *layout, focusKey);
    }
    std::cout.flush();
    if (!std::cout)
        return fail("Could not write the graph.");
    return ExitOk;
}

} // namespace sightline
