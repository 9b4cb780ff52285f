/* Topics and their patterns (topic.h). */
#include "supervisor/daemon/broker/topic.h"

#include <string.h>

static bool topic_char(char c)
{
	return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || strchr("_.:/-", c);
}

static bool valid(const char *s, bool star)
{
	size_t n = s ? strlen(s) : 0;
	if (n == 0 || n > TOPIC_MAX)
		return false;
	if (star && s[n - 1] == '*')
		n--;
	for (size_t i = 0; i < n; i++)
		if (!s[i] || !topic_char(s[i]))
			return false;
	return true;
}

bool topic_valid(const char *topic) { return valid(topic, false); }
bool topic_pattern_valid(const char *pattern) { return valid(pattern, true); }

bool topic_match(const char *pattern, const char *topic)
{
	size_t n = strlen(pattern);
	if (n && pattern[n - 1] == '*')
		return strncmp(pattern, topic, n - 1) == 0;
	return strcmp(pattern, topic) == 0;
}

bool topic_match_any(char *const *patterns, const char *topic)
{
	for (size_t i = 0; patterns && patterns[i]; i++)
		if (topic_match(patterns[i], topic))
			return true;
	return false;
}

bool topic_pattern_within(const char *allowed, const char *pattern)
{
	size_t n = strlen(allowed);
	if (n && allowed[n - 1] == '*')
		return strncmp(allowed, pattern, n - 1) == 0; /* pattern's own '*' is part of its rest */
	return strcmp(allowed, pattern) == 0;
}

bool topic_pattern_within_any(char *const *allowed, const char *pattern)
{
	for (size_t i = 0; allowed && allowed[i]; i++)
		if (topic_pattern_within(allowed[i], pattern))
			return true;
	return false;
}
