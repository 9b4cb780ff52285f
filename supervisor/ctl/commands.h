/* commands.c: Every corralctl command, found by the words that name it. */
#pragma once
#include "supervisor/ctl/ctl.h"

/* The command argv starts with (one word, or two: "image ls", "rmi" as
 * "image rm"), and in *words how many words named it; NULL if none. */
const ctl_cmd *ctl_find_cmd(int argc, char **argv, int *words);
/* The commands of the group word ("image": "history, import, ...") added
 * to out; how many (0: word names no group), or -ENOMEM. */
int ctl_group_commands(const char *word, strbuf *out);
/* Whether c also goes by "container VERB", as in podman. */
bool ctl_is_container_verb(const ctl_cmd *c);
/* The command list, for corralctl --help. */
void ctl_help_commands(FILE *f);
