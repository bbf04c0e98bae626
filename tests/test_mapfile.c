/* Mapped files: a mapping reads the file's bytes; forgetting a range drops from the process
 * (its resident size in /proc/self/smaps) exactly the whole pages inside it, leaves every byte
 * readable and unchanged, and never touches memory outside the mapping; errors name the path. */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
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

/* Resident kB of the mapping that starts at addr, from /proc/self/smaps (-1: not found). */
static long resident_kb(const void *addr) {
    FILE *f = fopen("/proc/self/smaps", "r");
    if (!f) return -1;
    char line[512], start[32];
    snprintf(start, sizeof start, "%lx-", (unsigned long)(uintptr_t)addr);
    long kb = -1;
    int in_mapping = 0;
    while (kb < 0 && fgets(line, sizeof line, f)) {
        if (strchr(line, '-') && strchr(line, '-') < strchr(line, ' '))
            in_mapping = strncmp(line, start, strlen(start)) == 0;
        else if (in_mapping)
            sscanf(line, "Rss: %ld kB", &kb); /* kb unchanged on other lines */
    }
    fclose(f);
    return kb;
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

    long page_kb = sysconf(_SC_PAGESIZE) / 1024;
    yq_mapped_file f;
    CHECK(yq_map_file(path, &f) == YQ_OK);
    CHECK(f.size == size);
    CHECK(bytes_match(&f));
    CHECKF(resident_kb(f.data) == 6 * page_kb, "all 6 pages resident after reading: %ld kB", resident_kb(f.data));
    yq_mapped_file_forget(&f, f.data + 100, size - 200); /* pages 1-4: the whole ones inside */
    CHECKF(resident_kb(f.data) == 2 * page_kb, "pages 0 and 5 stay: %ld kB", resident_kb(f.data));
    CHECK(bytes_match(&f)); /* read back from the file */
    CHECK(resident_kb(f.data) == 6 * page_kb);
    yq_mapped_file_forget(&f, f.data + size - 10, 100); /* runs past the end: nothing */
    CHECK(resident_kb(f.data) == 6 * page_kb);
    size_t anon_bytes = 3 * (size_t)sysconf(_SC_PAGESIZE);
    unsigned char *anon = mmap(NULL, anon_bytes, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
    CHECK(anon != MAP_FAILED);
    memset(anon, 0x5A, anon_bytes);
    yq_mapped_file_forget(&f, anon, anon_bytes); /* not in the mapping: would read back as zeros */
    CHECK(anon[0] == 0x5A && anon[anon_bytes / 2] == 0x5A && anon[anon_bytes - 1] == 0x5A);
    munmap(anon, anon_bytes);
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
