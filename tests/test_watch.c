/* The watch file: a full example read back, and each kind of mistake reported with its line. */
#include <stdlib.h>
#include <string.h>

#include "testutil.h"
#include "yuqing/analyze.h"
#include "yuqing/error.h"

static const char good[] =
    "timezone: Asia/Shanghai\n"
    "near_duplicates:\n"
    "  max_hamming: 4\n"
    "entities:\n"
    "  - name: 阿里巴巴\n"
    "    aliases: [阿里, Alibaba, BABA]\n"
    "  - name: Tencent\n"
    "alerts:\n"
    "  - {entity: 阿里巴巴, negative_share_above: 0.4, window: 24h, min_articles: 5}\n"
    "  - {entity: Tencent, negative_count: 3, window: 1h}\n";

static void test_good(void) {
    yq_watch *w = NULL;
    CHECKF(yq_watch_parse("w.yaml", good, strlen(good), &w) == 0, "%s", yq_last_error());
    if (!w) return;
    CHECK(w->n_entities == 2 && !strcmp(w->entities[0].name, "阿里巴巴") && w->entities[0].n_aliases == 3 &&
          !strcmp(w->entities[0].aliases[2], "BABA") && w->entities[1].n_aliases == 0);
    CHECK(w->max_hamming == 4 && w->timezone && !strcmp(w->timezone, "Asia/Shanghai"));
    CHECK(w->n_alerts == 2);
    CHECK(w->alerts[0].entity == 0 && w->alerts[0].kind == YQ_ALERT_NEGATIVE_SHARE && w->alerts[0].threshold == 0.4 &&
          w->alerts[0].window_s == 86400 && w->alerts[0].min_articles == 5);
    CHECK(w->alerts[1].entity == 1 && w->alerts[1].kind == YQ_ALERT_NEGATIVE_COUNT && w->alerts[1].threshold == 3 &&
          w->alerts[1].window_s == 3600);
    yq_watch_free(w);
    const char minimal[] = "entities: [{name: X}]\n";
    CHECK(yq_watch_parse("m.yaml", minimal, strlen(minimal), &w) == 0 && w->max_hamming == 6 && !w->timezone);
    yq_watch_free(w);
}

static void expect_error(const char *yaml, const char *needle) {
    yq_watch *w = NULL;
    int rc = yq_watch_parse("w.yaml", yaml, strlen(yaml), &w);
    CHECKF(rc != 0 && yq_error_is_bad_input(rc) && strstr(yq_last_error(), needle), "'%s': rc %d, '%s' lacks '%s'",
           yaml, rc, yq_last_error(), needle);
    yq_watch_free(w);
}

static void test_errors(void) {
    expect_error("entities:\n  - name: A\n    alias: [B]\n", "w.yaml:3: unknown key 'alias'");
    expect_error("entities:\n  - aliases: [B]\n", "w.yaml:2: an entity needs a name");
    expect_error("entities:\n  - name: A\n  - name: A\n", "w.yaml:3: entity 'A' is listed twice");
    expect_error("timezone: UTC\n", "w.yaml:1: the watch file needs an 'entities' list");
    expect_error("entities: [{name: A}]\nalerts:\n  - {entity: B, negative_count: 3, window: 1h}\n",
                 "w.yaml:3: entity: 'B' is not a watched entity");
    expect_error("entities: [{name: A}]\nalerts:\n  - {entity: A, negative_count: 3, negative_share_above: 0.5, window: 1h}\n",
                 "w.yaml:3: an alert rule needs exactly one of");
    expect_error("entities: [{name: A}]\nalerts:\n  - {entity: A, negative_count: 3}\n", "w.yaml:3: an alert rule needs a window");
    expect_error("entities: [{name: A}]\nalerts:\n  - {entity: A, negative_share_above: 1.5, window: 1h}\n",
                 "w.yaml:3: negative_share_above: expected a number in [0, 1]");
    expect_error("entities: [{name: A}]\nalerts:\n  - entity: A\n    negative_count: 2\n    window: soon\n",
                 "w.yaml:5: window: expected a duration");
    expect_error("entities: [{name: A}]\ntimezone: Mars/Olympus\n", "w.yaml:2: timezone: unknown time zone");
    expect_error("entities: [{name: A}]\nnear_duplicates: {max_hamming: 40}\n", "w.yaml:2: max_hamming");
    expect_error("entities: [{name: A, aliases: [\"\"]}]\n", "aliases: an alias is empty");
    expect_error("entities: [{name: A}\n", "w.yaml:");
}

int main(void) {
    test_good();
    test_errors();
    return test_summary("test_watch");
}
