/* The crawl state: seen set behind its Bloom filter, frontier states, revisit ticks, content
 * dedup, the outbox and sinks, and what survives a kill -9 in the middle of a transaction. */
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

#include "crawl/bloom.h"
#include "crawl/sink.h"
#include "crawl/store.h"
#include "testutil.h"
#include "yuqing/error.h"
#include "yuqing/mapfile.h"

static char dir[] = "/tmp/yq-test-crawl-XXXXXX";

static crawl_request request(uint64_t fp, const char *url) {
    crawl_request r = {.fp = fp, .url = (char *)url, .source = "news", .depth = 1, .kind = CRAWL_KIND_PAGE};
    return r;
}

static void test_bloom(void) {
    crawl_bloom b;
    CHECK(crawl_bloom_init(&b, 100000, 0.01) == 0);
    uint64_t x = 1;
    for (int i = 0; i < 100000; i++) crawl_bloom_add(&b, x = x * 6364136223846793005ull + 1442695040888963407ull);
    x = 1;
    int missing = 0, false_positive = 0;
    for (int i = 0; i < 100000; i++) missing += !crawl_bloom_maybe(&b, x = x * 6364136223846793005ull + 1442695040888963407ull);
    for (int i = 0; i < 100000; i++) false_positive += crawl_bloom_maybe(&b, 0x5bd1e995ull * (uint64_t)(i + 1) ^ 0xabcdef);
    CHECK(missing == 0);
    CHECKF(false_positive < 1500, "false positives %d of 100000 at a 1%% target", false_positive);
    crawl_bloom_free(&b);
}

static void test_seen_and_frontier(void) {
    crawl_store s;
    CHECK(crawl_store_open(dir, &s) == 0);
    CHECK(crawl_store_begin(&s) == 0);
    CHECK(crawl_store_seen_add(&s, 42) == 1);
    CHECK(crawl_store_seen_add(&s, 42) == 0);
    CHECK(crawl_store_seen_has(&s, 43) == 0);
    CHECK(crawl_store_revisit_add(&s, 7, 1) == 1);
    CHECK(crawl_store_revisit_add(&s, 7, 1) == 0);
    CHECK(crawl_store_revisit_add(&s, 7, 2) == 1);
    for (uint64_t fp = 1; fp <= 10; fp++) {
        crawl_request r = request(fp, "http://a.example/x");
        r.not_before = fp == 10 ? 1e12 : (double)fp;
        CHECK(crawl_store_push(&s, &r) == 0);
    }
    crawl_request dup = request(1, "http://a.example/other");
    CHECK(crawl_store_push(&s, &dup) == 0);
    CHECK(crawl_store_pending(&s, "news") == 10 && crawl_store_pending(&s, "other") == 0);
    crawl_request *list;
    int n;
    CHECK(crawl_store_take(&s, 100, 4, &list, &n) == 0 && n == 4);
    CHECK(n == 4 && list[0].fp == 1 && list[3].fp == 4 && !strcmp(list[0].url, "http://a.example/x"));
    for (int i = 0; i < n; i++) crawl_request_free(&list[i]);
    free(list);
    CHECK(crawl_store_take(&s, 100, 100, &list, &n) == 0 && n == 5); /* fp 10 is not due */
    for (int i = 0; i < n; i++) crawl_request_free(&list[i]);
    free(list);
    CHECK(crawl_store_mark_in_flight(&s, 1) == 0 && crawl_store_mark_in_flight(&s, 2) == 0);
    CHECK(crawl_store_done(&s, 3) == 0);
    CHECK(crawl_store_requeue(&s, 4, 1, 5000) == 0);
    CHECK(crawl_store_content_add(&s, 99, "a") == 1 && crawl_store_content_add(&s, 99, "b") == 0);
    CHECK(crawl_store_item_add(&s, "a", "{\"id\":\"a\",\"http_status\":200,\"links\":[\"x\"]}") == 1);
    CHECK(crawl_store_item_add(&s, "a", "{}") == 0);
    CHECK(crawl_store_source_set(&s, "news", 3, 0) == 0);
    CHECK(crawl_store_commit(&s) == 0);
    crawl_store_close(&s);
    /* Reopened: queued and in-flight requests are pending again; 2 were in flight. */
    CHECK(crawl_store_open(dir, &s) == 0);
    CHECK(s.resumed_in_flight == 2);
    CHECK(crawl_store_seen_has(&s, 42) == 1);
    CHECK(crawl_store_pending(&s, NULL) == 9);
    CHECK(crawl_store_take(&s, 100, 100, &list, &n) == 0 && n == 7); /* 4 waits until 5000, 10 later */
    for (int i = 0; i < n; i++) crawl_request_free(&list[i]);
    free(list);
    long long tick;
    int done;
    CHECK(crawl_store_source_get(&s, "news", &tick, &done) == 0 && tick == 3 && done == 0);
    CHECK(crawl_store_source_get(&s, "new", &tick, &done) == 0 && tick == 0 && done == 1);
    crawl_store_close(&s);
}

