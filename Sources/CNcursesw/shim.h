#ifndef AOFTOP_CNCURSESW_SHIM_H
#define AOFTOP_CNCURSESW_SHIM_H
// Wide-character ncurses: must be defined before the header so cchar_t and setcchar are declared.
#define NCURSES_WIDECHAR 1
#include <locale.h>
#include <ncursesw/curses.h>
#include <ncursesw/term.h>
#include <stdio.h>
#include <wchar.h>

// wchar.h declares wcwidth only under _XOPEN_SOURCE, which Swift's Glibc module does not define.
extern int wcwidth(wchar_t c);
static inline int aoftop_wcwidth(wchar_t c) { return wcwidth(c); }

// C globals read through functions: Swift 6 rejects direct access to mutable globals.
static inline WINDOW *aoftop_stdscr(void) { return stdscr; }
static inline WINDOW *aoftop_curscr(void) { return curscr; }
static inline FILE *aoftop_stdin(void) { return stdin; }
static inline FILE *aoftop_stdout(void) { return stdout; }

// Attribute macros are invisible to Swift; these wrappers make them callable.
static inline attr_t aoftop_a_normal(void) { return A_NORMAL; }
static inline attr_t aoftop_a_bold(void) { return A_BOLD; }
static inline attr_t aoftop_a_dim(void) { return A_DIM; }
static inline attr_t aoftop_a_reverse(void) { return A_REVERSE; }
static inline attr_t aoftop_a_underline(void) { return A_UNDERLINE; }
static inline attr_t aoftop_color_pair(short n) { return COLOR_PAIR(n); }
#endif
