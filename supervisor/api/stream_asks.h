/* What a corral-stream helper asks corrald, on its fd 3 (a SOCK_SEQPACKET
 * socket, one message an ask or an answer), for the one connection it
 * serves: nothing until it brings a token from StreamPrepare's URL; then
 * what the token grants, once. */
#pragma once

#define STREAM_TOKEN_LEN 32 /* hex: 128 random bits */

#define STREAM_ASK_REDEEM 'R' /* + kind ('e', 'a', 'p') + token -> OK + '@' + flags, or NO + why */
#define STREAM_ASK_START 'S'  /* -> OK + the exec's or attach's Streams connection (fd), or NO + why */
#define STREAM_ASK_PORT 'F'   /* + port (2 bytes, BE) + family ('4', '6') -> OK + a socket connecting, or NO + why */
#define STREAM_OK 'K'
#define STREAM_NO 'N'

/* a redeemed token's flags */
#define STREAM_F_TTY 1
#define STREAM_F_STDIN 2
#define STREAM_F_STDOUT 4
#define STREAM_F_STDERR 8
