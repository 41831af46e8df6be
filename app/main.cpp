// SPDX-License-Identifier: GPL-3.0-or-later
// The sightline binary: the command line when the first argument names a command, the GUI
// otherwise.
#include "cli.h"
#include "gui.h"

#include <QCoreApplication>

int main(int argc, char **argv)
{
    const QString first = argc > 1 ? QString::fromLocal8Bit(argv[1]) : QString();
    if (sightline::isCliCommand(first) && first != QLatin1String("render")) {
        QCoreApplication app(argc, argv);
        QCoreApplication::setApplicationName(QStringLiteral("Sightline"));
        QCoreApplication::setOrganizationName(QStringLiteral("Sightline"));
        return sightline::runCli(QCoreApplication::arguments());
    }
    return sightline::runGui(argc, argv);
}
