// SPDX-License-Identifier: GPL-3.0-or-later
// The command line of the sightline binary: demo, sync, runs, render, drift and the approval
// commands. Errors are one line on
// stderr and a non-zero exit code.
#pragma once

#include <QStringList>

namespace sightline {

// Exit codes shared by every command.
enum ExitCode { ExitOk = 0, ExitFailure = 1, ExitUsage = 2 };

bool isCliCommand(const QString &firstArgument);
// Runs the command named by args[1]; needs a Q(Core|Gui)Application for render only.
int runCli(const QStringList &args);
QString cliUsage();

// gate, promote, approve, reject, rollback, audit (approvalcli.cpp).
bool isApprovalCommand(const QString &command);
int runApprovalCommand(const QStringList &args);

// lineage (lineagecli.cpp).
bool isLineageCommand(const QString &command);
int runLineageCommand(const QStringList &args);

} // namespace sightline
