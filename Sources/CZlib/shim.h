#ifndef AOFTOP_CZLIB_SHIM_H
#define AOFTOP_CZLIB_SHIM_H
#include <zlib.h>
#endif
