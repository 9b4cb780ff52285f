/* Broker topics and the patterns of Subscribe, Serve and the policy: a
 * topic is 1 to 255 bytes of [A-Za-z0-9_.:/-]; a pattern is a topic that
 * may end in "*", which matches any rest ("jobs/" then "*", or "*" alone). */
#pragma once
#include <stdbool.h>

#define TOPIC_MAX 255

bool topic_valid(const char *topic);
bool topic_pattern_valid(const char *pattern);
bool topic_match(const char *pattern, const char *topic);
/* Whether any of patterns (NULL-terminated; NULL: none) matches topic. */
bool topic_match_any(char *const *patterns, const char *topic);
/* Whether everything pattern matches, allowed matches too: "jobs/a" + "*" is
 * within "jobs/" + "*", not the other way round. */
bool topic_pattern_within(const char *allowed, const char *pattern);
bool topic_pattern_within_any(char *const *allowed, const char *pattern);
