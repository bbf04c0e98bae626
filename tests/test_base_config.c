/* YAML configuration reading (line-numbered errors) and versioned SQLite databases. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "testutil.h"
#include "yuqing/db.h"
#include "yuqing/error.h"
#include "yuqing/yaml.h"

static const char config[] =
    "# comment\n"
    "concurrency: 8\n"
    "delay: 250ms\n"
    "sources:\n"
    "  - name: news\n"
    "    start_urls: [http://a/, http://b/]\n"
    "    render: yes\n"
    "  - name: other\n"
    "    bogus: 1\n";

static void test_yaml_reads(void) {
    yq_yaml_doc *doc = NULL;
    CHECK(yq_yaml_parse("c.yaml", config, strlen(config), &doc) == 0);
    if (!doc) return;
    long long concurrency = 0;
    double delay = 0;
    CHECK(yq_yaml_int(doc, doc->root, "concurrency", 1, 100, &concurrency) == 0 && concurrency == 8);
    CHECK(yq_yaml_duration(doc, doc->root, "delay", &delay) == 0 && delay == 0.25);
    CHECK(yq_yaml_int(doc, doc->root, "concurrency", 1, 4, &concurrency) == YQ_EINVAL);
    CHECKF(strstr(yq_last_error(), "c.yaml:2: concurrency") != NULL, "%s", yq_last_error());
    const yq_yaml_node *sources = yq_yaml_get(doc->root, "sources");
    CHECK(sources && sources->kind == YQ_YAML_SEQUENCE && sources->n_items == 2);
    if (sources && sources->n_items == 2) {
        const char **urls = NULL;
        size_t n = 0;
        int render = 0;
        CHECK(yq_yaml_strings(doc, sources->items[0], "start_urls", &urls, &n) == 0 && n == 2);
        CHECK(n == 2 && !strcmp(urls[1], "http://b/"));
        free(urls);
        CHECK(yq_yaml_bool(doc, sources->items[0], "render", &render) == 0 && render == 1);
        static const char *const keys[] = {"name", "start_urls", "render", NULL};
        CHECK(yq_yaml_check_keys(doc, sources->items[0], "source", keys) == 0);
        CHECK(yq_yaml_check_keys(doc, sources->items[1], "source", keys) == YQ_EINVAL);
        CHECKF(!strcmp(yq_last_error(), "c.yaml:9: unknown key 'bogus' in source"), "%s", yq_last_error());
    }
    yq_yaml_free(doc);
    CHECK(yq_yaml_parse("bad.yaml", "a: [1, 2\nb: 3\n", 14, &doc) == YQ_EFORMAT);
    CHECKF(strncmp(yq_last_error(), "bad.yaml:", 9) == 0, "%s", yq_last_error());
}

static void test_db_versions(void) {
    char path[] = "/tmp/yq-test-db-XXXXXX";
    int fd = mkstemp(path);
    CHECK(fd >= 0);
    close(fd);
    unlink(path);
    const char *const v2[] = {"CREATE TABLE t(x INTEGER PRIMARY KEY)", "ALTER TABLE t ADD COLUMN y TEXT"};
    sqlite3 *db = NULL;
    CHECK(yq_db_open(path, "test store", v2, 1, &db) == 0);
    CHECK(yq_db_exec(db, "insert", "INSERT INTO t(x) VALUES (1)") == 0);
    sqlite3_close(db);
    CHECK(yq_db_open(path, "test store", v2, 2, &db) == 0); /* migrates 1 -> 2, keeps the row */
    CHECK(yq_db_exec(db, "update", "UPDATE t SET y = 'kept' WHERE x = 1") == 0);
    CHECK(sqlite3_changes(db) == 1);
    sqlite3_close(db);
    db = NULL;
    CHECK(yq_db_open(path, "test store", v2, 1, &db) == YQ_EUNSUPPORTED && db == NULL);
    CHECKF(strstr(yq_last_error(), "schema version 2 is newer than this yuqing supports (1)"), "%s",
           yq_last_error());
    const char *const broken[] = {"CREATE TABLE t(x)", "CREATE TABLE nonsense("};
    CHECK(yq_db_open(path, "test store", broken, 2, &db) == 0); /* already at 2: nothing to run */
    sqlite3_close(db);
    unlink(path);
    CHECK(yq_db_open(path, "test store", broken, 2, &db) == YQ_EFORMAT); /* failed migration */
    CHECK(yq_db_open(path, "test store", broken, 1, &db) == 0);           /* rolled back to 1 */
    sqlite3_close(db);
    char aux[64];
    snprintf(aux, sizeof aux, "%s-wal", path), unlink(aux);
    snprintf(aux, sizeof aux, "%s-shm", path), unlink(aux);
    unlink(path);
}

int main(void) {
    test_yaml_reads();
    test_db_versions();
    return test_summary("test_base_config");
}
