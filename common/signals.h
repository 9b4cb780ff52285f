/* Signal names and numbers, as kill(1), runc and Docker's ParseSignal take
 * them. */
#pragma once

/* "KILL", "SIGKILL", "kill" or "9"; the real-time ones as "RTMIN+3",
 * "SIGRTMAX-1" (systemd's SIGRTMIN+3 stops it). The signal, or -EINVAL. */
int signal_parse(const char *s);
