/* Logging to stderr or a file, as text or JSON lines (runc's --log-format). */
#pragma once
#include <stdbool.h>
#include "common/error.h"

enum log_level { LOG_LVL_ERROR, LOG_LVL_WARN, LOG_LVL_INFO, LOG_LVL_DEBUG };

void log_set_level(enum log_level lvl);
enum log_level log_get_level(void);
void log_set_json(bool json);
void log_set_prog(const char *prog);
/* Redirect to a file, opened (O_APPEND) at the first line logged, so that a
 * quiet process leaves no file; returns 0 or -errno. */
int log_set_file(const char *path);
void log_msg(enum log_level lvl, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
/* Log "FMT: <err's message>" (the message alone when fmt is NULL) at lvl,
 * then clear err: the one call for an error handled by logging it. */
void log_cerr(enum log_level lvl, cerr *err, const char *fmt, ...) __attribute__((format(printf, 3, 4)));

#define log_error(...) log_msg(LOG_LVL_ERROR, __VA_ARGS__)
#define log_warn(...) log_msg(LOG_LVL_WARN, __VA_ARGS__)
#define log_info(...) log_msg(LOG_LVL_INFO, __VA_ARGS__)
#define log_debug(...) \
	do { if (log_get_level() >= LOG_LVL_DEBUG) log_msg(LOG_LVL_DEBUG, __VA_ARGS__); } while (0)
