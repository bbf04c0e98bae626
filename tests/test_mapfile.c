/* Mapped files: a mapping reads the file's bytes, forgetting a range (whole pages inside it, or
 * a range not in the mapping) leaves every byte readable and unchanged, and errors name the path. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "testutil.h"
#include "yuqing/error.h"
#include "yuqing/mapfile.h"

static unsigned char pattern(size_t i) { return (unsigned char)(i * 131 + i / 4096 * 7); }

static int bytes_match(const yq_mapped_file *f) {
    for (size_t i = 0; i < f->size; i++)
        if (f->data[i] != pattern(i)) return 0;
    return 1;
}

static void test_forget_keeps_contents(void) {
    char path[] = "/tmp/yq_test_mapfile_XXXXXX";
    int fd = mkstemp(path);
    CHECK(fd >= 0);
    size_t size = 5 * (size_t)sysconf(_SC_PAGESIZE) + 123;
    unsigned char *buf = malloc(size);
    for (size_t i = 0; i < size; i++) buf[i] = pattern(i);
    CHECK(write(fd, buf, size) == (ssize_t)size);
    close(fd);
    free(buf);

    yq_mapped_file f;
    CHECK(yq_map_file(path, &f) == YQ_OK);
    CHECK(f.size == size);
    CHECK(bytes_match(&f));
    yq_mapped_file_forget(&f, f.data + 100, size - 200); /* pages 1-4 leave, then come back */
    CHECK(bytes_match(&f));
    yq_mapped_file_forget(&f, f.data + size - 10, 100); /* runs past the end: nothing */
    unsigned char outside[64];
    yq_mapped_file_forget(&f, outside, sizeof outside); /* not in the mapping: nothing */
    CHECK(bytes_match(&f));
    yq_mapped_file_forget(&f, f.data, size); /* all of it */
    CHECK(bytes_match(&f));
    yq_unmap_file(&f);
    CHECK(f.data == NULL && f.size == 0);
    unlink(path);
}

static void test_missing_file(void) {
    yq_mapped_file f;
    CHECK(yq_map_file("/nonexistent/yq_test_mapfile", &f) == YQ_ENOENT);
    CHECK(strstr(yq_last_error(), "/nonexistent/yq_test_mapfile") != NULL);
}

int main(void) {
    test_forget_keeps_contents();
    test_missing_file();
    return test_summary("mapfile");
}
