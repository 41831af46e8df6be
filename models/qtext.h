// SPDX-License-Identifier: GPL-3.0-or-later
// Small conversions at the edge between core's UTF-8 std::string and Qt's QString, shared by
// the models, widgets and app layers.
#pragma once

#include <QDateTime>
#include <QString>

#include <cstdint>
#include <string>

namespace sightline {

inline QString qs(const std::string &s)
{
    return QString::fromUtf8(s.data(), static_cast<qsizetype>(s.size()));
}

// A UTC millisecond timestamp as local "yyyy-MM-dd HH:mm"; empty for 0 or less.
inline QString timeText(int64_t ms)
{
    if (ms <= 0)
        return {};
    return QDateTime::fromMSecsSinceEpoch(ms).toString(QStringLiteral("yyyy-MM-dd HH:mm"));
}

} // namespace sightline
