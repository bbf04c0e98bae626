/* Read-only memory mapping of whole files (model weights are views into such maps). */
#ifndef YUQING_MAPFILE_H
#define YUQING_MAPFILE_H

#include <stddef.h>

typedef struct yq_mapped_file {
    const unsigned char *data; /* NULL for an empty file */
    size_t size;
} yq_mapped_file;

/* Maps `path` read-only. Errors: YQ_ENOENT (missing), YQ_EINVAL (a directory), YQ_EIO. */
int yq_map_file(const char *path, yq_mapped_file *out);
void yq_unmap_file(yq_mapped_file *file);

/* Reads a whole (small) file into a NUL-terminated malloc'd buffer the caller frees. */
int yq_read_file(const char *path, char **out, size_t *size);

#endif
