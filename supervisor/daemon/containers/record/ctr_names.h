/* Names for containers created without one: adjective_noun, such as
 * "brave_turing", readable and never the id, as docker and podman name
 * theirs. */
#pragma once
#include <stdbool.h>
#include <stddef.h>

#define CTR_GENERATED_NAME_MAX 48

/* Whether a name is in use (the caller's registry). */
typedef bool (*ctr_name_taken_fn)(const char *name, void *data);

/* A name no container has: random words, drawn again on a collision; after
 * as many draws as there are words, a number is added ("brave_turing_2"),
 * so that it ends even when nearly every pair is taken. buf holds at least
 * CTR_GENERATED_NAME_MAX bytes. 0, or -EEXIST when nothing is free. */
int ctr_name_generate(ctr_name_taken_fn taken, void *data, char *buf, size_t n);
