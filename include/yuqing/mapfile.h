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
/* Drops this process's pages of the whole pages inside [begin, begin + bytes), when that lies in
 * the mapping: for bytes copied elsewhere (a later read maps them again from the file). */
void yq_mapped_file_forget(const yq_mapped_file *file, const void *begin, size_t bytes);

/* Reads a whole (small) file into a NUL-terminated malloc'd buffer the caller frees. */
int yq_read_file(const char *path, char **out, size_t *size);

#endif
