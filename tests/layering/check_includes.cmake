# SPDX-License-Identifier: GPL-3.0-or-later
# Fails when a file under DIR includes a QtGui or QtWidgets header.
file(GLOB_RECURSE sources "${DIR}/*.h" "${DIR}/*.cpp")
set(bad "")
foreach(f ${sources})
    file(STRINGS "${f}" lines REGEX "#[ \t]*include[ \t]*<(QtGui|QtWidgets|QWidget|QPainter|QImage|QPixmap|QColor|QFont|QApplication|QGuiApplication)")
    if(lines)
        list(APPEND bad "${f}: ${lines}")
    endif()
endforeach()
if(bad)
    message(FATAL_ERROR "core must not use QtGui or QtWidgets:\n${bad}")
endif()
