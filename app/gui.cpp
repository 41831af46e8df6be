// SPDX-License-Identifier: GPL-3.0-or-later
#include "gui.h"

#include "cli.h"
#include "demo/demoworkspace.h"
#include "mainwindow.h"
#include "mlflow/client.h"
#include "store/store.h"

#include <QApplication>
#include <QDir>
#include <QFileInfo>
#include <QIcon>
#include <QLocale>
#include <QTranslator>
#include <QMessageBox>
#include <QProgressDialog>
#include <QStandardPaths>

#include <iostream>

namespace sightline {

namespace {

// The demo workspace lives in the cache folder and is rebuilt when the generator changes.
constexpr int kDemoRevision = 4;

QString ensureDemoWorkspace(QString *error)
{
    const QString dir = QStandardPaths::writableLocation(QStandardPaths::CacheLocation);
    QDir().mkpath(dir);
    const QString path = dir + QStringLiteral("/demo.sqlite");
    if (QFileInfo::exists(path)) {
        auto store = Store::open(path.toStdString(), Store::Mode::ReadOnly);
        if (store && (*store)->meta("demo_revision") == std::to_string(kDemoRevision))
            return path;
    }
    QProgressDialog progress(QObject::tr("Building the demo workspace…"), QString(), 0, 100);
    progress.setWindowTitle(QObject::tr("Sightline"));
    progress.setMinimumDuration(300);
    auto result = writeDemoWorkspace(path.toStdString(), {}, [&](int percent) {
        progress.setValue(percent);
        QCoreApplication::processEvents(QEventLoop::ExcludeUserInputEvents);
    });
    if (!result) {
        *error = QString::fromStdString(result.error().message);
        return {};
    }
    auto store = Store::open(path.toStdString());
    if (store)
        (void)(*store)->setMeta("demo_revision", std::to_string(kDemoRevision));
    return path;
}

} // namespace

int runGui(int argc, char **argv)
{
    QStringList raw;
    for (int i = 0; i < argc; ++i)
        raw << QString::fromLocal8Bit(argv[i]);
    const bool render = raw.value(1) == QLatin1String("render");
    if (render && qEnvironmentVariableIsEmpty("QT_QPA_PLATFORM")
        && qEnvironmentVariableIsEmpty("DISPLAY") && qEnvironmentVariableIsEmpty("WAYLAND_DISPLAY"))
        qputenv("QT_QPA_PLATFORM", "offscreen");

    if (render) {
        // Rendering is a command: stderr carries only its own one-line errors.
        qInstallMessageHandler([](QtMsgType type, const QMessageLogContext &, const QString &msg) {
            if (type == QtCriticalMsg || type == QtFatalMsg)
                std::cerr << "sightline: " << msg.toStdString() << std::endl;
        });
    }
    QApplication app(argc, argv);
    QApplication::setApplicationName(QStringLiteral("Sightline"));
    QApplication::setOrganizationName(QStringLiteral("Sightline"));
    QApplication::setApplicationVersion(QStringLiteral("0.1.0"));
    // The user interface speaks the system language where a translation exists.
    auto *translator = new QTranslator(&app);
    if (translator->load(QLocale(), QStringLiteral("sightline"), QStringLiteral("_"),
                         QStringLiteral(":/i18n")))
        QApplication::installTranslator(translator);
    QApplication::setWindowIcon(QIcon(QStringLiteral(":/icons/sightline.svg")));
    QApplication::setDesktopFileName(QStringLiteral("sightline"));
    if (render)
        return runCli(QApplication::arguments());

    QString workspace;
    bool demo = false;
    const QStringList args = QApplication::arguments();
    for (int i = 1; i < args.size(); ++i) {
        if (args[i] == QLatin1String("--demo")) {
            demo = true;
        } else if (args[i] == QLatin1String("--workspace") && i + 1 < args.size()) {
            workspace = args[++i];
        } else if (args[i].startsWith(QLatin1String("--workspace="))) {
            workspace = args[i].mid(12);
        } else {
            std::cerr << "sightline: Unknown argument " << args[i].toStdString()
                      << " (see sightline --help)." << std::endl;
            return ExitUsage;
        }
    }
    std::optional<MlflowConnection> connection;
    if (demo) {
        QString error;
        workspace = ensureDemoWorkspace(&error);
        if (workspace.isEmpty()) {
            QMessageBox::critical(nullptr, QObject::tr("Sightline"), error);
            return ExitFailure;
        }
    } else {
        MlflowConnection env = MlflowConnection::fromEnvironment();
        if (!env.baseUrl.empty())
            connection = env;
        if (workspace.isEmpty())
            workspace = QString::fromStdString(defaultWorkspacePath("default"));
    }
    MainWindow window(workspace, connection);
    window.show();
    return app.exec();
}

} // namespace sightline
