// SPDX-License-Identifier: GPL-3.0-or-later
// Starting the workbench window (and `sightline render`, which needs a GUI application even
// without a display).
#pragma once

namespace sightline {

int runGui(int argc, char **argv);

} // namespace sightline
