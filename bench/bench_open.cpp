// SPDX-License-Identifier: GPL-3.0-or-later
// open.10k: from constructing the main window on a 10,000-run workspace to the first painted
// runs table, against reading the same runs from the cache alone (the floor any UI has to pay).
#include "benchutil.h"

#include "mainwindow.h"
#include "runspane.h"
#include "store/store.h"

#include <QAbstractItemModel>
#include <QApplication>
#include <QElapsedTimer>
#include <QSettings>
#include <QTableView>
#include <QTemporaryDir>
#include <QThread>

#include <cmath>
#include <filesystem>

using namespace sightline;
using namespace sightline::bench;

namespace {

void writeWorkspace(const std::string &path, int runs)
{
    for (const char *s : {"", "-wal", "-shm"})
        std::filesystem::remove(path + s);
    auto store = Store::open(path);
    if (!store)
        std::exit(1);
    (void)(*store)->begin();
    Experiment e;
    e.experimentId = "1";
    e.name = "bench";
    (void)(*store)->upsertExperiment(e);
    const char *opts[] = {"adam", "sgd", "adamw"};
    for (int i = 0; i < runs; ++i) {
        Run r;
        r.runId = "run" + std::to_string(1000000 + i);
        r.experimentId = "1";
        r.runName = "trial-" + std::to_string(i);
        r.status = i % 17 ? "FINISHED" : "FAILED";
        r.lifecycleStage = "active";
        r.startTime = 1795000000000 + int64_t(i) * 60000;
        r.endTime = r.startTime + 3600000;
        r.params = {{"optimizer", opts[i % 3]}, {"learning_rate", std::to_string(1e-4 * (1 + i % 30))},
                    {"batch_size", std::to_string(32 << (i % 3))}, {"depth", std::to_string(i % 50)},
                    {"dropout", std::to_string(0.1 * (i % 5))}, {"seed", std::to_string(i)}};
        r.tags = {{"mlflow.runName", r.runName}, {"team", i % 2 ? "vision" : "nlp"},
                  {"mlflow.user", "ana"}};
        r.metrics = {{"val_loss", 0.2 + std::fmod(i * 0.618, 1.0), r.endTime, 100},
                     {"val_accuracy", 0.5 + 0.4 * std::fmod(i * 0.414, 1.0), r.endTime, 100},
                     {"train_loss", 0.1 + std::fmod(i * 0.732, 1.0), r.endTime, 100}};
        (void)(*store)->upsertRun(r);
    }
    (void)(*store)->commit();
}

// Waits for the first paint of the table's viewport after it has rows.
class PaintProbe : public QObject {
public:
    bool painted = false;
    QAbstractItemModel *model = nullptr;
    bool eventFilter(QObject *o, QEvent *e) override
    {
        if (e->type() == QEvent::Paint && model && model->rowCount() > 0)
            painted = true;
        return QObject::eventFilter(o, e);
    }
};

} // namespace

int main(int argc, char **argv)
{
    qputenv("QT_QPA_PLATFORM", qgetenv("QT_QPA_PLATFORM").isEmpty() ? "offscreen"
                                                                      : qgetenv("QT_QPA_PLATFORM"));
    QApplication app(argc, argv);
    QTemporaryDir settings;
    QSettings::setDefaultFormat(QSettings::IniFormat);
    QSettings::setPath(QSettings::IniFormat, QSettings::UserScope, settings.path());
    const std::string ws = (std::filesystem::temp_directory_path() / "sightline-bench-open.sqlite").string();
    writeWorkspace(ws, 10000);

    std::vector<double> readTimes, openTimes;
    for (int round = 0; round < 5; ++round) {
        double t0 = nowSeconds();
        {
            auto store = Store::open(ws, Store::Mode::ReadOnly);
            auto records = (*store)->runRecords();
            if (records.size() != 10000)
                return 1;
        }
        readTimes.push_back(nowSeconds() - t0);

        t0 = nowSeconds();
        auto *window = new MainWindow(QString::fromStdString(ws), std::nullopt);
        PaintProbe probe;
        probe.model = window->runsPane()->table()->model();
        window->runsPane()->table()->viewport()->installEventFilter(&probe);
        window->resize(1400, 900);
        window->show();
        QElapsedTimer guard;
        guard.start();
        while (!probe.painted && guard.elapsed() < 20000) {
            probe.model = window->runsPane()->table()->model();
            QApplication::processEvents(QEventLoop::AllEvents, 5);
            if (!probe.painted && probe.model && probe.model->rowCount() > 0)
                window->runsPane()->table()->viewport()->update();
        }
        openTimes.push_back(nowSeconds() - t0);
        if (!probe.painted || probe.model->rowCount() != 10000) {
            std::cerr << "the runs table never showed 10,000 runs" << std::endl;
            return 1;
        }
        delete window;
        QApplication::processEvents();
    }
    figure("open.10k.seconds", percentile(openTimes, 0.5), "s",
           "median of 5: main window constructed to first painted table of 10,000 runs", "< 1");
    figure("open.10k.read_only_seconds", percentile(readTimes, 0.5), "s",
           "reading the same 10,000 runs from the cache without any UI");
    for (const char *s : {"", "-wal", "-shm"})
        std::filesystem::remove(ws + s);
    return 0;
}
