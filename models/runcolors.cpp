// SPDX-License-Identifier: GPL-3.0-or-later
#include "runcolors.h"

#include <array>

namespace sightline {

QColor runColor(int index)
{
    static constexpr std::array<QRgb, 12> palette = {
        0x0072B2, 0xE69F00, 0x009E73, 0xD55E00, 0xCC79A7, 0x56B4E9,
        0x882255, 0x117733, 0x332288, 0x999933, 0xAA4499, 0x44AA99,
    };
    if (index < 0)
        index = 0;
    QColor c = QColor::fromRgb(palette[static_cast<size_t>(index) % palette.size()]);
    switch ((index / static_cast<int>(palette.size())) % 3) {
    case 1: return c.darker(150);
    case 2: return c.lighter(130);
    default: return c;
    }
}

QColor fadedColor(const QColor &color, double strength)
{
    const double s = qBound(0.0, strength, 1.0);
    auto mix = [s](int channel) { return static_cast<int>(channel * s + 255 * (1.0 - s)); };
    return QColor(mix(color.red()), mix(color.green()), mix(color.blue()));
}

QColor inactiveRunColor()
{
    return QColor(0xcc, 0xcc, 0xcc);
}

} // namespace sightline
