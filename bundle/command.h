/* A container's command line as Docker composes it from an image's
 * Entrypoint and Cmd and what the user gave:
 *  - the user's command replaces Cmd and is appended to the entrypoint;
 *  - the user's entrypoint replaces Entrypoint, and then the image's Cmd is
 *    dropped too (a Cmd written for another entrypoint means nothing to the
 *    new one); an empty entrypoint clears it.
 * `corral bundle create` and corrald's CreateContainer both use it. */
#pragma once

/* entrypoint, command: the user's, NULL when not given. Sets *out to the
 * args (possibly empty: the caller says what is missing); -ENOMEM. */
int command_compose(char *const *img_entrypoint, char *const *img_cmd, char *const *entrypoint,
		    char *const *command, char ***out);
