// SPDX-License-Identifier: GPL-3.0-or-later
#include "mlflow/entities.h"

namespace sightline {

std::string Run::parentRunId() const
{
    const std::string *p = tag("mlflow.parentRunId");
    return p ? *p : std::string();
}

const std::string *Run::tag(const std::string &key) const
{
    for (const auto &t : tags)
        if (t.key == key)
            return &t.value;
    return nullptr;
}

const std::string *Run::param(const std::string &key) const
{
    for (const auto &p : params)
        if (p.key == key)
            return &p.value;
    return nullptr;
}

const Metric *Run::metric(const std::string &key) const
{
    for (const auto &m : metrics)
        if (m.key == key)
            return &m;
    return nullptr;
}

} // namespace sightline
