// SPDX-License-Identifier: GPL-3.0-or-later
// Run colours shared by every part of the compare pane: a colour-blind-safe palette (after Okabe
// and Ito, and Paul Tol's muted scheme), assigned by a run's position in its comparison set so a
// run keeps its colour as long as the set keeps its order. Past the palette, the colours repeat
// darker and then lighter.
#pragma once

#include <QColor>

namespace sightline {

QColor runColor(int index);
// The colour faded towards the background, for raw curves under a smoothed one.
QColor fadedColor(const QColor &color, double strength = 0.3);
// For runs outside the brushed or selected subset.
QColor inactiveRunColor();

} // namespace sightline