/* A child commits one batch, starts another and is killed inside it: only the first survives,
 * and the JSONL sink holds each committed item once. */
static void test_kill(void) {
    char jsonl[300];
    snprintf(jsonl, sizeof jsonl, "%s/items.jsonl", dir);
    pid_t pid = fork();
    if (pid == 0) {
        crawl_store s;
        crawl_sinks k;
        if (crawl_store_open(dir, &s) || crawl_sinks_open(&k, &s, jsonl, NULL, NULL)) _exit(3);
        crawl_store_begin(&s);
        crawl_store_item_add(&s, "b", "{\"id\":\"b\"}");
        crawl_store_seen_add(&s, 1000);
        crawl_store_commit(&s);
        crawl_sinks_drain(&k, &s);
        fputs("{\"id\":\"half", k.jsonl); /* a batch cut short by the kill */
        fflush(k.jsonl);
        crawl_store_begin(&s);
        crawl_store_item_add(&s, "c", "{\"id\":\"c\"}");
        crawl_store_seen_add(&s, 1001);
        kill(getpid(), SIGKILL);
    }
    int status;
    waitpid(pid, &status, 0);
    CHECK(WIFSIGNALED(status) && WTERMSIG(status) == SIGKILL);
    crawl_store s;
    crawl_sinks k;
    CHECK(crawl_store_open(dir, &s) == 0);
    CHECK(crawl_store_seen_has(&s, 1000) == 1 && crawl_store_seen_has(&s, 1001) == 0);
    CHECK(crawl_sinks_open(&k, &s, jsonl, NULL, NULL) == 0);
    CHECK(crawl_sinks_drain(&k, &s) == 0);
    crawl_sinks_close(&k);
    char *text;
    size_t len;
    CHECK(yq_read_file(jsonl, &text, &len) == 0);
    CHECKF(!strcmp(text, "{\"id\":\"a\",\"http_status\":200,\"links\":[\"x\"]}\n{\"id\":\"b\"}\n"), "%s", text);
    free(text);
    /* The SQLite sink gets the same two rows, once, even when drained twice from scratch. */
    char db[300];
    snprintf(db, sizeof db, "%s/items.db", dir);
    for (int i = 0; i < 2; i++) {
        CHECK(crawl_sinks_open(&k, &s, NULL, db, "items") == 0);
        CHECK(crawl_sinks_drain(&k, &s) == 0);
        sqlite3_stmt *st;
        CHECK(sqlite3_prepare_v2(k.sqlite, "SELECT count(*), max(http_status), max(links) FROM items", -1, &st, NULL) == 0);
        CHECK(sqlite3_step(st) == SQLITE_ROW && sqlite3_column_int(st, 0) == 2 && sqlite3_column_int(st, 1) == 200);
        CHECK(!strcmp((const char *)sqlite3_column_text(st, 2), "[\"x\"]"));
        sqlite3_finalize(st);
        crawl_sinks_close(&k);
        sqlite3_exec(s.db, "DELETE FROM sinks WHERE name LIKE 'sqlite:%'", NULL, NULL, NULL);
    }
    crawl_store_close(&s);
}

int main(void) {
    if (!mkdtemp(dir)) return 1;
    test_bloom();
    test_seen_and_frontier();
    test_kill();
    char cmd[100];
    snprintf(cmd, sizeof cmd, "rm -rf %s", dir);
    if (system(cmd) != 0) fprintf(stderr, "could not remove %s\n", dir);
    return test_summary("test_crawl_store");
}
