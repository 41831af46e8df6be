// SPDX-License-Identifier: GPL-3.0-or-later
// Built with core's include paths and link interface only: it must NOT compile, which proves
// core cannot reach QtWidgets. The test that builds it expects failure.
#include <QWidget>

int sightlineLayeringProbe()
{
    return sizeof(QWidget);
}
